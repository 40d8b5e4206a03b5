/**
 * The left-hand tree of everything opened: patient → study → series → instance, with counts,
 * series sorted by series number and instances by instance number, each node labelled with
 * modality and description (what is placed where: tree-model.js).
 *
 * Only the rows of instances in and near the view exist in the page: each series' list has the
 * height of all its rows, and the rows shown are placed in it at their position (plus the
 * selected one and the one with the focus, wherever they are). So a folder of 20,000 files
 * costs the page the same per file as one of 20, where laying out and painting every row made
 * each file dearer than the last. Patients, studies and series (a few hundred at most) are
 * all there, brought up to date in place a few times a second at most while files stream in.
 * The keyboard moves through every instance, rendered or not.
 * @module study-tree
 */
import { el } from './views.js';
import { TreeModel, isOpen } from './tree-model.js';

/** @typedef {import('./tree-model.js').TreeEntry} TreeEntry */
/** @typedef {import('./tree-model.js').Group} Group */

/** Shortest time between two updates of the tree while files stream in. */
const RENDER_INTERVAL_MS = 250;
/**
 * An update waits at least this many times as long as the last one took, so that the tree
 * never takes more than a fifth of the page's time.
 */
const RENDER_SPACING = 4;
/**
 * Up to this many rows in unfolded series, all are made: a small folder's tree is whole in the
 * page (cheap at this size), as a user, or a test, finding a row by its text expects.
 */
const WHOLE_TREE_ROWS = 200;
/** Rows made beyond each edge of the view, in views: scrolling shows rows already there. */
const OVERSCAN = 1;
/** A row's height until one is measured (the style sheet sets it in rem). */
const DEFAULT_ROW_PX = 24;
/** The test ids of a patient, a study and a series, by level. */
const GROUP_TEST_IDS = ['', 'tree-patient', 'tree-study', 'tree-series'];

/** @param {number} n @param {string} one @param {string} many */
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * Make ``parent``'s children exactly ``children``, in that order, moving only those out of
 * place: a node moved is laid out again (and loses the focus), so those that go are taken out
 * first and the rows staying, already in order, are never moved.
 * @param {Element} parent
 * @param {Element[]} children
 */
function place(parent, children) {
  const staying = new Set(children);
  for (const child of [...parent.children]) if (!staying.has(child)) child.remove();
  let at = parent.firstElementChild;
  for (const child of children) {
    if (child === at) at = at.nextElementSibling;
    else parent.insertBefore(child, at);
  }
  while (at) {
    const next = at.nextElementSibling;
    at.remove();
    at = next;
  }
}

/**
 * A series' preview canvas, drawn by series-previews.js when it comes into view (a click opens
 * the image shown): the one it has while its instances stay the same, else a new one.
 * @param {HTMLElement} node the series
 * @param {string[]} ids its open instances
 * @returns {?HTMLElement}
 */
function previewOf(node, ids) {
  if (!ids.length) return null;
  const wanted = JSON.stringify(ids);
  const canvas = /** @type {?HTMLElement} */ (node.querySelector(':scope > canvas.series-preview'));
  if (canvas && canvas.getAttribute('data-preview-ids') === wanted) return canvas;
  return el('canvas', {
    class: 'series-preview', 'data-testid': 'series-preview', 'data-preview-ids': wanted,
    // A shortcut for the pointer, hidden from assistive technology: a tree may hold only its
    // items, and the series' rows already open each image by keyboard.
    width: '64', height: '64', 'aria-hidden': 'true', title: 'Preview of this series',
  });
}

/**
 * The label of an instance's row.
 * @param {TreeEntry} s
 */
const rowLabel = (s) => [s.instance.number !== null ? `#${s.instance.number}` : '', s.modality, s.fileName]
  .filter(Boolean).join(' ');

/**
 * A group's summary line: its label and count.
 * @param {Group} g
 * @returns {[string, string]}
 */
function groupText(g) {
  const s = g.first;
  if (g.level === 1) {
    return [`${s.patient.name || '(no name)'}${s.patient.id ? ` · ${s.patient.id}` : ''}`,
      plural(g.children.size, 'study', 'studies')];
  }
  if (g.level === 2) {
    return [[s.study.date, s.study.description].filter(Boolean).join(' ') || '(study)',
      plural(g.children.size, 'series', 'series')];
  }
  const missing = g.size - g.open;
  return [[s.series.number !== null ? `#${s.series.number}` : '', s.modality, s.series.description]
    .filter(Boolean).join(' ') || '(series)',
  plural(g.size, 'instance', 'instances') + (missing ? `, ${missing} not found` : '')];
}

