/**
 * What the user's commands do (buttons, keys, pointer on the image): each changes the model
 * through its methods and redraws through the display. controls.js and interaction.js only
 * route events here.
 * @module viewer/actions
 */
import { probeAt } from './tools/probe.js';
import { showRedaction } from './redaction-panel.js';
import { loadOverlays } from './overlay-panel.js';

/** How near (screen pixels, whatever the zoom) a press must be to count as on a shape. */
const GRAB_DISTANCE = 6;

/**
 * @param {import('./viewer.js').Viewer} viewer
 * @param {number} factor zoom about the canvas' centre
 */
export function zoomCentre(viewer, factor) {
  const canvas = viewer.display.canvas;
  viewer.display.zoomAt(factor, canvas.width / 2, canvas.height / 2);
}

/** @param {import('./viewer.js').Viewer} viewer fit the image to the canvas */
export function fit(viewer) {
  viewer.display.fitView();
  viewer.display.draw();
}

/** @param {import('./viewer.js').Viewer} viewer one image pixel per canvas pixel */
export function oneToOne(viewer) {
  viewer.model.view.oneToOne();
  viewer.display.draw();
}

/** @param {import('./viewer.js').Viewer} viewer a quarter turn clockwise */
export function rotate(viewer) {
  const view = viewer.model.view;
  view.rotate();
  // A fitted image stays fitted: a turned non-square image needs another scale.
  if (view.fitted) viewer.display.fitView();
  viewer.display.draw();
}

/** @param {import('./viewer.js').Viewer} viewer @param {'h'|'v'} axis */
export function flip(viewer, axis) {
  viewer.model.view.flip(axis);
  viewer.display.draw();
}

/**
 * Back to the file's window, fitted, unrotated, not inverted.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function reset(viewer) {
  const { model, display } = viewer;
  model.view.reset();
  model.wl.resetInvert();
  if (model.frame) {
    model.wl.init(model.frame.description);
    display.fitView();
    display.update();
  } else display.draw();
}

/** @param {import('./viewer.js').Viewer} viewer */
export function toggleInvert(viewer) {
  const { model, display } = viewer;
  model.wl.toggleInvert(model.frame ? model.frame.description : null);
  display.update();
}

/** @param {import('./viewer.js').Viewer} viewer @param {string} id a preset's id */
export function applyPreset(viewer, id) {
  const { model, display } = viewer;
  if (model.frame && model.wl.applyPreset(id, model.frame.description)) display.update();
}

/**
 * Delete the selected measurement (Delete key, or the button).
 * @param {import('./viewer.js').Viewer} viewer
 */
export function deleteMeasurement(viewer) {
  const key = viewer.model.imageKey();
  if (key && viewer.model.annotator.deleteSelected(key)) viewer.display.draw();
}

/**
 * Escape: drop a measurement being drawn, else reset the view.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function escape(viewer) {
  const annotator = viewer.model.annotator;
  if (annotator.drawing) {
    annotator.cancel();
    viewer.display.draw();
  } else reset(viewer);
}

/**
 * The annotations switch changed: show or hide the corners' text, measurements, boxes.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function annotationsChanged(viewer) {
  viewer.display.stage.classList.toggle('no-annotations', !viewer.annotations.checked);
}

/** @param {import('./viewer.js').Viewer} viewer */
export function toggleAnnotations(viewer) {
  viewer.annotations.checked = !viewer.annotations.checked;
  annotationsChanged(viewer);
}

/**
 * Show or hide one overlay group of the image (its switch in the overlay panel).
 * @param {import('./viewer.js').Viewer} viewer
 * @param {string} group e.g. '6000'
 * @param {boolean} shown
 */
export function showOverlay(viewer, group, shown) {
  const model = viewer.model;
  model.setOverlayShown(group, shown);
  viewer.display.draw();
  if (shown && model.frame) loadOverlays(viewer, model.frame);
}

/**
 * @param {import('./viewer.js').Viewer} viewer
 * @param {?{x: number, y: number}} p canvas point, null when the pointer left
 */
export function probe(viewer, p) {
  const model = viewer.model;
  model.setProbe(p && model.frame ? probeAt(model.frame, viewer.display.imagePoint(p)) : null);
}

/**
 * A pointer event for the active measuring tool.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {'down'|'move'|'up'} what
 * @param {{x: number, y: number}} p canvas point
 */
export function annotate(viewer, what, p) {
  const { model, display } = viewer;
  const key = model.imageKey();
  if (!key) return;
  const q = display.imagePoint(p);
  if (what === 'down') model.annotator.down(model.tool, key, q, display.toImageDistance(GRAB_DISTANCE));
  else if (what === 'move') {
    if (!model.annotator.move(key, q)) return;
  } else model.annotator.up(key, q);
  display.scheduleDraw();
}

/**
 * Start a redaction box (the Redact tool).
 * @param {import('./viewer.js').Viewer} viewer
 * @param {{x: number, y: number}} p canvas point
 */
export function redactStart(viewer, p) {
  const { model, display } = viewer;
  const frame = model.frame;
  if (!frame || !model.instanceId) return;
  const thisFrame = /** @type {HTMLSelectElement} */ (viewer.$('viewer-redact-frames')).value === 'this';
  model.redaction.start(model.instanceId, display.imagePoint(p),
    thisFrame ? frame.description.index + 1 : null, frame.columns, frame.rows);
}

/** @param {import('./viewer.js').Viewer} viewer @param {{x: number, y: number}} p canvas point */
export function redactMove(viewer, p) {
  viewer.model.redaction.move(viewer.display.imagePoint(p));
  viewer.display.scheduleDraw();
}

/** @param {import('./viewer.js').Viewer} viewer */
export function redactEnd(viewer) {
  if (viewer.model.redaction.finish()) showRedaction(viewer);
  viewer.display.scheduleDraw();
}
