/**
 * The left-hand tree of everything opened: patient → study → series → instance, with counts,
 * series sorted by series number and instances by instance number, each node labelled with
 * modality and description. Rebuilt a few times a second at most while files stream in.
 * @module study-tree
 */
import { el } from './views.js';

/**
 * @typedef {import('./protocol.js').InstanceSummary & {damaged?: boolean}} TreeInstance
 */

/** Shortest time between two rebuilds of the tree while files stream in. */
const RENDER_INTERVAL_MS = 250;

/** @param {?number} a @param {?number} b */
const byNumber = (a, b) => (a ?? Infinity) - (b ?? Infinity);

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
   */
  constructor(root, onSelect, onCompareSeries) {
    this.root = root;
    this.onSelect = onSelect;
    this.onCompareSeries = onCompareSeries;
    /** @type {TreeInstance[]} */
    this.instances = [];
    /** @type {?string} */
    this.selected = null;
    this.pending = false;
    this.renderedAt = -Infinity;
    /** @type {Set<string>} keys of nodes the user closed */
    this.closed = new Set();
    root.addEventListener('click', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      const compare = target.closest('[data-compare-series]');
      if (compare) {
        event.preventDefault();
        this.onCompareSeries(JSON.parse(compare.getAttribute('data-compare-series') || '[]'));
        return;
      }
      const item = target.closest('[data-testid=tree-instance]');
      if (item) this.select(/** @type {string} */ (item.getAttribute('data-instance-id')));
    });
    root.addEventListener('keydown', (event) => {
      const item = /** @type {HTMLElement} */ (event.target).closest('[data-testid=tree-instance]');
      if (!item) return;
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
    }, true);
  }

  /** @param {TreeInstance} instance */
  add(instance) {
    this.instances.push(instance);
    if (this.pending) return;
    this.pending = true;
    // While a folder streams in, rebuilding the tree every frame would cost more than opening
    // the files: at most a few times a second, the first one at once.
    const wait = Math.max(0, this.renderedAt + RENDER_INTERVAL_MS - performance.now());
    setTimeout(() => requestAnimationFrame(() => {
      this.pending = false;
      this.render();
      this.renderedAt = performance.now();
    }), wait);
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
   * @param {string} key
   * @param {string} testId
   * @param {string} label
   * @param {string} count
   */
  node(key, testId, label, count) {
    const details = /** @type {HTMLDetailsElement} */ (el('details', { 'data-testid': testId, 'data-key': key }));
    details.open = !this.closed.has(key);
    const summary = el('summary');
    summary.append(el('span', { class: 'label' }, label), el('span', { class: 'count' }, count));
    details.append(summary);
    return details;
  }

  render() {
    /** @type {Map<string, TreeInstance[]>} */
    const patients = new Map();
    for (const s of this.instances) push(patients, `${s.patient.id ?? ''}\u0000${s.patient.name ?? ''}`, s);
    const fragment = document.createDocumentFragment();
    for (const [patientKey, patientInstances] of patients) {
      const first = patientInstances[0];
      /** @type {Map<string, TreeInstance[]>} */
      const studies = new Map();
      for (const s of patientInstances) push(studies, s.study.uid ?? `?${s.instanceId}`, s);
      const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
      const patient = this.node(`p:${patientKey}`, 'tree-patient',
        `${first.patient.name || '(no name)'}${first.patient.id ? ` · ${first.patient.id}` : ''}`,
        plural(studies.size, 'study').replace('studys', 'studies'));
      for (const [studyUid, studyInstances] of studies) {
        /** @type {Map<string, TreeInstance[]>} */
        const series = new Map();
        for (const s of studyInstances) push(series, s.series.uid ?? `?${s.instanceId}`, s);
        const st = studyInstances[0].study;
        const study = this.node(`s:${studyUid}`, 'tree-study',
          [st.date, st.description].filter(Boolean).join(' ') || '(study)', plural(series.size, 'series').replace('seriess', 'series'));
        const ordered = [...series.entries()].sort((a, b) => byNumber(a[1][0].series.number, b[1][0].series.number));
        for (const [seriesUid, seriesInstances] of ordered) {
          const se = seriesInstances[0];
          const node = this.node(`e:${seriesUid}`, 'tree-series',
            [se.series.number !== null ? `#${se.series.number}` : '', se.modality, se.series.description]
              .filter(Boolean).join(' ') || '(series)', plural(seriesInstances.length, 'instance'));
          if (seriesInstances.length > 1) {
            node.querySelector('summary')?.append(el('button', {
              type: 'button', class: 'link', 'data-testid': 'series-compare',
              'data-compare-series': JSON.stringify(seriesInstances.map((s) => s.instanceId)),
            }, 'what varies'));
          }
          const list = el('ul', { role: 'group' });
          seriesInstances.sort((a, b) => byNumber(a.instance.number, b.instance.number));
          for (const s of seriesInstances) {
            const item = el('li', {
              'data-testid': 'tree-instance', 'data-instance-id': s.instanceId, tabindex: '0',
              role: 'treeitem', 'aria-selected': String(s.instanceId === this.selected),
            }, [s.instance.number !== null ? `#${s.instance.number}` : '', s.modality, s.fileName]
              .filter(Boolean).join(' '));
            if (s.damaged) {
              item.classList.add('damaged');
              item.append(el('span', { class: 'badge damaged', 'data-testid': 'damaged-marker' }, 'damaged'));
            }
            list.append(item);
          }
          node.append(list);
          study.append(node);
        }
        patient.append(study);
      }
      fragment.append(patient);
    }
    this.root.replaceChildren(fragment);
  }
}
