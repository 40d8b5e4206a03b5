/**
 * The Redact tool's panel under the image: the boxes drawn on the instance shown, which
 * frames new boxes apply to, and what to do with them: hand them to the de-identification
 * panel as a redaction template, or save that template (the file `deid --regions` takes).
 * @module viewer/redaction-panel
 */
import { Request } from '../../shared/protocol.js';
import { downloadBlob } from '../download.js';
import { describeBox } from './redaction.js';
import { el, setHidden } from '../views.js';

/**
 * @param {import('./viewer.js').Viewer} viewer
 */
export function wireRedaction(viewer) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (viewer.root.querySelector(`[data-testid="${id}"]`));
  $('viewer-redact-use').addEventListener('click', () => { useBoxes(viewer, false); });
  $('viewer-redact-save').addEventListener('click', () => { useBoxes(viewer, true); });
  $('viewer-redact-clear').addEventListener('click', () => {
    if (viewer.model.instanceId) viewer.model.redaction.clear(viewer.model.instanceId);
    showRedaction(viewer);
    viewer.display.scheduleDraw();
  });
  $('viewer-redact-detect').addEventListener('click', () => { findText(viewer); });
  $('viewer-redact-suggestions').addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target);
    const index = button.getAttribute('data-suggestion');
    if (index === null || !viewer.model.instanceId) return;
    const thisFrame = /** @type {HTMLSelectElement} */ ($('viewer-redact-frames')).value === 'this';
    viewer.model.redaction.settle(viewer.model.instanceId, Number(index), button.hasAttribute('data-accept'), thisFrame);
    showRedaction(viewer);
    viewer.display.scheduleDraw();
  });
  $('viewer-redact-boxes').addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target);
    const index = button.getAttribute('data-box');
    if (index === null || !viewer.model.instanceId) return;
    viewer.model.redaction.remove(viewer.model.instanceId, Number(index));
    showRedaction(viewer);
    viewer.display.scheduleDraw();
  });
}

/**
 * List the boxes of the instance shown; the panel shows while the tool is chosen or there
 * are boxes.
 * @param {import('./viewer.js').Viewer} viewer
 */
export function showRedaction(viewer) {
  const root = viewer.root;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (root.querySelector(`[data-testid="${id}"]`));
  const boxes = viewer.model.instanceId ? viewer.model.redaction.boxes(viewer.model.instanceId) : [];
  const panel = $('viewer-redaction');
  setHidden(panel, viewer.model.tool !== 'redact' && boxes.length === 0);
  const suggested = viewer.model.instanceId ? viewer.model.redaction.suggestions(viewer.model.instanceId) : [];
  // Nothing drawn, nothing listed, panel hidden: so it stays (each image of a scrolled series
  // comes here; rebuilding the panel's buttons would change the page's forms every time).
  if (panel.hidden && !boxes.length && !suggested.length && !panel.querySelector('li')) return;
  $('viewer-redact-boxes').replaceChildren(...boxes.map((box, i) => {
    const item = el('li', { 'data-testid': 'viewer-redact-box' }, `${describeBox(box)} `);
    item.append(el('button', { type: 'button', 'data-box': String(i), 'aria-label': `Remove box ${i + 1}` }, 'Remove'));
    return item;
  }));
  $('viewer-redact-suggestions').replaceChildren(...suggested.map((box, i) => {
    const item = el('li', { 'data-testid': 'viewer-redact-suggestion' }, `Text found: ${describeBox(box)} `);
    item.append(
      el('button', { type: 'button', 'data-suggestion': String(i), 'data-accept': '', 'data-testid': 'viewer-redact-accept' }, 'Accept'),
      el('button', { type: 'button', 'data-suggestion': String(i), 'data-testid': 'viewer-redact-reject' }, 'Reject'),
    );
    return item;
  }));
  for (const id of ['viewer-redact-use', 'viewer-redact-save', 'viewer-redact-clear']) {
    /** @type {HTMLButtonElement} */ ($(id)).disabled = boxes.length === 0;
  }
}

/**
 * Ask the worker where the text detector finds text in the frame shown, and list the boxes
 * as suggestions to accept or reject (the detector loads on first use).
 * @param {import('./viewer.js').Viewer} viewer
 */
async function findText(viewer) {
  const status = /** @type {HTMLElement} */ (viewer.root.querySelector('[data-testid="viewer-redact-status"]'));
  const instanceId = viewer.model.instanceId;
  const frame = viewer.model.frame;
  if (!instanceId || !frame) return;
  status.textContent = 'Looking for text in this frame…';
  try {
    /** @type {{boxes: import('./redaction.js').Box[]}} */
    const found = await viewer.client.request(Request.DETECT_TEXT, {
      instanceId, index: frame.description.index,
    });
    viewer.model.redaction.suggest(instanceId, found.boxes);
    status.textContent = found.boxes.length
      ? `Text found in ${found.boxes.length} place(s), outlined on the image: accept the boxes that cover text.`
      : 'No text found in this frame.';
  } catch (/** @type {any} */ failure) {
    status.textContent = failure.message;
  }
  showRedaction(viewer);
  viewer.display.scheduleDraw();
}

/**
 * Ask the worker for the template of the boxes (it checks them against the image and reads
 * what the scope matches on), then hand it to the page or save it.
 * @param {import('./viewer.js').Viewer} viewer
 * @param {boolean} save
 */
async function useBoxes(viewer, save) {
  const status = /** @type {HTMLElement} */ (viewer.root.querySelector('[data-testid="viewer-redact-status"]'));
  const scope = /** @type {'instance'|'series'|'device'} */ (
    /** @type {HTMLSelectElement} */ (viewer.root.querySelector('[data-testid="viewer-redact-scope"]')).value);
  const instanceId = viewer.model.instanceId;
  if (!instanceId) return;
  try {
    /** @type {import('../../shared/protocol.js').RegionsFile} */
    const file = await viewer.client.request(Request.REDACTION_TEMPLATE, {
      instanceId, boxes: viewer.model.redaction.boxes(instanceId), scope,
    });
    if (save) {
      downloadBlob(new Blob([file.text], { type: 'application/json' }), file.name);
      status.textContent = `Saved as ${file.name}: give it to "dicomtab deid --regions", or load it in the de-identification panel.`;
    } else if (viewer.onRedactionTemplate) {
      status.textContent = await viewer.onRedactionTemplate(file);
    }
  } catch (/** @type {any} */ failure) {
    status.textContent = failure.message;
  }
}
