/**
 * The viewer's controls: toolbar buttons, menus, slider, switches, and the shortcut keys the
 * help panel lists.
 * @module viewer/controls
 */
import { exportNpy, exportPng } from './exports.js';

/** Zoom step of the +/− buttons and keys. */
const ZOOM_STEP = 1.25;

/**
 * Run a shortcut key (see the help panel).
 * @param {import('./viewer.js').Viewer} viewer
 * @param {string} key
 * @returns {boolean} whether it was one
 */
export function shortcut(viewer, key) {
  /** @type {Object<string, function(): void>} */
  const commands = {
    '+': () => viewer.zoomCentre(ZOOM_STEP),
    '=': () => viewer.zoomCentre(ZOOM_STEP),
    '-': () => viewer.zoomCentre(1 / ZOOM_STEP),
    f: () => { viewer.fitView(); viewer.draw(); },
    1: () => { viewer.view.oneToOne(); viewer.draw(); },
    r: () => { viewer.view.rotate(); if (viewer.view.fitted) viewer.fitView(); viewer.draw(); },
    h: () => { viewer.view.flip('h'); viewer.draw(); },
    v: () => { viewer.view.flip('v'); viewer.draw(); },
    i: () => viewer.toggleInvert(),
    0: () => viewer.reset(),
    Escape: () => viewer.escape(),
    w: () => viewer.setTool('wl'),
    p: () => viewer.setTool('pan'),
    m: () => viewer.setTool('length'),
    g: () => viewer.setTool('angle'),
    q: () => viewer.setTool('rectangle'),
    o: () => viewer.setTool('ellipse'),
    b: () => viewer.setTool('redact'),
    Delete: () => viewer.deleteMeasurement(),
    Backspace: () => viewer.deleteMeasurement(),
    a: () => viewer.toggleAnnotations(),
    ' ': () => viewer.toggleCine(),
  };
  const run = commands[key.length === 1 ? key.toLowerCase() : key] || commands[key];
  if (!run) return false;
  run();
  return true;
}

/**
 * Wire the toolbar, preset menu, frame slider, fps, annotations and overlay switches.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function wireControls(viewer) {
  /** @type {Object<string, function(): void>} */
  const clicks = {
    'viewer-tool-wl': () => viewer.setTool('wl'),
    'viewer-tool-pan': () => viewer.setTool('pan'),
    'viewer-measure': () => viewer.setTool('length'),
    'viewer-tool-angle': () => viewer.setTool('angle'),
    'viewer-tool-rectangle': () => viewer.setTool('rectangle'),
    'viewer-tool-ellipse': () => viewer.setTool('ellipse'),
    'viewer-measure-delete': () => viewer.deleteMeasurement(),
    'viewer-tool-redact': () => viewer.setTool('redact'),
    'viewer-zoom-in': () => shortcut(viewer, '+'),
    'viewer-zoom-out': () => shortcut(viewer, '-'),
    'viewer-fit': () => shortcut(viewer, 'f'),
    'viewer-one-to-one': () => shortcut(viewer, '1'),
    'viewer-rotate': () => shortcut(viewer, 'r'),
    'viewer-flip-h': () => shortcut(viewer, 'h'),
    'viewer-flip-v': () => shortcut(viewer, 'v'),
    'viewer-invert': () => shortcut(viewer, 'i'),
    'viewer-reset': () => viewer.reset(),
    'viewer-cine': () => viewer.toggleCine(),
    'viewer-export-png': () => { exportPng(viewer); },
    'viewer-export-npy': () => { exportNpy(viewer); },
  };
  for (const [id, run] of Object.entries(clicks)) viewer.$(id).addEventListener('click', run);
  viewer.presetSelect.addEventListener('change', () => viewer.applyPreset(viewer.presetSelect.value));
  viewer.slider.addEventListener('input', () => {
    viewer.cine.stop();
    viewer.showFrame(Number(viewer.slider.value) - 1);
  });
  viewer.fpsInput.addEventListener('change', () => {
    const fps = Number(viewer.fpsInput.value);
    if (fps > 0) viewer.cine.setRate(Math.min(fps, 120));
  });
  viewer.annotations.addEventListener('change', () => viewer.annotationsChanged());
  viewer.$('viewer-overlays').addEventListener('change', (event) => {
    const input = /** @type {HTMLInputElement} */ (event.target);
    const group = input.getAttribute('data-group');
    if (!group) return;
    viewer.showOverlay(group, input.checked);
  });
  viewer.setTool('wl');
}
