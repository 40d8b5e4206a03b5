/**
 * The left-hand tree of everything opened: patient → study → series → instance, with counts,
 * series sorted by series number and instances by instance number, each node labelled with
 * modality and description. Brought up to date in place (new rows added, counts changed) a
 * few times a second at most while files stream in.
 *
 * A DICOMDIR opened with its files shapes the tree: its records give the patients, studies,
 * series and instances and their labels, and each record is linked to the opened file at its
 * Referenced File ID (relative to the DICOMDIR's folder, compared ignoring case). Records
 * whose file was not opened show as "not found"; opened files no DICOMDIR names are grouped
 * from their own headers, as without a DICOMDIR.
 * @module study-tree
 */
import { el } from './views.js';

/**
 * @typedef {import('../shared/protocol.js').InstanceSummary} TreeInstance
 */

/**
 * An instance as the tree places it: an opened file, or a DICOMDIR record (linked to the
 * opened file it names, or `missing`). `groups` holds the study and series keys of records
 * without a UID. A missing record has no `geometry`.
 * @typedef {Omit<TreeInstance, 'instanceId'|'geometry'|'dicomdir'|'downloadName'> & {instanceId: ?string,
 *   geometry?: TreeInstance['geometry'], missing?: boolean,
 *   groups?: {study: string, series: string}}} TreeEntry
 */

/**
 * @typedef {Object} Directory
 * @property {string} fileName  the DICOMDIR's name as opened (its folder is the base of paths)
 * @property {import('../shared/protocol.js').DicomdirTree} tree
 */

/** Shortest time between two rebuilds of the tree while files stream in. */
const RENDER_INTERVAL_MS = 250;
/**
 * A rebuild waits at least this many times as long as the last one took: a rebuild costs in
 * proportion to the instances shown, so at a fixed interval a folder of thousands would spend
 * ever more of the page's time rebuilding (quadratic in all) and starve the opening itself.
 * So the tree takes at most a fifth of the page's time, however large it grows.
 */
const RENDER_SPACING = 4;

/** @param {?number} a @param {?number} b */
const byNumber = (a, b) => (a ?? Infinity) - (b ?? Infinity);

/** @param {string} name @returns {string} the folder part of a relative path, with its '/' */
const folderOf = (name) => name.slice(0, name.lastIndexOf('/') + 1);

/**
 * Which DICOMDIR names a file when several in one folder do (pydicom's test folder has
 * variants side by side): one with the standard name first (the core says which), then by
 * name. The order files were opened in does not matter.
 * @param {Directory} a @param {Directory} b
 */
function byPriority(a, b) {
  const rank = (/** @type {Directory} */ d) => (d.tree.standardName ? 0 : 1);
  return rank(a) - rank(b) || (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0);
}

/**
 * @template T
 * @param {Map<string, T[]>} map
 * @param {string} key
 * @param {T} value
 */
function push(map, key, value) {
  if (!map.has(key)) map.set(key, []);
  /** @type {T[]} */ (map.get(key)).push(value);
}

/**
 * The ids of the opened instances among these entries (not DICOMDIR records without a file).
 * @param {TreeEntry[]} entries
 * @returns {string[]}
 */
function openIds(entries) {
  return entries.filter((s) => !s.missing && s.instanceId !== null)
    .map((s) => /** @type {string} */ (s.instanceId));
}

/**
 * Make ``parent``'s children exactly ``children``, in that order, moving only those out of
 * place: a node moved is laid out again, so the rows already in place stay where they are.
 * @param {Element} parent
 * @param {Element[]} children
 */
