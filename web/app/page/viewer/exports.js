/**
 * Exports of the shown frame: each is made only once the user has confirmed, knowing that
 * text burned into the pixels may identify the patient; named without any value from the file.
 * @module viewer/exports
 */
import { Request } from '../../shared/protocol.js';
import { downloadBlob, pngOf } from '../download.js';
import { confirmExport } from '../confirm-export.js';

/** Why an image export may identify the patient. */
const PIXELS_AS_THEY_ARE = 'Image exports carry the pixels as they are: text burned into the '
  + 'image (names, dates, IDs) may be there and is not removed.';

/**
 * Base name of an export: no value from the file.
 * @param {import('./viewer.js').Viewer} viewer
 */
function exportName(viewer) {
  const d = viewer.model.frame && viewer.model.frame.description;
  return d && d.frames > 1 ? `frame-${d.index + 1}` : 'image';
}

/**
 * The view as a PNG download (image, overlays, measurements; not the corner annotations).
 * @param {import('./viewer.js').Viewer} viewer
 */
export async function exportPng(viewer) {
  if (!viewer.model.frame || !(await confirmExport(PIXELS_AS_THEY_ARE))) return;
  viewer.display.draw();
  viewer.$('viewer-export-warning').hidden = false;
  downloadBlob(await pngOf(viewer.display.canvas), `${exportName(viewer)}.png`);
}

/**
 * The frame's raw values as a .npy download.
 * @param {import('./viewer.js').Viewer} viewer
 */
export async function exportNpy(viewer) {
  const frame = viewer.model.frame;
  if (!frame || !(await confirmExport(PIXELS_AS_THEY_ARE))) return;
  viewer.$('viewer-export-warning').hidden = false;
  try {
    const answer = await viewer.client.request(Request.FRAME_NPY, {
      instanceId: frame.instanceId, index: frame.description.index,
    });
    downloadBlob(new Blob([answer.buffer], { type: 'application/octet-stream' }), `${exportName(viewer)}.npy`);
  } catch (error) {
    viewer.model.setError(/** @type {*} */ (error).message || 'The frame could not be exported.');
  }
}
