/**
 * The viewer's page parts around the canvas: image or object mode, the loading and error
 * notes, the probe readout, the tool buttons, the cine bar. The model's events keep the
 * error, probe and tool parts in step, whoever changed them.
 * @module viewer/panels
 */
import { showRedaction } from './redaction-panel.js';
import { setHidden, setText } from '../views.js';

/**
 * Show the model's error, probe and tool whenever they change.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function followModel(viewer) {
  const { model, $ } = viewer;
  model.addEventListener('error', () => {
    const node = $('viewer-error');
    // Unchanged when there was no error and is none (each image of a scrolled series clears it).
    if (node.hidden && model.error === null) return;
    node.hidden = model.error === null;
    node.textContent = model.error || '';
  });
  model.addEventListener('probe', () => {
    setText($('viewer-probe'), model.probe ? model.probe.text : '');
  });
  model.addEventListener('tool', () => {
    viewer.display.stage.dataset.tool = model.tool;
    // The tool buttons only: the stage carries data-tool too (for its cursor).
    for (const button of viewer.root.querySelectorAll('button[data-tool]')) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-tool') === model.tool));
    }
    showRedaction(viewer);
  });
}

/**
 * @param {import('./viewer.js').Viewer} viewer
 * @param {'image'|'object'} mode an image (canvas and its tools) or a document, report, waveform
 */
export function setMode(viewer, mode) {
  const image = mode === 'image';
  const $ = viewer.$;
  viewer.display.stage.hidden = !image;
  for (const part of ['viewer-frames', 'viewer-overlays']) if (!image) $(part).hidden = true;
  viewer.root.querySelectorAll('.viewer-tools, .viewer-status, .viewer-exports').forEach((n) => {
    /** @type {HTMLElement} */ (n).hidden = !image;
  });
  $('viewer-object').hidden = image;
  if (image) $('viewer-object').replaceChildren();
  viewer.display.resize();
}

/** A load shorter than this shows no "Loading…": each image of a scrolled series would flash it. */
export const LOADING_AFTER_MS = 150;
/** @type {WeakMap<import('./viewer.js').Viewer, ReturnType<typeof setTimeout>>} "Loading…" due */
const loadingDue = new WeakMap();

/**
 * "Loading…" over the image: shown once a load has taken LOADING_AFTER_MS, hidden at once.
 * @param {import('./viewer.js').Viewer} viewer @param {boolean} on
 */
export function setLoading(viewer, on) {
  const note = viewer.$('viewer-loading');
  const due = loadingDue.get(viewer);
  if (!on) {
    if (due !== undefined) clearTimeout(due);
    loadingDue.delete(viewer);
    if (!note.hidden) note.hidden = true;
  } else if (note.hidden && due === undefined) {
    loadingDue.set(viewer, setTimeout(() => {
      loadingDue.delete(viewer);
      note.hidden = false;
    }, LOADING_AFTER_MS));
  }
}

/**
 * The cine bar: for frames, or for a series of single-frame images (no slider then).
 * @param {import('./viewer.js').Viewer} viewer
 */
export function showCineBar(viewer) {
  const { model, $ } = viewer;
  const frames = model.frame ? model.frame.description.frames : 1;
  const image = !viewer.display.stage.hidden;
  setHidden($('viewer-frames'), !image || (frames < 2 && model.stack.ids.length < 2));
  setHidden(viewer.slider, frames < 2);
}

/**
 * The Play/Pause button follows cine.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {boolean} playing
 */
export function showCinePlaying(viewer, playing) {
  const button = viewer.$('viewer-cine');
  button.textContent = playing ? 'Pause' : 'Play';
  button.setAttribute('aria-pressed', String(playing));
}
