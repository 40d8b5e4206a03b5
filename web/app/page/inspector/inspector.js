/**
 * The inspector panel: the selected instance's PHI summary, tag table, search, filter,
 * exports, copy buttons and comparison. It talks to the worker only through the client.
 * @module inspector/inspector
 */
import { Request } from '../../shared/protocol.js';
import { el } from '../views.js';
import { TagTable } from './tag-table.js';
import { renderPhiSummary } from './phi-summary.js';
import { wireSearch } from './search.js';
import { copy, download } from './export.js';
import { confirmExport } from '../confirm-export.js';
import { renderDiff, renderSeries } from './compare.js';
import { StudyPhiView } from './study-phi.js';

/** Open instances up to which the compare-with list is made whole at once. */
const COMPARE_OPTIONS_AHEAD = 200;
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

export class Inspector {
  /**
   * @param {import('../worker-client.js').WorkerClient} client
   * @param {function(): Array<{instanceId: string, fileName: string, downloadName: string}>} instances
   *   open instances, with the name the core gives their exports
   */
  constructor(client, instances) {
    this.client = client;
    this.instances = instances;
    /** @type {?string} */
    this.instanceId = null;
    /** @type {?import('../../shared/protocol.js').PhiSummary} */
    this.phi = null;
    /** @type {string[]} the instances of the comparison shown */
    this.compared = [];
    this.table = new TagTable(/** @type {HTMLTableSectionElement} */ ($('tag-rows')), async (path) => {
      const full = await this.request(Request.VALUE_OF, { instanceId: this.shown(), path });
      return full.value;
    });
    this.search = wireSearch(/** @type {HTMLInputElement} */ ($('tag-search')), $('search-status'),
      (query) => this.request(Request.SEARCH, { instanceId: this.shown(), query }), this.table);
    $('phi-only').addEventListener('change', () => this.loadTree());
    $('export-json').addEventListener('click', () => this.exportJson());
    $('export-csv').addEventListener('click', () => this.exportText(Request.EXPORT_CSV, 'csv', 'text/csv'));
    $('export-dump').addEventListener('click', () => this.exportText(Request.EXPORT_DUMP, 'txt', 'text/plain'));
    $('copy-value').addEventListener('click', () => this.copySelected('value'));
    $('copy-tag').addEventListener('click', () => this.copySelected('tag'));
    $('compare-run').addEventListener('click', () => this.compare());
    // Every option once the user reaches for the list (see fillCompareChoices).
    for (const reach of ['focus', 'pointerdown']) {
      $('compare-with').addEventListener(reach, () => this.fillCompareChoices(true));
    }
    this.studyPhi = new StudyPhiView(client, /** @type {HTMLDialogElement} */ ($('study-phi')));
    const open = (/** @type {string} */ testId, /** @type {function(): Object} */ scope) => document
      .querySelector(`[data-testid=${testId}]`)?.addEventListener('click', () => this.studyPhi.open(scope()));
    open('study-phi-open', () => ({}));
    open('study-phi-open-study', () => ({ studyOf: this.instanceId, label: 'The selected file\'s study' }));
  }