export class StudyTree {
  /**
   * @param {HTMLElement} root the scrolling pane
   * @param {function(string): void} onSelect called with an instance id
   * @param {function(string[]): void} onCompareSeries called with a series' instance ids
   * @param {import('./deid/scope.js').Scope} scope
   * @param {function(string[]): void} [onStudyReport] called with a study's instance ids
   * @param {function(string[]): void} [onClose] called with the ids of a file, series or
   *   study whose close button was pressed (the page closes them, then calls forget)
   */
  constructor(root, onSelect, onCompareSeries, scope, onStudyReport = () => {}, onClose = () => {}) {
    this.root = root;
    this.onSelect = onSelect;
    this.onCompareSeries = onCompareSeries;
    this.onStudyReport = onStudyReport;
    this.onClose = onClose;
    /** what a de-identification takes: ticks on every node, shown with showScope(true) */
    this.scope = scope;
    this.model = new TreeModel();
    /** @type {?string} */
    this.selected = null;
    /** how many times the user chose an instance in the tree (see choose) */
    this.choices = 0;
    this.pending = false;
    /** @type {Promise<unknown>} */
    this.rendered = Promise.resolve();
    this.renderedAt = -Infinity;
    /** how long the last update took, in ms */
    this.renderCost = 0;
    /** @type {Set<string>} keys of groups the user folded */
    this.closed = new Set();
    /** @type {Map<string, HTMLElement>} the groups' nodes, by key */
    this.nodes = new Map();
    /** @type {WeakMap<HTMLElement, string>} what each node's summary line shows */
    this.summaries = new WeakMap();
    /** @type {WeakMap<HTMLElement, number>} the version of its series each node's preview is for */
    this.previewed = new WeakMap();
    /**
     * Whether files are streaming in: a series keeps the preview it has until they are all in
     * (each new one would cost the worker a frame to decode, at every update of a growing
     * series), then the next update makes it again. Set by the page around an opening.
     */
    this.streaming = false;
    /** @type {Map<string, HTMLElement>} the instance rows in the page, by key (see row) */
    this.rows = new Map();
    /** a row's height in px, measured on the first row shown */
    this.rowHeight = 0;
    /** whether ticks may be out of date (they are set only while shown: see showScope) */
    this.ticksStale = false;
    this.fillPending = false;
    root.addEventListener('change', (event) => {
      const box = /** @type {HTMLInputElement} */ (event.target);
      if (box.getAttribute('data-testid') !== 'scope-check') return;
      this.scope.set(this.idsOf(box), box.checked);
      this.showScopeState();
    });
    root.addEventListener('click', (event) => this.clicked(/** @type {HTMLElement} */ (event.target), event));
    root.addEventListener('keydown', (event) => this.keyed(event));
    root.addEventListener('toggle', (event) => {
      const node = /** @type {HTMLDetailsElement} */ (event.target);
      const key = node.getAttribute('data-key') || '';
      if (node.open) this.closed.delete(key); else this.closed.add(key);
      node.querySelector(':scope > summary')?.setAttribute('aria-expanded', String(node.open));
      this.fill();
    }, true);
    // Rows follow the pane's view: scrolled or resized.
    const later = () => this.fillSoon();
    root.addEventListener('scroll', later, { passive: true });
    new ResizeObserver(later).observe(root);
  }

  /** @param {import('./tree-model.js').TreeInstance} instance */
  add(instance) {
    this.model.add(instance);
    this.schedule();
  }

  /**
   * Forget closed instances: their rows go at once (a DICOMDIR's records for them stay, as
   * files not opened). When the selected one is among them, nothing is selected after.
   * @param {string[]} instanceIds
   * @returns {?string} the open instance to show instead of a closed selected one: the next
   *   in the tree, else the one before; null when the selection stays or nothing is left
   */
  forget(instanceIds) {
    const gone = new Set(instanceIds);
    const rows = this.rowIds();
    this.model.forget(gone);
    let next = null;
    if (this.selected !== null && gone.has(this.selected)) {
      const at = rows.indexOf(this.selected);
      const open = (/** @type {string} */ id) => !gone.has(id);
      next = rows.slice(at + 1).find(open) ?? rows.slice(0, Math.max(at, 0)).reverse().find(open) ?? null;
      this.selected = null;
    }
    this.render();
    this.renderedAt = performance.now();
    return next;
  }

