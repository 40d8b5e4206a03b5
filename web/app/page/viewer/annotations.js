/**
 * Corner annotations over the image: patient, study, series/instance, window, zoom, frame.
 * Set as textContent (never markup); a checkbox hides them all so a screenshot need not show
 * identifying data.
 * @module viewer/annotations
 */
import { fmt } from './presets.js';
import { setText } from '../views.js';

/**
 * The four corners' lines.
 * @param {?import('../../shared/protocol.js').InstanceSummary} s
 * @param {{frame: ?import('./frame.js').Frame, voi: ?import('./voi.js').Voi, zoom: number,
 *   stackIndex: number, stackSize: number}} view
 * @returns {{tl: string[], tr: string[], bl: string[], br: string[]}}
 */
export function cornerText(s, view) {
  const d = view.frame ? view.frame.description : null;
  const tl = s ? [s.patient.name || '', s.patient.id ? `ID ${s.patient.id}` : ''] : [];
  const tr = s ? [
    s.study.date ? `Study ${s.study.date.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3')}` : '',
    s.study.description || '',
    [s.series.number !== null ? `Series ${s.series.number}` : '', s.instance.number !== null ? `Image ${s.instance.number}` : ''].filter(Boolean).join(' · '),
    view.stackSize > 1 ? `Slice ${view.stackIndex + 1}/${view.stackSize}` : '',
  ] : [];
  const bl = [];
  if (view.voi) {
    bl.push(view.voi.table ? 'VOI LUT' : `W ${fmt(view.voi.width)} L ${fmt(view.voi.center)}`);
  }
  bl.push(`Zoom ${Math.round(view.zoom * 100)}%`);
  const br = d ? [
    d.frames > 1 ? `Frame ${d.index + 1}/${d.frames}` : '',
    `${d.columns} × ${d.rows}`,
    s && s.modality ? s.modality : '',
  ] : [];
  const clean = (/** @type {string[]} */ lines) => lines.filter(Boolean);
  return { tl: clean(tl), tr: clean(tr), bl: clean(bl), br: clean(br) };
}

/**
 * Put the lines into the corner elements.
 * @param {Record<string, HTMLElement>} corners  tl, tr, bl, br
 * @param {{tl: string[], tr: string[], bl: string[], br: string[]}} text
 */
export function showCorners(corners, text) {
  for (const [key, node] of Object.entries(corners)) {
    setText(node, /** @type {Record<string, string[]>} */ (text)[key].join('\n'));
  }
}
