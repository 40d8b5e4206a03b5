/**
 * Loading what the viewer shows: an instance (its kind, then its first frame and its stack,
 * or its document), one of its frames, its series' stack order. Every answer is checked
 * against the model's tokens first, so a later selection wins over a slow earlier one.
 * @module viewer/loader
 */
import { rateOf } from './cine.js';
import { showRedaction } from './redaction-panel.js';
import { showObject } from './objects.js';
import { fillOverlays, loadOverlays } from './overlay-panel.js';
import { setLoading, setMode, showCineBar } from './panels.js';
import { setControl, setHidden, setText } from '../views.js';
import { seriesOf } from './stack.js';

/** What the user is told about a file the core refused as damaged. */
const DAMAGED = 'This file is damaged, so its image cannot be shown. The tag table lists what could be read before the damage.';

/**
 * Load and show an instance (see Viewer.show).
 * @param {import('./viewer.js').Viewer} viewer
 * @param {string} instanceId
 * @param {boolean} fromCine cine plays the series: it goes on
 */
export async function load(viewer, instanceId, fromCine) {
  const model = viewer.model;
  if (!fromCine) viewer.cine.stop();
  model.annotator.cancel();
  const summary = viewer.summary(instanceId);
  const seriesKey = summary && summary.series.uid ? `${summary.study.uid}|${summary.series.uid}` : null;
  // Scrolling a series keeps its window, view and overlay choices (past a slice that could
  // not be drawn too: the choices are still those made on its series).
  const sameSeries = seriesKey !== null && seriesKey === model.seriesKey;
  const token = model.select(instanceId);
  delete viewer.root.dataset.loaded;
  viewer.root.hidden = false;
  showRedaction(viewer);
  setHidden(viewer.$('viewer-export-warning'), true);
  model.setError(null);
  setLoading(viewer, true);
  if (!summary && viewer.damaged().some((s) => s.instanceId === instanceId && s.damaged)) {
    // A damaged file (opened for the inspector only): there is nothing the worker can draw.
    setMode(viewer, 'image');
    failed(viewer, { code: 'damaged', message: DAMAGED });
    loaded(viewer, instanceId);
    return;
  }
  // An image by its summary: its series' order and its first frame are asked for with its
  // kind, not after it (one round trip to the worker less for each image of a scrolled
  // series), the order first, so that the image is drawn with its place in the series.
  if (summary && summary.rows) {
    model.stack.order(seriesOf(viewer.instances(), instanceId));
    model.frames.get(instanceId, 0).catch(() => {});
  }
  try {
    const info = await viewer.infos.get(instanceId);
    if (!model.current(token)) return;
    model.setInfo(info);
    if (info.kind === 'image') {
      // The next image of a series shown: the mode is set (setMode measures the stage).
      if (!sameSeries) setMode(viewer, 'image');
      if (!sameSeries) {
        model.view.reset();
        model.wl.forget();
        model.showAllOverlays();
      }
      model.setSeriesKey(seriesKey);
      await Promise.all([updateStack(viewer, instanceId, token), showFrame(viewer, 0, { fresh: !sameSeries })]);
    } else {
      setMode(viewer, 'object');
      model.setSeriesKey(null);
      model.setFrame(null);
      model.wl.clear();
      viewer.display.renderer.clear();
      await showObject(viewer.$('viewer-object'), viewer.client, instanceId, info, () => model.current(token));
    }
  } catch (error) {
    if (!model.current(token)) return;
    setMode(viewer, 'image');
    failed(viewer, error);
  }
  if (!model.current(token)) return;
  setLoading(viewer, false);
  loaded(viewer, instanceId);
}

/**
 * @param {import('./viewer.js').Viewer} viewer
 * @param {string} instanceId shown in full (the tests wait for `data-loaded`)
 */
function loaded(viewer, instanceId) {
  viewer.model.setLoaded(instanceId);
  viewer.root.dataset.loaded = instanceId;
}

