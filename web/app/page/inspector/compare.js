/**
 * Comparing instances: two side by side (added / removed / changed, sequences item by item),
 * or a whole series (which elements vary, which are constant). Values are set as text.
 * @module inspector/compare
 */
import { el } from '../views.js';

/** @typedef {import('../../shared/protocol.js').Change} Change */
/** @typedef {import('../../shared/protocol.js').ConstantElement} ConstantElement */
/** @typedef {import('../../shared/protocol.js').VaryingElement} VaryingElement */

/**
 * @param {HTMLElement} root
 * @param {{changes: Change[], counts: {added: number, removed: number, changed: number}}} diff
 * @param {string} labelA
 * @param {string} labelB
 */
export function renderDiff(root, diff, labelA, labelB) {
  const { added, removed, changed } = diff.counts;
  const table = /** @type {HTMLTableElement} */ (el('table', { class: 'diff', 'data-testid': 'diff-table' }));
  const head = el('tr');
  for (const text of ['', 'tag', 'name', labelA, labelB]) head.append(el('th', {}, text));
  table.append(el('thead'), el('tbody'));
  table.tHead?.append(head);
  for (const change of diff.changes) {
    const tr = el('tr', { class: change.change, 'data-testid': 'diff-row', 'data-change': change.change, 'data-path': change.path });
    tr.append(
      el('td', {}, change.change),
      el('td', { class: 'tag' }, `${change.tag}${change.path.includes('/') ? ` in ${change.path}` : ''}`),
      el('td', {}, change.name || change.keyword || ''),
      el('td', { 'data-col': 'a' }, change.a ?? ''),
      el('td', { 'data-col': 'b' }, change.b ?? ''),
    );
    table.tBodies[0].append(tr);
  }
  root.replaceChildren(
    el('h3', {}, `Compare ${labelA} with ${labelB}`),
    el('p', { 'data-testid': 'diff-counts' }, `${added} added, ${removed} removed, ${changed} changed`),
    table,
  );
}

/**
 * @param {HTMLElement} root
 * @param {{instances: number, constant: ConstantElement[], varying: VaryingElement[]}} series
 */
export function renderSeries(root, series) {
  const varying = el('table', { class: 'diff', 'data-testid': 'varying-table' });
  for (const entry of series.varying) {
    const tr = el('tr', { 'data-testid': 'varying-row', 'data-path': entry.path });
    tr.append(
      el('td', { class: 'tag' }, entry.tag),
      el('td', {}, entry.name || entry.keyword || ''),
      el('td', {}, `${entry.distinct} distinct in ${entry.present} of ${series.instances}`),
      el('td', {}, entry.values.map((v) => (v === null ? '(absent)' : v)).join(' | ')),
    );
    varying.append(tr);
  }
  const constant = el('table', { class: 'diff', 'data-testid': 'constant-table' });
  for (const entry of series.constant) {
    const tr = el('tr', { 'data-testid': 'constant-row', 'data-path': entry.path });
    tr.append(el('td', { class: 'tag' }, entry.tag), el('td', {}, entry.name || entry.keyword || ''),
      el('td', {}, entry.value ?? ''));
    constant.append(tr);
  }
  const details = /** @type {HTMLDetailsElement} */ (el('details'));
  details.append(el('summary', {}, `${series.constant.length} constant elements`), constant);
  root.replaceChildren(
    el('h3', {}, `Series of ${series.instances} instances`),
    el('p', { 'data-testid': 'series-counts' },
      `${series.varying.length} elements vary, ${series.constant.length} are constant`),
    varying, details,
  );
}
