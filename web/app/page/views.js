/**
 * Rendering of the page's parts. Every value from a file is set as text (textContent), never
 * parsed as HTML: a patient name can hold markup and must stay inert.
 * @module views
 */

/**
 * Create an element with text content and attributes.
 * @param {string} tag
 * @param {Object<string, string>} [attributes]
 * @param {?string|number} [text]
 * @returns {HTMLElement}
 */
export function el(tag, attributes = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== null && text !== undefined) node.textContent = String(text);
  return node;
}

/**
 * Set a node's text only when it differs: the same text written again is still a new text
 * node to style, lay out and paint (each image of a scrolled series writes the viewer's).
 * @param {HTMLElement} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Show or hide a node only when that changes (writing `hidden` again restyles the node).
 * @param {HTMLElement} node
 * @param {boolean} hidden
 */
export function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/**
 * Set a form control's value, or one of its attributes, only when it differs: the browser
 * treats each write to a form control as a change of the page's forms (its form tracking
 * then looks the page over), which costs on every image of a scrolled series.
 * @param {HTMLInputElement|HTMLSelectElement} control
 * @param {'value'|'max'} property
 * @param {string} value
 */
export function setControl(control, property, value) {
  if (/** @type {any} */ (control)[property] !== value) /** @type {any} */ (control)[property] = value;
}

/** @param {?number} bytes */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The fields shown for an instance, in order: [label, value].
 * @param {import('../shared/protocol.js').InstanceSummary} s
 * @returns {Array<[string, ?string]>}
 */
function summaryFields(s) {
  const image = s.rows ? `${s.columns} × ${s.rows}, ${s.frames} frame${s.frames === 1 ? '' : 's'}` : 'no image';
  return [
    ['Patient', s.patient.name],
    ['Patient ID', s.patient.id],
    ['Modality', s.modality],
    ['Study date', s.study.date],
    ['Study', s.study.description],
    ['Series', s.series.number === null ? s.series.description
      : `#${s.series.number}${s.series.description ? ` ${s.series.description}` : ''}`],
    ['Instance', s.instance.number === null ? null : `#${s.instance.number}`],
    ['SOP class', s.sopClass.name || s.sopClass.uid],
    ['Transfer syntax', s.transferSyntax.name || s.transferSyntax.uid],
    ['Image', image],
    ['File size', formatBytes(s.fileSize)],
    ['Study UID', s.study.uid],
    ['Series UID', s.series.uid],
    ['SOP Instance UID', s.instance.uid],
  ];
}

/**
 * One opened instance as a list item.
 * @param {import('../shared/protocol.js').InstanceSummary} summary
 * @returns {HTMLElement}
 */
export function instanceItem(summary) {
  const item = el('li', { class: 'instance', 'data-testid': 'instance', 'data-instance-id': summary.instanceId });
  item.append(el('h3', { class: 'file-name' }, summary.fileName));
  const list = el('dl');
  for (const [label, value] of summaryFields(summary)) {
    list.append(el('dt', {}, label), el('dd', { 'data-field': label }, value ?? '–'));
  }
  item.append(list);
  for (const note of summary.notes) item.append(el('p', { class: 'note' }, note));
  return item;
}

/**
 * A file that could not be opened.
 * @param {string} message user-facing, names the file
 * @returns {HTMLElement}
 */
export function problemItem(message) {
  const item = el('li', { 'data-testid': 'problem' }, message);
  // No text of its own (its mark is drawn by CSS): the item's text stays the message.
  const dismiss = el('button', {
    type: 'button', class: 'dismiss', 'data-testid': 'problem-dismiss',
    'aria-label': 'Dismiss this message', title: 'Dismiss this message',
  });
  dismiss.addEventListener('click', () => item.remove());
  item.append(dismiss);
  return item;
}

/**
 * The privacy status line's words for the current counts. The app's own files fetched on
 * first use (pdf.js for a first PDF) are named apart from the count: they are the site's
 * unchanged files, not requests that could carry anything from this tab.
 * @param {{sinceLoaded: ?number, ownFilesSinceLoaded?: ?number, crossOrigin: number, blocked?: number}} counts
 * @param {string} offline 'ready' | 'unsupported' | 'failed' | 'pending'
 */
export function privacyText(counts, offline) {
  if (counts.sinceLoaded === null) return 'Loading the app from this site…';
  const own = counts.ownFilesSinceLoaded || 0;
  const n = counts.sinceLoaded - own;
  let text = `Processed in this tab — ${n} network request${n === 1 ? '' : 's'} since the app loaded`;
  if (own > 0) text += `, apart from ${own} of its own files loaded on first use`;
  if (counts.crossOrigin > 0) {
    text += `; WARNING: ${counts.crossOrigin} request${counts.crossOrigin === 1 ? '' : 's'} went to another site`;
  }
  const blocked = counts.blocked || 0;
  if (blocked > 0) {
    text += `; ${blocked} request${blocked === 1 ? '' : 's'} to another site blocked by the page's security policy (not sent)`;
  }
  if (offline === 'ready') text += ' · works offline';
  return text;
}