/**
 * Show nothing: the shown instance was closed. The viewer empties and hides.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function unload(viewer) {
  viewer.cine.stop();
  viewer.model.unselect();
  viewer.display.renderer.clear();
  viewer.$('viewer-object').replaceChildren();
  viewer.$('viewer-measure-result').textContent = '';
  viewer.model.setError(null);
  setLoading(viewer, false);
  delete viewer.root.dataset.loaded;
  viewer.root.hidden = true;
}

/**
 * Show an error instead of the image.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {*} error a WorkerError (user-facing message) or anything else
 */
export function failed(viewer, error) {
  viewer.cine.stop();
  viewer.model.setFrame(null);
  viewer.display.renderer.clear();
  setLoading(viewer, false);
  viewer.model.setError(error && error.code && error.message ? error.message : 'The image could not be shown.');
  // Only the error's class name: its message may quote the file.
  if (!(error && error.code)) console.error('dicomtab viewer:', error && error.name);
  viewer.display.draw();
  showStackPlace(viewer); // the place of the slice that failed, no longer of the image before it
}

/**
 * Order the instance's series and show where it stands in it.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {string} instanceId
 * @param {number} token the selection this is for
 */
export async function updateStack(viewer, instanceId, token) {
  const model = viewer.model;
  if (!(await model.stack.follow(viewer.instances(), instanceId, () => model.current(token)))) return;
  showStackPlace(viewer);
  showCineBar(viewer);
  viewer.display.showAnnotations();
}

/**
 * The status line says where the image drawn stands in its series (the selection may be
 * further on while the stack scrolls).
 * @param {import('./viewer.js').Viewer} viewer
 */
function showStackPlace(viewer) {
  const id = viewer.model.shownId();
  setText(viewer.$('viewer-stack'), id ? viewer.model.stack.describe(id) : '');
}

/**
 * Show frame `index` of the selected instance.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {number} index
 * @param {{fresh?: boolean}} [options] fresh: a new series, set window and view from it
 * @returns {Promise<boolean>} whether it is shown
 */
export async function showFrame(viewer, index, { fresh = false } = {}) {
  const { model, display } = viewer;
  const token = model.token;
  const frameToken = model.nextFrameToken();
  const instanceId = /** @type {string} */ (model.instanceId);
  const stillWanted = () => model.current(token) && model.currentFrame(frameToken);
  if (!model.frames.has(instanceId, index)) setLoading(viewer, true);
  let frame;
  try {
    frame = await model.frames.get(instanceId, index);
  } catch (error) {
    if (stillWanted()) failed(viewer, error);
    return false;
  }
  if (!stillWanted()) return false;
  setLoading(viewer, false);
  model.setError(null);
  const previous = model.frame;
  const newInstance = !previous || previous.instanceId !== instanceId;
  model.setFrame(frame);
  display.renderer.setFrame(frame);
  const d = frame.description;
  if (fresh || !model.wl.fits(d)) model.wl.init(d);
  else model.wl.follow(d);
  if (newInstance) {
    model.wl.fillPresets(d);
    fillOverlays(viewer, d);
    setupFrames(viewer, d);
  }
  if (fresh || model.view.fitted) display.fitView();
  setControl(viewer.slider, 'value', String(d.index + 1));
  setText(viewer.$('viewer-frame'), d.frames > 1 ? `${d.index + 1} / ${d.frames}` : '');
  display.update();
  if (newInstance) showStackPlace(viewer);
  loadOverlays(viewer, frame);
  // Cine asks for the next frame now, so that it is decoded by the time it is due.
  if (viewer.cine.playing && d.frames > 1) {
    model.frames.get(instanceId, (d.index + 1) % d.frames).catch(() => {});
  }
  return true;
}

/**
 * The frame slider and the cine rate, for a newly shown instance.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {import('./frame.js').FrameDescription} d
 */
function setupFrames(viewer, d) {
  showCineBar(viewer);
  setControl(viewer.slider, 'max', String(d.frames));
  setControl(viewer.slider, 'value', String(d.index + 1));
  const rate = rateOf(d);
  viewer.cine.setRate(rate);
  setControl(viewer.fpsInput, 'value', String(Math.round(rate * 10) / 10));
}
