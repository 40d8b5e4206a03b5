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
 * @param {import('../protocol.js').PhiSummary} phi
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
 * @param {import('../protocol.js').PhiSummary} phi
 */
export function renderPhiSummary(root, phi) {
  root.replaceChildren(el('p', { 'data-testid': 'phi-counts' }, phiSentence(phi)));
  for (const warning of phi.warnings) {
    const box = el('div', { class: 'pixel-warning', 'data-testid': 'pixel-warning', role: 'alert' }, warning.message);
    const reasons = el('ul');
    for (const reason of warning.reasons || []) reasons.append(el('li', {}, reason));
    box.append(reasons);
    root.append(box);
  }
}
