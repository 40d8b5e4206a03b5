/**
 * Exports of the shown frame, each with the visible warning that text burned into the pixels
 * may identify the patient; named without any value from the file.
 * @module viewer/exports
 */
import { Request } from '../protocol.js';
import { downloadBlob, pngOf } from '../download.js';

/**
 * Base name of an export: no value from the file.
 * @param {import('./viewer.js').Viewer} viewer
 */
function exportName(viewer) {
  const d = viewer.frame && viewer.frame.description;
  return d && d.frames > 1 ? `frame-${d.index + 1}` : 'image';
}

/**
 * The view as a PNG download (image, overlays, measurement; not the corner annotations).
 * @param {import('./viewer.js').Viewer} viewer
 */
export async function exportPng(viewer) {
  if (!viewer.frame) return;
  viewer.draw();
  viewer.$('viewer-export-warning').hidden = false;
  downloadBlob(await pngOf(viewer.canvas), `${exportName(viewer)}.png`);
}

/**
 * The frame's raw values as a .npy download.
 * @param {import('./viewer.js').Viewer} viewer
 */
export async function exportNpy(viewer) {
  const frame = viewer.frame;
  if (!frame) return;
  viewer.$('viewer-export-warning').hidden = false;
  try {
    const answer = await viewer.client.request(Request.FRAME_NPY, {
      instanceId: frame.instanceId, index: frame.description.index,
    });
    downloadBlob(new Blob([answer.buffer], { type: 'application/octet-stream' }), `${exportName(viewer)}.npy`);
  } catch (error) {
    viewer.showError(/** @type {*} */ (error).message || 'The frame could not be exported.');
  }
}
