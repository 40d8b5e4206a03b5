/**
 * The tag tree of one instance as a table: tag, name/keyword, VR, VM, length, value, Basic
 * Profile action and PHI flags. Sequences and items fold; the keyboard moves through visible
 * rows (Up/Down, Home/End), Right/Enter expand, Left collapses or goes to the parent.
 * Every value is set as text.
 * @module inspector/tag-table
 */
import { el } from '../views.js';

/** @typedef {import('../../shared/protocol.js').TagRow} TagRow */

/** @param {TagRow} row */
function nameText(row) {
  if (row.kind === 'item') return `Item ${row.number}`;
  if (row.kind === 'problem') return 'Parsing stopped here';
  return row.keyword && row.keyword !== row.name ? `${row.name} · ${row.keyword}` : (row.name || '');
}

/** @param {TagRow} row */
function valueText(row) {
  if (row.kind === 'problem') return row.message || '';
  if (row.kind === 'sequence') return `${row.items} item${row.items === 1 ? '' : 's'}`;
  if (row.kind === 'item') return `${row.elements} element${row.elements === 1 ? '' : 's'}`;
  if (row.binary) return `${row.size ?? row.length} bytes: ${row.value}${row.truncated ? ' …' : ''}`;
  return row.value ?? '';
}

/** Rows shown at once, and then added each frame: a screenful, 5-20 ms of layout (measured). */
const VISIBLE_ROWS_A_FRAME = 40;

export class TagTable {
  /**
   * @param {HTMLTableSectionElement} body the <tbody>
   * @param {function(string): Promise<string>} fullValue fetches an element's whole value
   */
  constructor(body, fullValue) {
    this.body = body;
    this.fullValue = fullValue;
    /** @type {TagRow[]} */
    this.rows = [];
    /** @type {Map<string, HTMLTableRowElement>} */
    this.byPath = new Map();
    /** @type {Set<string>} expanded sequence/item paths */
    this.expanded = new Set();
    /** @type {?HTMLTableRowElement} */
    this.active = null;
    /** How many of `rows` are in the table so far. */
    this.added = 0;
    /** The animation frame that adds the next rows (0: none). */
    this.pending = 0;
    /** @type {?function(boolean): void} settles the last render's promise while rows remain */
    this.superseded = null;
    body.addEventListener('click', (event) => this.click(event));
    body.addEventListener('keydown', (event) => this.key(event));
  }