function place(parent, children) {
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

export class StudyTree {
  /**
   * @param {HTMLElement} root
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
    /** @type {TreeInstance[]} */
    this.instances = [];
    /** @type {Directory[]} DICOMDIRs whose records shape the tree */
    this.directories = [];
    /** @type {?string} */
    this.selected = null;
    this.pending = false;
    /** @type {Promise<unknown>} */
    this.rendered = Promise.resolve();
    this.renderedAt = -Infinity;
    /** how long the last rebuild took, in ms */
    this.renderCost = 0;
    /** @type {Set<string>} keys of nodes the user closed */
    this.closed = new Set();
    /** @type {Map<string, HTMLElement>} the nodes and rows shown, by key (see render) */
    this.shown = new Map();
    /** @type {WeakMap<HTMLElement, string>} what each node's summary line shows */
    this.summaries = new WeakMap();
    root.addEventListener('change', (event) => {
      const box = /** @type {HTMLInputElement} */ (event.target);
      if (box.getAttribute('data-testid') !== 'scope-check') return;
      this.scope.set(JSON.parse(box.getAttribute('data-scope-ids') || '[]'), box.checked);
      this.showScopeState();
    });
    root.addEventListener('click', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      if (target.getAttribute('data-testid') === 'scope-check') return; // a tick, not a choice
      const compare = target.closest('[data-compare-series]');
      if (compare) {
        event.preventDefault();
        this.onCompareSeries(JSON.parse(compare.getAttribute('data-compare-series') || '[]'));
        return;
      }
      const close = target.closest('[data-close-ids]');
      if (close) {
        event.preventDefault(); // in a summary line: close, do not fold
        this.onClose(JSON.parse(close.getAttribute('data-close-ids') || '[]'));
        return;
      }
      const report = target.closest('[data-study-phi]');
      if (report) {
        event.preventDefault();
        this.onStudyReport(JSON.parse(report.getAttribute('data-study-phi') || '[]'));
        return;
      }
      const item = target.closest('[data-testid=tree-instance], [data-testid=series-preview][data-instance-id]');
      if (item) this.select(/** @type {string} */ (item.getAttribute('data-instance-id')));
    });
    root.addEventListener('keydown', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      const item = target.closest('[data-testid=tree-instance]');
      // A tick or a close button inside the row answers its own keys.
      if (!item || target !== item) return;
      const items = Array.from(root.querySelectorAll('[data-testid=tree-instance]'))
        .filter((node) => /** @type {HTMLElement} */ (node).offsetParent !== null);
      const index = items.indexOf(item);
      if (event.key === 'Enter' || event.key === ' ') {
        this.select(/** @type {string} */ (item.getAttribute('data-instance-id')));
      } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        /** @type {HTMLElement|undefined} */ (items[index + (event.key === 'ArrowDown' ? 1 : -1)])?.focus();
      } else return;
      event.preventDefault();
    });
    root.addEventListener('toggle', (event) => {
      const node = /** @type {HTMLDetailsElement} */ (event.target);
      const key = node.getAttribute('data-key') || '';
      if (node.open) this.closed.delete(key); else this.closed.add(key);
      node.querySelector(':scope > summary')?.setAttribute('aria-expanded', String(node.open));
    }, true);
  }

  /** @param {TreeInstance} instance */
  add(instance) {
    this.instances.push(instance);
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
    this.instances = this.instances.filter((s) => !gone.has(s.instanceId));
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

  /** @returns {string[]} the ids of the instance rows, in tree order */
  rowIds() {
    return Array.from(this.root.querySelectorAll('[data-testid=tree-instance]'),
      (node) => /** @type {string} */ (node.getAttribute('data-instance-id')));
  }

  /** Put the keyboard focus on the selected row (after a close took the focused button away). */
  focusSelected() {
    const row = this.root.querySelector('[data-testid=tree-instance][aria-selected=true]');
    if (row) /** @type {HTMLElement} */ (row).focus();
  }

  /**
   * Let a DICOMDIR's records shape the tree (files it names may be opened before or after).
   * @param {string} fileName the DICOMDIR's name as opened, e.g. `media/DICOMDIR`
   * @param {import('../shared/protocol.js').DicomdirTree} tree its records (Request.DICOMDIR)
   */
  addDirectory(fileName, tree) {
    this.directories.push({ fileName, tree });
    this.schedule();
  }

  /** Rebuild soon, at most a few times a second. */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    /** @type {function(): void} */
    let done = () => {};
    /** resolves once the tree shows every instance added so far */
    this.rendered = new Promise((resolve) => { done = () => resolve(undefined); });
    // While a folder streams in, rebuilding the tree every frame would cost more than opening
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
  }

  /**
   * Set the ticks from the scope (ticked, unticked, or partly for a mixed group).
   * @param {Iterable<Element>} [ticks] these only (new ones); every tick by default
   */
  showScopeState(ticks = this.root.querySelectorAll('[data-testid=scope-check]')) {
    for (const node of ticks) {
      const box = /** @type {HTMLInputElement} */ (node);
      const state = this.scope.state(JSON.parse(box.getAttribute('data-scope-ids') || '[]'));
      box.checked = state === 'all';
      box.indeterminate = state === 'some';
    }
  }

  /**
   * A tick for the de-identification scope over these instances.
   * @param {string[]} instanceIds
   * @param {string} label what it ticks, for screen readers
   */
  scopeCheck(instanceIds, label) {
    return el('input', {
      type: 'checkbox', class: 'scope-check', 'data-testid': 'scope-check',
      'data-scope-ids': JSON.stringify(instanceIds), 'aria-label': `Include ${label} in the de-identification`,
    });
  }

  /**
   * The instances in the order the tree lists them, once the pending rebuild is done (not
   * rebuilt again for this: a folder of thousands takes a while).
   * @returns {Promise<string[]>}
   */
  async instanceIds() {
    await this.rendered;
    return [...this.root.querySelectorAll('[data-testid=tree-instance]')]
      .map((node) => /** @type {string} */ (node.getAttribute('data-instance-id')));
  }

  /** @param {string} instanceId */
  select(instanceId) {
    this.selected = instanceId;
    // The rows marked and the one to mark, not every row: scrolling a long series selects
    // each slice in turn.
    for (const node of this.root.querySelectorAll('[data-testid=tree-instance][aria-selected=true]')) {
      node.setAttribute('aria-selected', 'false');
    }
    this.root.querySelector(`[data-testid=tree-instance][data-instance-id="${CSS.escape(instanceId)}"]`)
      ?.setAttribute('aria-selected', 'true');
    this.onSelect(instanceId);
  }

  /**
   * A button closing these instances (a file, a series or a study). Its × is drawn by the
   * style sheet, so that a row's text stays its label; its name is the aria-label.
   * @param {string[]} instanceIds
   * @param {'file'|'series'|'study'} what
   */
  closeButton(instanceIds, what) {
    return el('button', {
      type: 'button', class: 'close', 'data-testid': `close-${what}`,
      'data-close-ids': JSON.stringify(instanceIds), 'aria-label': `Close this ${what}`,
      title: `Close this ${what}: it is forgotten from this tab's memory`,
    });
  }

  /**
   * Every instance to show: the DICOMDIRs' records first (linked to the opened files they
   * name, or missing), then the opened files no DICOMDIR names.
   * @returns {TreeEntry[]}
   */
  entries() {
    /** @type {Map<string, TreeInstance>} */
    const byPath = new Map();
    for (const s of this.instances) {
      const key = s.fileName.toLowerCase();
      if (!byPath.has(key)) byPath.set(key, s);
    }
    /** @type {Set<TreeInstance>} */
    const placed = new Set();
    /** @type {Set<string>} */
    const named = new Set();
    /** @type {TreeEntry[]} */
    const out = [];
    for (const { fileName, tree } of [...this.directories].sort(byPriority)) {
      const base = folderOf(fileName);
      for (const p of tree.patients) {
        for (const st of p.studies) {
          for (const se of st.series) {
            for (const record of se.instances) {
              // No path: the core refused the record's file ID (it leaves the folder).
              const path = record.path === null ? '(invalid file ID)' : base + record.path;
              const key = path.toLowerCase();
              if (record.path !== null) {
                if (named.has(key)) continue; // named by a DICOMDIR before this one
                named.add(key);
              }
              const found = record.path === null ? undefined : byPath.get(key);
              if (found) placed.add(found);
              out.push({
                ...(found || {
                  fileName: path, sopClass: { uid: record.sopClassUid, name: null },
                  transferSyntax: { uid: null, name: null }, rows: null, columns: null,
                  frames: 0, fileSize: 0, hasFileMeta: false, notes: [], damaged: false,
                }),
                instanceId: found ? found.instanceId : null,
                missing: !found,
                patient: { name: p.name, id: p.id, birthDate: null, sex: null },
                study: {
                  uid: st.uid, date: st.date, description: st.description,
                  accessionNumber: st.accessionNumber,
                },
                series: { uid: se.uid, number: se.number, description: se.description },
                instance: {
                  uid: record.sopInstanceUid ?? found?.instance.uid ?? null,
                  number: record.number ?? found?.instance.number ?? null,
                },
                modality: se.modality ?? found?.modality ?? null,
                groups: { study: `${fileName}#${st.key}`, series: `${fileName}#${se.key}` },
              });
            }
          }
        }
      }
    }
    for (const s of this.instances) if (!placed.has(s)) out.push(s);
    return out;
  }

  /**
   * Bring the tree up to date in place: nodes and rows are kept by key and only those whose
   * content changed are made again, so a folder streaming in adds its new rows and changes a
   * few counts rather than rebuilding (and re-laying out) thousands of rows each time.
   */
  render() {
    /** @type {Map<string, TreeEntry[]>} */
    const patients = new Map();
    for (const s of this.entries()) push(patients, `${s.patient.id ?? ''}\u0000${s.patient.name ?? ''}`, s);
    /** @type {Map<string, HTMLElement>} the nodes and rows shown after this render, by key */
    const kept = new Map();
    /** @type {HTMLElement[]} ticks made in this render, to be set from the scope */
    const ticks = [];
    const plural = (/** @type {number} */ n, /** @type {string} */ word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    /** @type {HTMLElement[]} */
    const patientNodes = [];
    for (const [patientKey, patientInstances] of patients) {
      const first = patientInstances[0];
      /** @type {Map<string, TreeEntry[]>} */
      const studies = new Map();
      for (const s of patientInstances) push(studies, s.study.uid ?? s.groups?.study ?? `?${s.instanceId}`, s);
      const patient = this.kept(kept, ticks, `p:${patientKey}`, 'tree-patient',
        `${first.patient.name || '(no name)'}${first.patient.id ? ` · ${first.patient.id}` : ''}`,
        plural(studies.size, 'study').replace('studys', 'studies'), patientInstances, 'this patient',
        () => []);
      /** @type {HTMLElement[]} */
      const studyNodes = [];
      for (const [studyUid, studyInstances] of studies) {
        /** @type {Map<string, TreeEntry[]>} */
        const series = new Map();
        for (const s of studyInstances) push(series, s.series.uid ?? s.groups?.series ?? `?${s.instanceId}`, s);
        const st = studyInstances[0].study;
        const opened = openIds(studyInstances);
        // Keys within their parent's: files of other patients may share a study or series UID.
        const study = this.kept(kept, ticks, `s:${patientKey}\u0000${studyUid}`, 'tree-study',
          [st.date, st.description].filter(Boolean).join(' ') || '(study)',
          plural(series.size, 'series').replace('seriess', 'series'), studyInstances, 'this study',
          () => (opened.length ? [el('button', {
            type: 'button', class: 'link', 'data-testid': 'study-phi-report',
            'data-study-phi': JSON.stringify(opened),
          }, 'PHI report'), this.closeButton(opened, 'study')] : []));
        /** @type {HTMLElement[]} */
        const seriesNodes = [];
        const ordered = [...series.entries()].sort((a, b) => byNumber(a[1][0].series.number, b[1][0].series.number));
        for (const [seriesUid, seriesInstances] of ordered) {
          const se = seriesInstances[0];
          const present = seriesInstances.filter((s) => !s.missing);
          const missing = seriesInstances.length - present.length;
          const closable = openIds(present);
          const node = this.kept(kept, ticks, `e:${patientKey}\u0000${studyUid}\u0000${seriesUid}`,
            'tree-series',
            [se.series.number !== null ? `#${se.series.number}` : '', se.modality, se.series.description]
              .filter(Boolean).join(' ') || '(series)',
            plural(seriesInstances.length, 'instance') + (missing ? `, ${missing} not found` : ''),
            seriesInstances, 'this series',
            () => [
              ...(present.length > 1 ? [el('button', {
                type: 'button', class: 'link', 'data-testid': 'series-compare',
                'data-compare-series': JSON.stringify(present.map((s) => s.instanceId)),
              }, 'what varies')] : []),
              ...(closable.length ? [this.closeButton(closable, 'series')] : []),
            ]);
          let list = /** @type {?HTMLElement} */ (node.querySelector(':scope > ul'));
          if (!list) list = el('ul', { role: 'group' });
          seriesInstances.sort((a, b) => byNumber(a.instance.number, b.instance.number));
          place(list, seriesInstances.map((s) => this.row(kept, ticks, s)));
          const preview = previewOf(node, closable);
          place(node, [/** @type {HTMLElement} */ (node.firstElementChild), ...(preview ? [preview] : []), list]);
          seriesNodes.push(node);
        }
        place(study, [/** @type {HTMLElement} */ (study.firstElementChild), ...seriesNodes]);
        studyNodes.push(study);
      }
      place(patient, [/** @type {HTMLElement} */ (patient.firstElementChild), ...studyNodes]);
      patientNodes.push(patient);
    }
    // The tree role on an element of its own: the root stays a navigation landmark.
    let tree = /** @type {?HTMLElement} */ (this.root.querySelector(':scope > [role=tree]'));
    if (!tree) {
      tree = el('div', { role: 'tree', 'aria-label': 'Patients, studies, series and instances' });
      this.root.replaceChildren(tree);
    }
    place(tree, patientNodes);
    this.shown = kept;
    this.showScopeState(ticks);
  }

  /**
   * The node of a patient, study or series kept from the last render (made if new), with its
   * summary line made again only if what it shows changed.
   * @param {Map<string, HTMLElement>} kept where the nodes of this render are gathered
   * @param {HTMLElement[]} ticks where new ticks are gathered
   * @param {string} key
   * @param {string} testId
   * @param {string} label
   * @param {string} count
   * @param {TreeEntry[]} entries the instances under it
   * @param {string} scopeLabel what its tick ticks, for screen readers
   * @param {function(): HTMLElement[]} buttons its summary line's buttons after the count
   */
  kept(kept, ticks, key, testId, label, count, entries, scopeLabel, buttons) {
    let details = /** @type {HTMLDetailsElement|undefined} */ (this.shown.get(key));
    if (!details) {
      details = /** @type {HTMLDetailsElement} */ (el('details', { 'data-testid': testId, 'data-key': key }));
      details.open = !this.closed.has(key);
    }
    kept.set(key, details);
    const ids = openIds(entries);
    const shows = `${label}\u0000${count}\u0000${ids.join(',')}`;
    if (this.summaries.get(details) !== shows) {
      this.summaries.set(details, shows);
      // A tree node for assistive technology: the summary line is the item, its details the group.
      const summary = el('summary', { role: 'treeitem', 'aria-expanded': String(details.open) });
      if (ids.length) {
        const tick = this.scopeCheck(ids, scopeLabel);
        ticks.push(tick);
        summary.append(tick);
      }
      summary.append(el('span', { class: 'label' }, label), el('span', { class: 'count' }, count), ...buttons());
      const old = details.querySelector(':scope > summary');
      if (old) old.replaceWith(summary); else details.prepend(summary);
    }
    return details;
  }

  /**
   * An instance's row, kept from the last render when it shows the same.
   * @param {Map<string, HTMLElement>} kept
   * @param {HTMLElement[]} ticks
   * @param {TreeEntry} s
   */
  row(kept, ticks, s) {
    const label = [s.instance.number !== null ? `#${s.instance.number}` : '', s.modality, s.fileName]
      .filter(Boolean).join(' ');
    const missing = s.missing || s.instanceId === null;
    const key = `r:${missing ? '' : s.instanceId}\u0000${s.damaged ? 'd' : ''}\u0000${label}`;
    let item = this.shown.get(key);
    if (!item) {
      if (missing) {
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
          role: 'treeitem', 'aria-selected': String(id === this.selected),
        }, label);
        if (s.damaged) {
          item.classList.add('damaged');
          item.append(el('span', { class: 'badge damaged', 'data-testid': 'damaged-marker' }, 'damaged'));
        }
        // A damaged file's tick counts only when damaged files are allowed (the panel says so).
        const tick = this.scopeCheck([id], s.damaged ? 'this damaged file' : 'this instance');
        ticks.push(tick);
        item.prepend(tick);
        item.append(this.closeButton([id], 'file'));
      }
    }
    kept.set(key, item);
    return item;
  }
}
