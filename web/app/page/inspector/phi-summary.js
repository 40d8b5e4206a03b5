/**
 * The PHI summary at the top of the inspector: counts, and the pixel warning when the image
 * may carry burned-in text ("header cleaning alone does not clean pixels").
 * @module inspector/phi-summary
 */
import { el } from '../views.js';

/**
 * @param {number} n
 * @param {string} one
 * @param {string} many
 */
const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * The summary sentence, e.g. "7 elements may identify the patient, 3 private elements, …".
 * @param {import('../../shared/protocol.js').PhiSummary} phi
 */
export function phiSentence(phi) {
  return [
    `${count(phi.identifying, 'element may', 'elements may')} identify the patient`,
    count(phi.private, 'private element', 'private elements'),
    count(phi.dates, 'date', 'dates'),
    count(phi.uids, 'UID', 'UIDs'),
  ].join(', ');
}

/**
 * @param {HTMLElement} root
 * @param {import('../../shared/protocol.js').PhiSummary} phi
 */
export function renderPhiSummary(root, phi) {
  root.replaceChildren(el('p', { 'data-testid': 'phi-counts' }, phi.deidentified
    ? `De-identified file: ${count(phi.identifying, 'element is', 'elements are')} of kinds that can identify a patient `
      + `(${count(phi.private, 'private element', 'private elements')}, ${count(phi.dates, 'date', 'dates')}, `
      + `${count(phi.uids, 'UID', 'UIDs')}); "Verify…" checks them for residual PHI.`
    : phiSentence(phi)));
  if (phi.deidentified) root.append(deidentifiedBox(phi.deidentified));
  for (const warning of phi.warnings) {
    const box = el('div', { class: 'pixel-warning', 'data-testid': 'pixel-warning', role: 'alert' }, warning.message);
    const reasons = el('ul');
    for (const reason of warning.reasons || []) reasons.append(el('li', {}, reason));
    box.append(reasons);
    root.append(box);
  }
}

/**
 * Who and what de-identified the file, as it says itself (Patient Identity Removed YES,
 * De-identification Method and its CID 7050 codes).
 * @param {NonNullable<import('../../shared/protocol.js').PhiSummary['deidentified']>} marking
 */
function deidentifiedBox(marking) {
  const box = el('div', { class: 'deid-marking', 'data-testid': 'deid-marking' });
  box.append(el('p', {}, `Patient Identity Removed: YES${marking.safeHarbor ? ' — HIPAA Safe Harbor' : ''}`
    + `${marking.longitudinal ? `; dates ${marking.longitudinal.toLowerCase()}` : ''}.`));
  if (marking.method.length) {
    box.append(el('p', { 'data-testid': 'deid-method' }, `Method: ${marking.method.join('; ')}`));
  }
  const codes = el('ul', { 'data-testid': 'deid-codes' });
  for (const code of marking.codes) codes.append(el('li', {}, `${code.meaning} (${code.scheme} ${code.value})`));
  if (marking.codes.length) box.append(codes);
  return box;
}