  /**
   * Show these rows: the first screenful at once, the rest a frame at a time, so that a long
   * table (a CT has ~270 rows: ~2,000 cells to lay out, 30-50 ms) never holds up a frame while
   * a folder is still opening. Anything that needs every row (search, folding, keys) calls
   * `complete` first, which adds the rest at once.
   * @param {TagRow[]} rows
   * @returns {Promise<boolean>} resolves once every row is in; false if another render or a
   *   close replaced these rows first
   */
  render(rows) {
    this.rows = rows;
    this.byPath.clear();
    this.expanded.clear();
    this.active = null;
    this.added = 0;
    cancelAnimationFrame(this.pending);
    this.body.replaceChildren();
    this.superseded?.(false);
    this.superseded = null;
    // A hidden page draws no frames: nothing to keep smooth, so every row at once.
    this.addRows(document.hidden ? Infinity : VISIBLE_ROWS_A_FRAME);
    const first = /** @type {?HTMLTableRowElement} */ (this.body.querySelector('tr'));
    if (first) first.tabIndex = 0;
    if (this.added === rows.length) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.superseded = resolve;
      const next = () => {
        if (this.superseded !== resolve) return; // replaced, or completed at once
        this.addRows(VISIBLE_ROWS_A_FRAME);
        if (this.added < this.rows.length) { this.pending = requestAnimationFrame(next); return; }
        this.superseded = null;
        resolve(true);
      };
      this.pending = requestAnimationFrame(next);
    });
  }

  /** Add every row not added yet, at once: for whatever needs the whole table. */
  complete() {
    if (this.added === this.rows.length) return;
    cancelAnimationFrame(this.pending);
    this.addRows(Infinity);
    const resolve = this.superseded;
    this.superseded = null;
    resolve?.(true);
  }

  /**
   * Append the next rows, up to `visible` of them shown (rows folded inside a sequence cost
   * no layout, so they do not count).
   * @param {number} visible
   */
  addRows(visible) {
    const fragment = document.createDocumentFragment();
    let shown = 0;
    while (this.added < this.rows.length && shown < visible) {
      const tr = this.rowElement(this.rows[this.added]);
      this.added += 1;
      if (!tr.hidden) shown += 1;
      fragment.append(tr);
    }
    this.body.append(fragment);
  }

  /**
   * @param {TagRow} row
   * @returns {HTMLTableRowElement}
   */
  rowElement(row) {
    const tr = /** @type {HTMLTableRowElement} */ (el('tr', {
      'data-testid': 'tag-row', 'data-kind': row.kind, 'data-tag': row.tag,
      'aria-level': String(row.depth + 1), tabindex: '-1',
    }));
    if (row.path) { tr.dataset.path = row.path; this.byPath.set(row.path, tr); }
    if (row.parent) tr.dataset.parent = row.parent;
    if (row.keyword) tr.dataset.keyword = row.keyword;
    const folds = row.kind === 'sequence' || row.kind === 'item';
    if (folds) tr.setAttribute('aria-expanded', 'false');
    const flags = [];
    if (row.phi?.identifying) { tr.classList.add('identifying'); flags.push('may identify'); }
    if (row.private) { tr.classList.add('private'); flags.push(row.isPrivateCreator ? 'private creator' : 'private'); }
    if (row.phi?.category === 'free-text') flags.push('free text');
    if (row.damaged || row.kind === 'problem') { tr.classList.add('damaged'); flags.push('damaged'); }
    if (row.meta) tr.classList.add('meta');
    const tagCell = el('td', { class: 'tag' });
    tagCell.style.paddingLeft = `${0.3 + row.depth * 1.2}rem`;
    if (folds) tagCell.append(el('span', { class: 'twisty', 'aria-hidden': 'true' }));
    tagCell.append(document.createTextNode(row.kind === 'problem'
      ? `${row.tag} @ byte ${row.offset}` : row.tag));
    const value = el('td', { class: 'value', 'data-col': 'value' }, valueText(row));
    if (row.truncated && !row.binary) value.append(' …');
    if (row.truncated) {
      value.append(el('button', { type: 'button', class: 'link', 'data-testid': 'show-all' }, 'show all'));
    }
    if (row.note) value.append(el('span', { class: 'note' }, ` (${row.note})`));
    tr.append(
      tagCell,
      el('td', { 'data-col': 'name' }, nameText(row)),
      el('td', { 'data-col': 'vr' }, row.vr ?? ''),
      el('td', { 'data-col': 'vm' }, row.vm ?? ''),
      el('td', { 'data-col': 'length' }, row.length ?? ''),
      value,
      el('td', { 'data-col': 'action', title: 'Basic Profile action (PS3.15 Table E.1-1)' }, row.phi?.action ?? ''),
      el('td', { 'data-col': 'flags' }, flags.join(', ')),
    );
    // Folded inside its sequence until opened; `expanded` was cleared with the last render.
    tr.hidden = Boolean(row.parent);
    return tr;
  }

  /**
   * Show or hide the children of a foldable row, recursively respecting their own state.
   * @param {string} path
   * @param {boolean} open
   */
  setExpanded(path, open) {
    this.complete();
    const tr = this.byPath.get(path);
    if (!tr || !tr.hasAttribute('aria-expanded')) return;
    if (open) this.expanded.add(path); else this.expanded.delete(path);
    tr.setAttribute('aria-expanded', String(open));
    this.refreshVisibility();
  }

  refreshVisibility() {
    this.complete();
    for (const tr of this.body.rows) {
      const parent = tr.dataset.parent;
      if (!parent) continue;
      const parentRow = this.byPath.get(parent);
      tr.hidden = !this.expanded.has(parent) || Boolean(parentRow && parentRow.hidden);
    }
  }

  /** Expand the given containers (e.g. to reach a search match). @param {string[]} paths */
  expandAll(paths) {
    this.complete();
    for (const path of paths) {
      this.expanded.add(path);
      this.byPath.get(path)?.setAttribute('aria-expanded', 'true');
    }
    this.refreshVisibility();
  }

  /** @param {Set<string>} paths rows to mark as matches (others unmarked) */
  highlight(paths) {
    this.complete();
    for (const tr of this.body.rows) {
      const match = paths.has(tr.dataset.path || '');
      tr.classList.toggle('match', match);
      if (match) tr.setAttribute('data-match', ''); else tr.removeAttribute('data-match');
    }
  }

  /** @param {HTMLTableRowElement} tr */
  focusRow(tr) {
    if (this.active) this.active.tabIndex = -1;
    for (const row of this.body.querySelectorAll('tr[aria-selected]')) row.removeAttribute('aria-selected');
    this.active = tr;
    tr.tabIndex = 0;
    tr.setAttribute('aria-selected', 'true');
    tr.focus();
  }

  /** @returns {?TagRow} the selected row's data */
  selectedRow() {
    const path = this.active?.dataset.path;
    return this.rows.find((row) => row.path === path) || null;
  }

  /** @param {MouseEvent} event */
  async click(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    const tr = /** @type {?HTMLTableRowElement} */ (target.closest('tr'));
    if (!tr) return;
    if (target.matches('[data-testid=show-all]')) {
      const cell = /** @type {HTMLElement} */ (tr.querySelector('[data-col=value]'));
      cell.textContent = await this.fullValue(tr.dataset.path || '');
      cell.classList.add('full');
      return;
    }
    this.focusRow(tr);
    if (tr.hasAttribute('aria-expanded') && tr.dataset.path) {
      this.setExpanded(tr.dataset.path, tr.getAttribute('aria-expanded') !== 'true');
    }
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    const tr = /** @type {?HTMLTableRowElement} */ ((/** @type {HTMLElement} */ (event.target)).closest('tr'));
    if (!tr) return;
    this.complete();
    const visible = Array.from(this.body.rows).filter((row) => !row.hidden);
    const index = visible.indexOf(tr);
    const path = tr.dataset.path || '';
    const foldable = tr.hasAttribute('aria-expanded');
    const open = tr.getAttribute('aria-expanded') === 'true';
    let next = null;
    switch (event.key) {
      case 'ArrowDown': next = visible[index + 1]; break;
      case 'ArrowUp': next = visible[index - 1]; break;
      case 'Home': next = visible[0]; break;
      case 'End': next = visible[visible.length - 1]; break;
      case 'ArrowRight':
        if (foldable && !open) this.setExpanded(path, true);
        else if (foldable) next = visible[index + 1];
        break;
      case 'Enter':
        if (foldable) this.setExpanded(path, !open);
        break;
      case 'ArrowLeft':
        if (foldable && open) this.setExpanded(path, false);
        else if (tr.dataset.parent) next = this.byPath.get(tr.dataset.parent);
        break;
      default: return;
    }
    event.preventDefault();
    if (next) this.focusRow(next);
  }
}
