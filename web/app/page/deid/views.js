/**
 * What the De-identify panel shows: the preview table, the counts of a run, durations and
 * review flags in words. Every value from a file is set as text.
 * @module deid/views
 */
import { el } from '../views.js';

/** Review flags (py_core/dicomtab/deid/engine.py flags_for) in words. */
const FLAG_WORDS = {
  'pixel-review': 'pixels may show burned-in text',
  'overlay-review': 'overlays kept (text in them is not read)',
  'face-review': 'may show a face',
  'voice-review': 'a recording of a voice',
  'damaged-input-review': 'made from a damaged file (what could be read)',
  'pixel-check': 'pixels may show burned-in text: it will be looked for and blanked',
};

/** @param {string[]} flags */
export function describeFlags(flags) {
  return flags.map((f) => /** @type {Object<string, string>} */ (FLAG_WORDS)[f] || f).join('; ');
}

/** @param {number} ms */
export function formatDuration(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * The release record's counts, as lines.
 * @param {{in: number, written: number, failed: number, failed_by_reason: Object<string, number>,
 *   flagged_for_review: Object<string, number>}} files
 * @returns {string[]}
 */
export function describeCounts(files) {
  const lines = [`${files.written} of ${files.in} files written, ${files.failed} failed.`];
  for (const [code, n] of Object.entries(files.failed_by_reason)) lines.push(`Failed (${code}): ${n}`);
  for (const [flag, n] of Object.entries(files.flagged_for_review)) {
    lines.push(`Flagged for review (${describeFlags([flag])}): ${n}`);
  }
  return lines;
}

/** Actions in the order the preview lists their counts. */
const ACTION_ORDER = ['removed', 'emptied', 'replaced', 'remapped', 'shifted', 'generalised',
  'cleaned', 'added', 'rebuilt', 'kept'];

/**
 * The preview: every changed element with its action, original → de-identified, and the
 * elements kept as they are.
 * @param {HTMLElement} root
 * @param {import('../../shared/protocol.js').DeidPreview} preview
 * @param {string} fileName
 */
export function renderPreview(root, preview, fileName) {
  const counts = ACTION_ORDER.filter((a) => preview.counts[a])
    .map((a) => `${preview.counts[a]} ${a}`).join(', ');
  const table = el('table', { class: 'diff', 'data-testid': 'deid-preview-table' });
  const head = el('tr');
  for (const text of ['action', 'tag', 'name', 'original', 'de-identified']) head.append(el('th', {}, text));
  table.append(head);
  for (const change of preview.changes) {
    const tr = el('tr', {
      class: change.change, 'data-testid': 'deid-preview-row', 'data-action': change.action, 'data-path': change.path,
    });
    tr.append(
      el('td', { title: change.rule }, change.action),
      el('td', { class: 'tag' }, `${change.tag}${change.path.includes('/') ? ` in ${change.path}` : ''}`),
      el('td', {}, change.name || change.keyword || ''),
      el('td', { 'data-col': 'a' }, change.a ?? ''),
      el('td', { 'data-col': 'b' }, change.b ?? ''),
    );
    table.append(tr);
  }
  const kept = el('details');
  kept.append(el('summary', {}, `${preview.kept.length} elements kept as they are`),
    el('p', {}, preview.kept.map((k) => `${k.tag} ${k.name || k.keyword || ''}`).join(' · ')));
  root.replaceChildren(
    el('h3', {}, `Preview of ${fileName} → ${preview.output}`),
    el('p', { 'data-testid': 'deid-preview-counts' }, counts),
    ...(preview.flags.length ? [el('p', { class: 'export-warning' }, `Flagged for review: ${describeFlags(preview.flags)}`)] : []),
    table, kept,
  );
}