  /** @returns {string[]} the ids of the opened instances, in tree order */
  rowIds() {
    this.model.refresh();
    return this.model.order();
  }

  /** Put the keyboard focus on the selected row (after a close took the focused button away). */
  focusSelected() {
    if (this.selected !== null) this.focusRow(this.selected);
  }

  /**
   * Let a DICOMDIR's records shape the tree (files it names may be opened before or after).
   * @param {string} fileName the DICOMDIR's name as opened, e.g. `media/DICOMDIR`
   * @param {import('../shared/protocol.js').DicomdirTree} tree its records (Request.DICOMDIR)
   */
  addDirectory(fileName, tree) {
    this.model.addDirectory(fileName, tree);
    this.schedule();
  }

  /** Update soon, at most a few times a second. */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    /** @type {function(): void} */
    let done = () => {};
    /** resolves once the tree shows every instance added so far */
    this.rendered = new Promise((resolve) => { done = () => resolve(undefined); });
    // While a folder streams in, updating the tree every frame would cost more than opening
    // the files: at most a few times a second, the first one at once.
    const spacing = Math.max(RENDER_INTERVAL_MS, RENDER_SPACING * this.renderCost);
    const wait = Math.max(0, this.renderedAt + spacing - performance.now());
    setTimeout(() => requestAnimationFrame(() => {
      const start = performance.now();
      this.pending = false;
      this.render();
      this.renderedAt = performance.now();
      this.renderCost = this.renderedAt - start;
      done();
    }), wait);
  }

  /**
   * Show or hide the ticks of the de-identification scope.
   * @param {boolean} on
   */
  showScope(on) {
    this.root.classList.toggle('scoping', on);
    if (on && this.ticksStale) this.showScopeState();
  }

  /**
   * Set the ticks from the scope (ticked, unticked, or partly for a mixed group).
   * @param {Iterable<Element>} [ticks] these only (new ones); every tick by default
   */
  showScopeState(ticks) {
    if (!ticks) this.ticksStale = false;
    for (const node of ticks ?? this.root.querySelectorAll('[data-testid=scope-check]')) {
      const box = /** @type {HTMLInputElement} */ (node);
      const state = this.scope.state(this.idsOf(box));
      box.checked = state === 'all';
      box.indeterminate = state === 'some';
    }
  }

  /**
   * The opened instances a tick, a button or a row stands for: its row's, else its group's.
   * @param {Element} node
   * @returns {string[]}
   */
  idsOf(node) {
    const row = node.closest('[data-testid=tree-instance]');
    if (row) return [/** @type {string} */ (row.getAttribute('data-instance-id'))];
    const group = this.model.groups.get(node.closest('details[data-key]')?.getAttribute('data-key') || '');
    return group ? this.model.openIds(group) : [];
  }

  /**
   * A tick for the de-identification scope over a row's or a group's instances.
   * @param {string} label what it ticks, for screen readers
   */
  scopeCheck(label) {
    return el('input', {
      type: 'checkbox', class: 'scope-check', 'data-testid': 'scope-check',
      'aria-label': `Include ${label} in the de-identification`,
    });
  }

  /**
   * The instances in the order the tree lists them, once the pending update is done.
   * @returns {Promise<string[]>}
   */
  async instanceIds() {
    await this.rendered;
    return this.rowIds();
  }

  /** @param {string} instanceId */
  select(instanceId) {
    this.selected = instanceId;
    // The rows marked and the one to mark, not every row: scrolling a long series selects
    // each slice in turn.
    for (const node of this.root.querySelectorAll('[data-testid=tree-instance][aria-selected=true]')) {
      node.setAttribute('aria-selected', 'false');
    }
    const row = this.rowOf(instanceId);
    if (row) row.setAttribute('aria-selected', 'true');
    else this.fillSoon(); // the selected row is kept in the page, wherever it is
    this.onSelect(instanceId);
  }

  /** @param {string} instanceId @returns {?HTMLElement} its row, if in the page */
  rowOf(instanceId) {
    return this.root.querySelector(`[data-testid=tree-instance][data-instance-id="${CSS.escape(instanceId)}"]`);
  }

  /**
   * A button closing a file, a series or a study. Its × is drawn by the style sheet, so that a
   * row's text stays its label; its name is the aria-label. A file's carries its id.
   * @param {'file'|'series'|'study'} what
   * @param {string} [instanceId] the file's
   */
  closeButton(what, instanceId) {
    return el('button', {
      type: 'button', class: 'close', 'data-testid': `close-${what}`,
      ...(instanceId ? { 'data-close-ids': JSON.stringify([instanceId]) } : { 'data-group-action': 'close' }),
      'aria-label': `Close this ${what}`, title: `Close this ${what}: it is forgotten from this tab's memory`,
    });
  }

  /**
   * A click in the tree: a button, a row, a preview.
   * @param {HTMLElement} target
   * @param {Event} event
   */
  clicked(target, event) {
    if (target.getAttribute('data-testid') === 'scope-check') return; // a tick, not a choice
    const action = target.closest('[data-group-action], [data-close-ids]');
    if (action) {
      event.preventDefault(); // in a summary line: act, do not fold
      const ids = this.idsOf(action);
      const what = action.getAttribute('data-group-action') ?? 'close';
      if (what === 'compare') this.onCompareSeries(ids);
      else if (what === 'study-phi') this.onStudyReport(ids);
      else this.onClose(ids);
      return;
    }
    const item = target.closest('[data-testid=tree-instance], [data-testid=series-preview][data-instance-id]');
    if (item) this.choose(/** @type {string} */ (item.getAttribute('data-instance-id')));
  }

  /**
   * The user chose this instance (a click, Enter or Space on its row): counted in `choices`,
   * so that the page does not move away from it afterwards, even if it was already shown.
   * @param {string} instanceId
   */
  choose(instanceId) {
    this.choices++;
    this.select(instanceId);
  }

  /**
   * Keys on a row: Enter or Space shows it; ↑ ↓ move to the row before or after, Home / End
   * to the first or last, through every unfolded series, its rows shown or not.
   * @param {KeyboardEvent} event
   */
  keyed(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    // A tick or a close button inside the row answers its own keys.
    if (target.getAttribute('data-testid') !== 'tree-instance') return;
    const id = /** @type {string} */ (target.getAttribute('data-instance-id'));
    if (event.key === 'Enter' || event.key === ' ') {
      this.choose(id);
    } else if (['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) {
      const order = this.model.order((key) => this.closed.has(key));
      const at = order.indexOf(id);
      const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: order.length - 1 }[event.key];
      if (to !== undefined && to >= 0 && to < order.length) this.focusRow(order[to]);
    } else return;
    event.preventDefault();
  }

  /**
   * Focus an instance's row, made first if it was out of view (focus then scrolls it in).
   * @param {string} instanceId
   */
  focusRow(instanceId) {
    let row = this.rowOf(instanceId);
    if (!row) {
      this.fill(instanceId);
      row = this.rowOf(instanceId);
    }
    // Scrolled just into view, as the arrow keys move through a list (focus alone centres it).
    row?.focus({ preventScroll: true });
    row?.scrollIntoView({ block: 'nearest' });
  }

  /**
   * Bring the tree up to date in place: the groups' nodes are kept by key and their summary
   * lines made again only when what they show changed; then the rows in view are filled in.
   */
  render() {
    this.model.refresh();
    /** @type {HTMLElement[]} ticks made in this update, to be set from the scope */
    const ticks = [];
    /** @type {Set<string>} */
    const kept = new Set();
    /**
     * @param {Group[]} groups
     * @returns {HTMLElement[]}
     */
    const nodes = (groups) => groups.map((group, index) => {
      const node = this.groupNode(group, index, groups.length, ticks);
      kept.add(group.key);
      const children = group.level === 3 ? this.seriesParts(node, group) : nodes(this.model.childrenOf(group));
      place(node, [/** @type {HTMLElement} */ (node.firstElementChild), ...children]);
      return node;
    });
    const patients = nodes([...this.model.patients.values()]);
    // The tree role on an element of its own: the root stays a navigation landmark.
    let tree = /** @type {?HTMLElement} */ (this.root.querySelector(':scope > [role=tree]'));
    if (!tree) {
      tree = el('div', { role: 'tree', 'aria-label': 'Patients, studies, series and instances' });
      this.root.replaceChildren(tree);
    }
    place(tree, patients);
    for (const key of this.nodes.keys()) if (!kept.has(key)) this.nodes.delete(key);
    this.fill(null, ticks);
  }

  /**
   * A series' preview (when it has opened files) and its list of rows.
   * @param {HTMLElement} node
   * @param {Group} series
   * @returns {HTMLElement[]}
   */
  seriesParts(node, series) {
    let list = /** @type {?HTMLElement} */ (node.querySelector(':scope > ul'));
    if (!list) list = el('ul', { role: 'group' });
    let preview = /** @type {?HTMLElement} */ (node.querySelector(':scope > canvas.series-preview'));
    if (this.previewed.get(node) !== series.version && !(this.streaming && preview)) {
      this.previewed.set(node, series.version);
      preview = previewOf(node, this.model.openIds(series));
    }
    return [...(preview ? [preview] : []), list];
  }

  /**
   * The node of a patient, study or series kept from the last update (made if new), with its
   * summary line made again only if what it shows changed.
   * @param {Group} group
   * @param {number} index its place among its siblings
   * @param {number} count its siblings
   * @param {HTMLElement[]} ticks where new ticks are gathered
   * @returns {HTMLElement}
   */
  groupNode(group, index, count, ticks) {
    let details = /** @type {HTMLDetailsElement|undefined} */ (this.nodes.get(group.key));
    if (!details) {
      details = /** @type {HTMLDetailsElement} */ (el('details', {
        'data-testid': GROUP_TEST_IDS[group.level], 'data-key': group.key,
      }));
      details.open = !this.closed.has(group.key);
      this.nodes.set(group.key, details);
    }
    const [label, counted] = groupText(group);
    const shows = `${label}\u0000${counted}\u0000${group.open}\u0000${index}\u0000${count}`;
    if (this.summaries.get(details) !== shows) {
      this.summaries.set(details, shows);
      // A tree node for assistive technology: the summary line is the item, its details the group.
      const summary = el('summary', {
        role: 'treeitem', 'aria-expanded': String(details.open), 'aria-level': String(group.level),
        'aria-setsize': String(count), 'aria-posinset': String(index + 1),
      });
      const what = ['', 'patient', 'study', 'series'][group.level];
      if (group.open) {
        const tick = this.scopeCheck(`this ${what}`);
        ticks.push(tick);
        summary.append(tick);
      }
      summary.append(el('span', { class: 'label' }, label), el('span', { class: 'count' }, counted));
      if (group.level === 2 && group.open) {
        summary.append(el('button', {
          type: 'button', class: 'link', 'data-testid': 'study-phi-report', 'data-group-action': 'study-phi',
        }, 'PHI report'));
      }
      if (group.level === 3 && group.open > 1) {
        summary.append(el('button', {
          type: 'button', class: 'link', 'data-testid': 'series-compare', 'data-group-action': 'compare',
        }, 'what varies'));
      }
      if (group.level > 1 && group.open) summary.append(this.closeButton(/** @type {'study'|'series'} */ (what)));
      const old = details.querySelector(':scope > summary');
      if (old) old.replaceWith(summary); else details.prepend(summary);
    }
    return details;
  }

  /** Fill the rows in view at the next frame (once, however many times asked). */
  fillSoon() {
    if (this.fillPending) return;
    this.fillPending = true;
    requestAnimationFrame(() => {
      this.fillPending = false;
      this.fill();
    });
  }

  /**
   * Put in each unfolded series the rows in and near the view, the selected one, the focused
   * one and ``also``, and take the others out. Sizes are set first and positions read in one
   * go after, so the page is laid out once, not once per series.
   * @param {?string} [also] an instance whose row must be made (to be focused)
   * @param {HTMLElement[]} [ticks] ticks made by the update calling, to be set with the new rows'
   */
  fill(also = null, ticks = []) {
    const height = this.rowHeight || DEFAULT_ROW_PX;
    const focused = document.activeElement?.closest('[data-testid=tree-instance]')?.getAttribute('data-instance-id');
    /** @type {Map<Group, number[]>} the rows that must be made wherever they are, by series */
    const wanted = new Map();
    for (const id of new Set([this.selected, focused, also])) {
      const series = id ? this.model.seriesOf.get(id) : undefined;
      const index = series ? series.entries.findIndex((s) => s.instanceId === id) : -1;
      if (series && index >= 0) wanted.set(series, [...(wanted.get(series) ?? []), index]);
    }
    /** @type {Array<{series: Group, list: HTMLElement}>} */
    const shown = [];
    let rows = 0;
    for (const { series, unfolded } of this.model.series((key) => this.closed.has(key))) {
      const list = /** @type {?HTMLElement} */ (this.nodes.get(series.key)?.querySelector(':scope > ul'));
      if (!list) continue;
      if (unfolded) {
        list.style.height = `${series.entries.length * height}px`;
        shown.push({ series, list });
        rows += series.entries.length;
      } else if (list.firstElementChild) place(list, []);
    }
    // The pane's own view, wherever the page is scrolled (the rows stay there meanwhile); a
    // pane taller than the window (none is, in the layouts) counts as the window's height.
    const pane = this.root.getBoundingClientRect();
    const top = pane.top;
    const bottom = top + Math.min(pane.height, window.innerHeight);
    const margin = OVERSCAN * (bottom - top);
    const whole = rows <= WHOLE_TREE_ROWS;
    const tops = whole ? [] : shown.map(({ list }) => list.getBoundingClientRect().top);
    /** @type {Set<string>} */
    const kept = new Set();
    shown.forEach(({ series, list }, n) => {
      const entries = series.entries;
      const from = whole ? 0 : Math.max(0, Math.floor((top - margin - tops[n]) / height));
      const to = whole ? entries.length : Math.min(entries.length, Math.ceil((bottom + margin - tops[n]) / height));
      /** @type {number[]} */
      const indexes = [];
      for (let i = from; i < to; i++) indexes.push(i);
      const extra = (wanted.get(series) ?? []).filter((i) => i < from || i >= to);
      if (extra.length) {
        indexes.push(...extra);
        indexes.sort((a, b) => a - b);
      }
      place(list, indexes.map((i) => this.row(entries[i], i, entries.length, height, kept, ticks)));
    });
    for (const key of this.rows.keys()) if (!kept.has(key)) this.rows.delete(key);
    this.measure();
    if (this.root.classList.contains('scoping')) this.showScopeState(ticks);
    else if (ticks.length) this.ticksStale = true;
  }

  /** Measure a row once one is laid out; fill again if rows were placed at another height. */
  measure() {
    if (this.rowHeight) return;
    const row = this.root.querySelector('li[role=treeitem]');
    const height = row ? row.getBoundingClientRect().height : 0;
    if (!height) return;
    this.rowHeight = height;
    if (height !== DEFAULT_ROW_PX) this.fill();
  }

  /**
   * An instance's row, kept from the last fill when it shows the same, at its place.
   * @param {TreeEntry} s
   * @param {number} index its place in its series
   * @param {number} count the instances of its series
   * @param {number} height a row's
   * @param {Set<string>} kept where the keys of the rows in the page are gathered
   * @param {HTMLElement[]} ticks where new ticks are gathered
   */
  row(s, index, count, height, kept, ticks) {
    const label = rowLabel(s);
    const open = isOpen(s);
    const key = `${open ? s.instanceId : ''}\u0000${s.damaged ? 'd' : ''}\u0000${label}`;
    let item = this.rows.get(key);
    if (!item) {
      if (!open) {
        // Named by a DICOMDIR but not among the opened files: shown, not selectable.
        item = el('li', {
          'data-testid': 'tree-missing', class: 'missing', role: 'treeitem',
          'aria-disabled': 'true', title: 'The DICOMDIR names this file, but it was not opened.',
        }, label);
        item.append(el('span', { class: 'badge missing', 'data-testid': 'missing-marker' }, 'not found'));
      } else {
        const id = /** @type {string} */ (s.instanceId);
        item = el('li', {
          'data-testid': 'tree-instance', 'data-instance-id': id, tabindex: '0',
          role: 'treeitem', 'aria-selected': String(id === this.selected), title: label,
        }, label);
        if (s.damaged) {
          item.classList.add('damaged');
          item.append(el('span', { class: 'badge damaged', 'data-testid': 'damaged-marker' }, 'damaged'));
        }
        // A damaged file's tick counts only when damaged files are allowed (the panel says so).
        const tick = this.scopeCheck(s.damaged ? 'this damaged file' : 'this instance');
        ticks.push(tick);
        item.prepend(tick);
        item.append(this.closeButton('file', id));
      }
      item.setAttribute('aria-level', '4');
      this.rows.set(key, item);
    }
    // The flat position, for assistive technology: most of the series' rows are not in the page.
    if (item.getAttribute('aria-posinset') !== String(index + 1)) item.setAttribute('aria-posinset', String(index + 1));
    if (item.getAttribute('aria-setsize') !== String(count)) item.setAttribute('aria-setsize', String(count));
    const at = `${index * height}px`;
    if (item.style.top !== at) item.style.top = at;
    kept.add(key);
    return item;
  }
}
