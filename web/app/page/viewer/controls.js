/**
 * The viewer's controls: toolbar buttons, menus, slider, switches, and the shortcut keys the
 * help panel lists.
 * @module viewer/controls
 */
import { exportNpy, exportPng } from './exports.js';
import * as act from './actions.js';
import { showFrame } from './loader.js';

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
    '+': () => act.zoomCentre(viewer, ZOOM_STEP),
    '=': () => act.zoomCentre(viewer, ZOOM_STEP),
    '-': () => act.zoomCentre(viewer, 1 / ZOOM_STEP),
    f: () => act.fit(viewer),
    1: () => act.oneToOne(viewer),
    r: () => act.rotate(viewer),
    h: () => act.flip(viewer, 'h'),
    v: () => act.flip(viewer, 'v'),
    i: () => act.toggleInvert(viewer),
    0: () => act.reset(viewer),
    Escape: () => act.escape(viewer),
    w: () => viewer.model.setTool('wl'),
    p: () => viewer.model.setTool('pan'),
    m: () => viewer.model.setTool('length'),
    g: () => viewer.model.setTool('angle'),
    q: () => viewer.model.setTool('rectangle'),
    o: () => viewer.model.setTool('ellipse'),
    b: () => viewer.model.setTool('redact'),
    Delete: () => act.deleteMeasurement(viewer),
    Backspace: () => act.deleteMeasurement(viewer),
    a: () => act.toggleAnnotations(viewer),
    ' ': () => viewer.navigation.toggleCine(),
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
    'viewer-tool-wl': () => viewer.model.setTool('wl'),
    'viewer-tool-pan': () => viewer.model.setTool('pan'),
    'viewer-measure': () => viewer.model.setTool('length'),
    'viewer-tool-angle': () => viewer.model.setTool('angle'),
    'viewer-tool-rectangle': () => viewer.model.setTool('rectangle'),
    'viewer-tool-ellipse': () => viewer.model.setTool('ellipse'),
    'viewer-measure-delete': () => act.deleteMeasurement(viewer),
    'viewer-tool-redact': () => viewer.model.setTool('redact'),
    'viewer-zoom-in': () => shortcut(viewer, '+'),
    'viewer-zoom-out': () => shortcut(viewer, '-'),
    'viewer-fit': () => shortcut(viewer, 'f'),
    'viewer-one-to-one': () => shortcut(viewer, '1'),
    'viewer-rotate': () => shortcut(viewer, 'r'),
    'viewer-flip-h': () => shortcut(viewer, 'h'),
    'viewer-flip-v': () => shortcut(viewer, 'v'),
    'viewer-invert': () => shortcut(viewer, 'i'),
    'viewer-reset': () => act.reset(viewer),
    'viewer-cine': () => viewer.navigation.toggleCine(),
    'viewer-export-png': () => { exportPng(viewer); },
    'viewer-export-npy': () => { exportNpy(viewer); },
  };
  for (const [id, run] of Object.entries(clicks)) viewer.$(id).addEventListener('click', run);
  viewer.presetSelect.addEventListener('change', () => act.applyPreset(viewer, viewer.presetSelect.value));
  viewer.slider.addEventListener('input', () => {
    viewer.cine.stop();
    showFrame(viewer, Number(viewer.slider.value) - 1);
  });
  viewer.fpsInput.addEventListener('change', () => {
    const fps = Number(viewer.fpsInput.value);
    if (fps > 0) viewer.cine.setRate(Math.min(fps, 120));
  });
  viewer.annotations.addEventListener('change', () => act.annotationsChanged(viewer));
  viewer.$('viewer-overlays').addEventListener('change', (event) => {
    const input = /** @type {HTMLInputElement} */ (event.target);
    const group = input.getAttribute('data-group');
    if (!group) return;
    act.showOverlay(viewer, group, input.checked);
  });
  viewer.model.setTool('wl');
}