  /**
   * Forget closed instances: the panel empties and hides when it showed one, and a
   * comparison that involved one is taken away. Call after the page's lists dropped them.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    const gone = (/** @type {?string} */ id) => id !== null && instanceIds.includes(id);
    if (this.compared.some(gone)) {
      this.compared = [];
      $('comparison').hidden = true;
      $('comparison').replaceChildren();
    }
    if (gone(this.instanceId)) {
      this.instanceId = null;
      this.phi = null;
      this.table.render([]);
      $('phi-summary').replaceChildren();
      $('inspector-title').textContent = '';
      $('tree-problem').hidden = true;
      delete $('inspector').dataset.loaded;
      $('inspector').hidden = true;
    }
    this.fillCompareChoices();
  }

  /**
   * The instance shown: the inspector's controls act only while one is.
   * @returns {string}
   */
  shown() {
    if (this.instanceId === null) throw new Error('No instance is shown in the inspector.');
    return this.instanceId;
  }

  /** What the shown instance's exports are named: never a value from the file. */
  downloadName() {
    const shown = this.shown();
    return this.instances().find((i) => i.instanceId === shown)?.downloadName || 'instance';
  }

  /**
   * @template {import('../../shared/protocol.js').RequestType} T
   * @param {T} type
   * @param {import('../../shared/protocol.js').PayloadOf<T>} payload
   */
  request(type, payload) {
    return this.client.request(type, payload);
  }

  /**
   * A request about the instance shown, or null once another is chosen or it is closed while
   * the worker answers: then its answer, even the error that it is no longer open, is moot.
   * @template {import('../../shared/protocol.js').RequestType} T
   * @param {string} instanceId
   * @param {T} type
   * @param {import('../../shared/protocol.js').PayloadOf<T>} payload
   * @returns {Promise<?import('../../shared/protocol.js').ResponseOf<T>>}
   */
  async about(instanceId, type, payload) {
    try {
      const answer = await this.request(type, payload);
      return instanceId === this.instanceId ? answer : null;
    } catch (error) {
      if (instanceId !== this.instanceId) return null;
      throw error;
    }
  }

  /** @param {string} instanceId */
  async show(instanceId) {
    this.instanceId = instanceId;
    $('inspector').hidden = false;
    const info = this.instances().find((i) => i.instanceId === instanceId);
    $('inspector-title').textContent = info ? info.fileName : instanceId;
    const phi = await this.about(instanceId, Request.PHI_SUMMARY, { instanceId });
    if (phi === null) return; // another was chosen, or this one closed
    this.phi = phi;
    renderPhiSummary($('phi-summary'), /** @type {*} */ (this.phi));
    $('export-warning').hidden = !this.phi || (this.phi.identifying === 0 && this.phi.private === 0);
    this.fillCompareChoices();
    await this.loadTree();
  }

  async loadTree() {
    const instanceId = this.instanceId;
    if (instanceId === null) return; // nothing shown yet
    const phiOnly = /** @type {HTMLInputElement} */ ($('phi-only')).checked;
    const tree = await this.about(instanceId, Request.TREE, { instanceId, phiOnly });
    if (tree === null) return; // another was chosen, or this one closed
    const filled = this.table.render(tree.rows);
    const problem = $('tree-problem');
    problem.hidden = !tree.problem;
    problem.textContent = tree.problem ? tree.problem.message : '';
    // "Loaded" once every row is in: a long table fills over a few frames.
    if (!(await filled) || instanceId !== this.instanceId) return;
    $('inspector').dataset.loaded = instanceId;
    await this.search.rerun();
  }

  exportOptions() {
    return { phiOnly: /** @type {HTMLInputElement} */ ($('phi-only')).checked };
  }

  /**
   * Ask first when this instance has elements that may identify the patient.
   * @returns {Promise<boolean>} whether to export
   */
  confirmIdentifying() {
    const phi = this.phi;
    if (!phi || (phi.identifying === 0 && phi.private === 0)) return Promise.resolve(true);
    const parts = [];
    if (phi.identifying) parts.push(`${phi.identifying} element${phi.identifying === 1 ? '' : 's'} that may identify the patient`);
    if (phi.private) parts.push(`${phi.private} private element${phi.private === 1 ? '' : 's'}`);
    return confirmExport(`This instance has ${parts.join(' and ')}; the export holds them as they are.`);
  }

  async exportJson() {
    if (!(await this.confirmIdentifying())) return;
    const binary = /** @type {HTMLInputElement} */ ($('export-binary')).checked ? 'inline' : 'omit';
    const model = await this.request(Request.TAGS, {
      instanceId: this.shown(), binary, ...this.exportOptions(),
    });
    download(JSON.stringify(model, null, 2), `${this.downloadName()}.json`,
      'application/dicom+json');
  }

  /**
   * @param {typeof Request.EXPORT_CSV | typeof Request.EXPORT_DUMP} type
   * @param {string} extension
   * @param {string} mime
   */
  async exportText(type, extension, mime) {
    if (!(await this.confirmIdentifying())) return;
    const text = await this.request(type, { instanceId: this.shown(), ...this.exportOptions() });
    download(text, `${this.downloadName()}.${extension}`, mime);
  }

  /** @param {'value'|'tag'} what */
  async copySelected(what) {
    const row = this.table.selectedRow();
    const status = $('copy-status');
    if (!row || !row.path) { status.textContent = 'Select an element first.'; return; }
    let text = row.tag;
    if (what === 'value') {
      text = (await this.request(Request.VALUE_OF, { instanceId: this.shown(), path: row.path })).value;
    }
    status.textContent = (await copy(text)) ? `Copied the ${what}.` : 'The browser refused the clipboard.';
  }

  /**
   * Offer every other open instance to compare with. The options are made again only when
   * the open instances changed: the shown one is hidden among them, since showing the next
   * slice of a series of thousands must not make thousands of options. Beyond
   * {@link COMPARE_OPTIONS_AHEAD} open instances, the list holds only the first other one (the
   * default choice) until the user reaches for it (`whole`: focus or press): 5,000 options
   * doubled the time of each layout of the whole page (79 against 41 ms, measured).
   * @param {boolean} [whole] make every option now
   */
  fillCompareChoices(whole = false) {
    const select = /** @type {HTMLSelectElement} */ ($('compare-with'));
    const instances = this.instances();
    const listed = `${instances.length}:${instances[0]?.instanceId}:${instances.at(-1)?.instanceId}`;
    const all = whole || instances.length <= COMPARE_OPTIONS_AHEAD || select.dataset.whole === listed;
    const made = all ? listed : `${listed} but ${this.instanceId}`;
    if (select.dataset.listed !== made) {
      const chosen = select.value;
      select.dataset.listed = made;
      const offered = all ? instances : instances.filter((i) => i.instanceId !== this.instanceId).slice(0, 1);
      select.replaceChildren(...offered.map((i) => el('option', { value: i.instanceId }, i.fileName)));
      if (all) select.dataset.whole = listed;
      if (offered.some((i) => i.instanceId === chosen)) select.value = chosen;
    }
    for (const option of select.querySelectorAll('option:disabled')) {
      /** @type {HTMLOptionElement} */ (option).hidden = /** @type {HTMLOptionElement} */ (option).disabled = false;
    }
    const shown = [...select.options].find((o) => o.value === this.instanceId);
    if (shown) {
      shown.hidden = shown.disabled = true;
      if (select.value === shown.value) select.value = [...select.options].find((o) => !o.disabled)?.value ?? '';
    }
    $('compare-bar').hidden = !instances.some((i) => i.instanceId !== this.instanceId);
  }

  async compare() {
    const other = /** @type {HTMLSelectElement} */ ($('compare-with')).value;
    if (!other || !this.instanceId) return;
    const diff = await this.request(Request.DIFF, { a: this.instanceId, b: other });
    const name = (/** @type {string} */ id) => this.instances().find((i) => i.instanceId === id)?.fileName || id;
    const root = $('comparison');
    root.hidden = false;
    this.compared = [this.instanceId, other];
    renderDiff(root, diff, name(this.instanceId), name(other));
  }

  /** @param {string[]} instanceIds */
  async compareSeries(instanceIds) {
    const series = await this.request(Request.SERIES_DIFF, { instanceIds });
    const root = $('comparison');
    root.hidden = false;
    this.compared = [...instanceIds];
    renderSeries(root, series);
    root.scrollIntoView({ block: 'nearest' });
  }
}
