/**
 * The left-hand tree of everything opened: patient → study → series → instance, with counts,
 * series sorted by series number and instances by instance number, each node labelled with
 * modality and description. Rebuilt a few times a second at most while files stream in.
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

  /** Set every tick from the scope (ticked, unticked, or partly for a mixed group). */
  showScopeState() {
    for (const node of this.root.querySelectorAll('[data-testid=scope-check]')) {
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
    for (const node of this.root.querySelectorAll('[data-testid=tree-instance]')) {
      node.setAttribute('aria-selected', String(node.getAttribute('data-instance-id') === instanceId));
    }
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
   * @param {string} key
   * @param {string} testId
   * @param {string} label
   * @param {string} count
   */
  node(key, testId, label, count) {
    const details = /** @type {HTMLDetailsElement} */ (el('details', { 'data-testid': testId, 'data-key': key }));
    details.open = !this.closed.has(key);
    // A tree node for assistive technology: the summary line is the item, its details the group.
    const summary = el('summary', { role: 'treeitem', 'aria-expanded': String(details.open) });
    summary.append(el('span', { class: 'label' }, label), el('span', { class: 'count' }, count));
    details.append(summary);
    return details;
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

  render() {
    /** @type {Map<string, TreeEntry[]>} */
    const patients = new Map();
    for (const s of this.entries()) push(patients, `${s.patient.id ?? ''}\u0000${s.patient.name ?? ''}`, s);
    const fragment = document.createDocumentFragment();
    for (const [patientKey, patientInstances] of patients) {
      const first = patientInstances[0];
      /** @type {Map<string, TreeEntry[]>} */
      const studies = new Map();
      for (const s of patientInstances) push(studies, s.study.uid ?? s.groups?.study ?? `?${s.instanceId}`, s);
      const plural = (/** @type {number} */ n, /** @type {string} */ word) => `${n} ${word}${n === 1 ? '' : 's'}`;
      const patient = this.node(`p:${patientKey}`, 'tree-patient',
        `${first.patient.name || '(no name)'}${first.patient.id ? ` · ${first.patient.id}` : ''}`,
        plural(studies.size, 'study').replace('studys', 'studies'));
      this.withScope(patient, patientInstances, 'this patient');
      for (const [studyUid, studyInstances] of studies) {
        /** @type {Map<string, TreeEntry[]>} */
        const series = new Map();
        for (const s of studyInstances) push(series, s.series.uid ?? s.groups?.series ?? `?${s.instanceId}`, s);
        const st = studyInstances[0].study;
        const study = this.node(`s:${studyUid}`, 'tree-study',
          [st.date, st.description].filter(Boolean).join(' ') || '(study)', plural(series.size, 'series').replace('seriess', 'series'));
        this.withScope(study, studyInstances, 'this study');
        const opened = studyInstances.filter((s) => !s.missing && s.instanceId !== null);
        if (opened.length) {
          study.querySelector('summary')?.append(el('button', {
            type: 'button', class: 'link', 'data-testid': 'study-phi-report',
            'data-study-phi': JSON.stringify(opened.map((s) => s.instanceId)),
          }, 'PHI report'), this.closeButton(opened.map((s) => /** @type {string} */ (s.instanceId)), 'study'));
        }
        const ordered = [...series.entries()].sort((a, b) => byNumber(a[1][0].series.number, b[1][0].series.number));
        for (const [seriesUid, seriesInstances] of ordered) {
          const se = seriesInstances[0];
          const present = seriesInstances.filter((s) => !s.missing);
          const missing = seriesInstances.length - present.length;
          const node = this.node(`e:${seriesUid}`, 'tree-series',
            [se.series.number !== null ? `#${se.series.number}` : '', se.modality, se.series.description]
              .filter(Boolean).join(' ') || '(series)',
            plural(seriesInstances.length, 'instance') + (missing ? `, ${missing} not found` : ''));
          this.withScope(node, seriesInstances, 'this series');
          if (present.length > 1) {
            node.querySelector('summary')?.append(el('button', {
              type: 'button', class: 'link', 'data-testid': 'series-compare',
              'data-compare-series': JSON.stringify(present.map((s) => s.instanceId)),
            }, 'what varies'));
          }
          const closable = present.filter((s) => s.instanceId !== null)
            .map((s) => /** @type {string} */ (s.instanceId));
          if (closable.length) node.querySelector('summary')?.append(this.closeButton(closable, 'series'));
          if (closable.length) {
            // Drawn by series-previews.js when it comes into view; a click opens the image shown.
            node.append(el('canvas', {
              class: 'series-preview', 'data-testid': 'series-preview', 'data-preview-ids': JSON.stringify(closable),
              width: '64', height: '64', role: 'img', 'aria-label': 'Preview of this series',
            }));
          }
          const list = el('ul', { role: 'group' });
          seriesInstances.sort((a, b) => byNumber(a.instance.number, b.instance.number));
          for (const s of seriesInstances) {
            const label = [s.instance.number !== null ? `#${s.instance.number}` : '', s.modality, s.fileName]
              .filter(Boolean).join(' ');
            if (s.missing || s.instanceId === null) {
              // Named by a DICOMDIR but not among the opened files: shown, not selectable.
              const gone = el('li', {
                'data-testid': 'tree-missing', class: 'missing', role: 'treeitem',
                'aria-disabled': 'true', title: 'The DICOMDIR names this file, but it was not opened.',
              }, label);
              gone.append(el('span', { class: 'badge missing', 'data-testid': 'missing-marker' }, 'not found'));
              list.append(gone);
              continue;
            }
            const item = el('li', {
              'data-testid': 'tree-instance', 'data-instance-id': s.instanceId, tabindex: '0',
              role: 'treeitem', 'aria-selected': String(s.instanceId === this.selected),
            }, label);
            if (s.damaged) {
              item.classList.add('damaged');
              item.append(el('span', { class: 'badge damaged', 'data-testid': 'damaged-marker' }, 'damaged'));
            }
            // A damaged file's tick counts only when damaged files are allowed (the panel says so).
            item.prepend(this.scopeCheck([s.instanceId], s.damaged ? 'this damaged file' : 'this instance'));
            item.append(this.closeButton([s.instanceId], 'file'));
            list.append(item);
          }
          node.append(list);
          study.append(node);
        }
        patient.append(study);
      }
      fragment.append(patient);
    }
    // The tree role on a list of its own: the root stays a navigation landmark.
    const tree = el('div', { role: 'tree', 'aria-label': 'Patients, studies, series and instances' });
    tree.append(fragment);
    this.root.replaceChildren(tree);
    this.showScopeState();
  }

  /**
   * Put a scope tick for the group's opened instances (damaged ones too: they are taken only
   * when damaged files are allowed) first in its summary line.
   * @param {HTMLDetailsElement} node
   * @param {TreeEntry[]} entries
   * @param {string} label
   */
  withScope(node, entries, label) {
    const ids = entries.filter((s) => !s.missing && s.instanceId !== null)
      .map((s) => /** @type {string} */ (s.instanceId));
    if (ids.length) node.querySelector('summary')?.prepend(this.scopeCheck(ids, label));
  }
}
