/**
 * The De-identify panel: scope (ticks in the study tree), profile, key, preview, run with
 * progress and Cancel, and the result with the release record, the crosswalk and re-opening
 * the output. Every value from a file is set as text. The key file's bytes stay in this
 * object's memory only; nothing is stored, and closing the tab forgets it.
 * @module deid/panel
 */
import { Request } from '../../shared/protocol.js';
import { downloadBlob } from '../download.js';
import { FolderOutput, ZipOutput } from './outputs.js';
import { runDeidentification } from './run.js';
import { el, formatBytes } from '../views.js';
import { describeCounts, describeFlags, formatDuration, renderPreview } from './views.js';

/** The name of the ZIP download and of a new key file: never a value from a file. */
export const ZIP_NAME = 'dicomtab-release.zip';
export const KEY_NAME = 'dicomtab.key';

/**
 * @typedef {Object} PanelHost what the panel needs from the page
 * @property {import('../study-tree.js').StudyTree} tree
 * @property {import('./scope.js').Scope} scope
 * @property {function(): import('../../shared/protocol.js').InstanceSummary[]} instances  every open one
 * @property {function(): import('../../shared/protocol.js').InstanceSummary[]} damaged  files refused as
 *   damaged on opening (ids `d1`, …): de-identified only when damaged files are allowed
 * @property {function(import('../file-sources.js').SourceFile[]): Promise<unknown>} openSources
 */

export class DeidPanel {
  /**
   * @param {import('../worker-client.js').WorkerClient} client
   * @param {HTMLElement} root the #deid section
   * @param {PanelHost} host
   */
  constructor(client, root, host) {
    this.client = client;
    this.root = root;
    this.host = host;
    /** @type {?import('../../shared/protocol.js').KeyFile} */
    this.key = null;
    /** @type {?import('../../shared/protocol.js').ProfileChoice} a profile file's choice */
    this.profileFile = null;
    /** @type {?AbortController} */
    this.running = null;
    /** @type {?import('./run.js').RunResult} */
    this.result = null;
    /** @type {?string} the instance whose preview is shown */
    this.previewed = null;
    /** @type {?FileSystemDirectoryHandle} the folder of the last run, to re-open */
    this.folder = null;
    this.profilesLoaded = false;
    /** @type {import('../../shared/protocol.js').RegionsFile[]} redaction templates for the next run */
    this.regions = [];
    /** @type {Map<string, {name: string, templates: Array<{name: string, boxes: number}>}>} */
    this.regionInfo = new Map();
    this.wire();
  }

  /** @param {string} id */
  $(id) {
    return /** @type {HTMLElement} */ (this.root.querySelector(`[data-testid=${id}]`));
  }

  /** @param {string} id */
  input(id) {
    return /** @type {HTMLInputElement} */ (this.$(id));
  }

  wire() {
    this.$('deid-select-all').addEventListener('click', () => this.host.scope.set(this.ids(), true));
    this.$('deid-select-none').addEventListener('click', () => this.host.scope.set(this.ids(), false));
    this.$('deid-profile').addEventListener('change', () => {
      this.profileFile = null;
      this.input('deid-profile-file').value = '';
      this.showProfile();
    });
    this.input('deid-profile-file').addEventListener('change', () => this.loadProfileFile());
    this.$('deid-key-new').addEventListener('click', () => this.createKey());
    this.input('deid-key-file').addEventListener('change', () => this.loadKeyFile());
    this.$('deid-preview').addEventListener('click', () => this.preview());
    this.$('deid-flags').addEventListener('click', () => this.listFlagged());
    this.input('deid-allow-damaged').addEventListener('change', () => this.showScope());
    this.input('deid-regions-file').addEventListener('change', () => this.loadRegions());
    this.$('deid-regions-clear').addEventListener('click', () => { this.regions = []; this.showRegions(null); });
    this.input('deid-crosswalk').addEventListener('change', () => {
      this.$('deid-crosswalk-warning').hidden = !this.input('deid-crosswalk').checked;
    });
    this.$('deid-run').addEventListener('click', () => this.runFromPanel());
    this.$('deid-cancel').addEventListener('click', () => this.running?.abort());
    this.$('deid-reopen').addEventListener('click', () => this.reopen());
    this.$('deid-record-json').addEventListener('click', () => this.downloadRecord('json'));
    this.$('deid-record-text').addEventListener('click', () => this.downloadRecord('text'));
    this.$('deid-crosswalk-download').addEventListener('click', () => {
      if (this.result?.crosswalk) downloadBlob(new Blob([this.result.crosswalk], { type: 'text/csv' }), 'crosswalk.csv');
    });
    if (!('showDirectoryPicker' in window)) {
      const folder = this.input('deid-output-folder');
      folder.disabled = true;
      folder.parentElement?.setAttribute('title', 'This browser cannot write to a folder; the ZIP works everywhere.');
    }
  }

  /** Show the panel (and the scope's ticks in the tree). */
  async open() {
    this.root.hidden = false;
    this.host.tree.showScope(true);
    this.showScope();
    if (!this.profilesLoaded) await this.loadProfiles();
  }

  /** The instances a run may take: the sound ones and the damaged ones (refused with their
   * reason unless damaged files are allowed, as `dicomtab deid` refuses them). */
  ids() {
    return this.candidates().map((s) => s.instanceId);
  }

  /** @returns {import('../../shared/protocol.js').InstanceSummary[]} */
  candidates() {
    return [...this.host.instances(), ...this.host.damaged()];
  }

  allowDamaged() {
    return this.input('deid-allow-damaged').checked;
  }

  /** Counts and size of what is ticked. */
  showScope() {
    const all = this.candidates();
    const damaged = new Set(this.host.damaged().map((s) => s.instanceId));
    const chosenDamaged = all.filter((s) => damaged.has(s.instanceId) && this.host.scope.includes(s.instanceId)).length;
    const chosen = all.filter((s) => this.host.scope.includes(s.instanceId));
    const bytes = chosen.reduce((sum, s) => sum + (s.fileSize || 0), 0);
    const patients = new Set(chosen.map((s) => `${s.patient.id}\u0000${s.patient.name}`)).size;
    const studies = new Set(chosen.map((s) => s.study.uid)).size;
    const series = new Set(chosen.map((s) => s.series.uid)).size;
    this.$('deid-scope').textContent = all.length === 0
      ? 'No instances are open yet: open files, a folder or a ZIP first.'
      : `${chosen.length} of ${all.length} instances selected (${formatBytes(bytes)}): `
        + `${patients} patient${patients === 1 ? '' : 's'}, ${studies} ${studies === 1 ? 'study' : 'studies'}, `
        + `${series} series.`
        + (chosenDamaged ? ` ${chosenDamaged} of them ${chosenDamaged === 1 ? 'is' : 'are'} damaged: `
          + (this.allowDamaged() ? 'what can be read of them is de-identified and flagged for review.'
            : 'they will be refused unless damaged files are allowed.') : '');
  }

  async loadProfiles() {
    /** @type {import('../../shared/protocol.js').ProfileInfo[]} */
    const profiles = await this.client.request(Request.DEID_PROFILES, {});
    const select = this.$('deid-profile');
    select.replaceChildren(...profiles.map((p) => {
      const option = el('option', { value: p.name, 'data-summary': p.summary }, p.name);
      if (p.name === 'basic') option.setAttribute('selected', '');
      return option;
    }));
    this.profilesLoaded = true;
    this.showProfile();
  }

  /** @returns {import('../../shared/protocol.js').ProfileChoice} */
  profileChoice() {
    return this.profileFile || { builtin: /** @type {HTMLSelectElement} */ (this.$('deid-profile')).value };
  }

  showProfile() {
    const option = /** @type {HTMLSelectElement} */ (this.$('deid-profile')).selectedOptions[0];
    this.$('deid-profile-error').hidden = true;
    this.$('deid-profile-summary').textContent = option?.getAttribute('data-summary') || '';
  }

  async loadProfileFile() {
    const file = this.input('deid-profile-file').files?.[0];
    if (!file) return;
    const error = this.$('deid-profile-error');
    /** @type {import('../../shared/protocol.js').ProfileChoice} */
    const choice = { name: file.name, json: await file.text() };
    try {
      const checked = await this.client.request(Request.DEID_CHECK_PROFILE, { profile: choice });
      this.profileFile = choice;
      error.hidden = true;
      this.$('deid-profile-summary').textContent = `${file.name}: profile "${checked.name}". `
        + `${checked.summary}${checked.hipaa ? ` HIPAA: ${checked.hipaa}.` : ''}`;
    } catch (/** @type {any} */ failure) {
      this.profileFile = null;
      this.input('deid-profile-file').value = '';
      error.textContent = failure.message;
      error.hidden = false;
      this.showProfile();
      error.hidden = false;
    }
  }

  async createKey() {
    const made = await this.client.request(Request.DEID_NEW_KEY, {});
    const bytes = new TextEncoder().encode(made.text);
    this.key = { name: KEY_NAME, bytes: bytes.buffer };
    downloadBlob(new Blob([bytes], { type: 'application/octet-stream' }), KEY_NAME);
    this.showKey(`New key ${made.fingerprint} created and downloaded as ${KEY_NAME}.`, null);
  }

  /**
   * Add a redaction template (boxes drawn in the viewer), replacing one of the same name.
   * @param {import('../../shared/protocol.js').RegionsFile} regions
   * @returns {Promise<string>} what to tell the user
   */
  async addRegions(regions) {
    const info = await this.client.request(Request.DEID_REGIONS, regions);
    this.regions = [...this.regions.filter((r) => r.name !== regions.name), regions];
    this.regionInfo.set(regions.name, info);
    this.showRegions(null);
    return `The boxes will be blanked by the next de-identification (${info.templates[0].name}).`;
  }

  /** Read the chosen redaction template files; each is checked by the worker and listed. */
  async loadRegions() {
    const input = this.input('deid-regions-file');
    const files = [...(input.files || [])];
    input.value = '';
    for (const file of files) {
      const regions = { name: file.name, text: await file.text() };
      try {
        const info = await this.client.request(Request.DEID_REGIONS, regions);
        this.regions = [...this.regions.filter((r) => r.name !== file.name), regions];
        this.regionInfo.set(file.name, info);
        this.showRegions(null);
      } catch (/** @type {any} */ failure) {
        this.showRegions(failure.message);
        return;
      }
    }
  }

  /** @param {?string} problem */
  showRegions(problem) {
    this.$('deid-regions').replaceChildren(...this.regions.map((r) => {
      const info = this.regionInfo.get(r.name);
      const boxes = info ? info.templates.reduce((n, t) => n + t.boxes, 0) : 0;
      return el('li', { 'data-testid': 'deid-regions-file-item' },
        `${r.name}: ${info ? info.templates.length : 0} template(s), ${boxes} box(es) to blank in the images they match`);
    }));
    this.$('deid-regions-clear').hidden = this.regions.length === 0;
    this.$('deid-regions-error').textContent = problem || '';
    this.$('deid-regions-error').hidden = !problem;
  }

  async loadKeyFile() {
    const file = this.input('deid-key-file').files?.[0];
    this.input('deid-key-file').value = '';
    if (!file) return;
    const key = { name: file.name, bytes: await file.arrayBuffer() };
    try {
      const info = await this.client.request(Request.DEID_KEY_INFO, { key });
      this.key = key;
      this.showKey(`Key ${info.fingerprint} loaded from ${file.name}.`, null);
    } catch (/** @type {any} */ failure) {
      this.showKey(null, failure.message);
    }
  }

  /** @param {?string} status @param {?string} problem */
  showKey(status, problem) {
    if (status) this.$('deid-key-status').textContent = status;
    this.$('deid-key-warning').hidden = !this.key;
    this.$('deid-key-error').textContent = problem || '';
    this.$('deid-key-error').hidden = !problem;
  }

  /** @returns {boolean} whether a key is there; says so when not */
  needKey() {
    if (this.key) return true;
    this.showKey(null, 'Create a new key or load your key file first.');
    return false;
  }

  /**
   * Forget closed instances: the preview goes if it was of one; the scope's counts follow
   * the host's lists, which no longer hold them.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    if (this.previewed !== null && instanceIds.includes(this.previewed)) {
      this.previewed = null;
      this.$('deid-preview-area').hidden = true;
      this.$('deid-preview-area').replaceChildren();
      this.$('deid-preview-status').textContent = '';
    }
    this.showScope();
  }

  /** The instance to preview: the one shown, if it is chosen; else the first chosen one. */
  previewTarget() {
    const chosen = this.host.scope.chosen(this.ids());
    const shown = this.host.tree.selected;
    return shown && chosen.includes(shown) ? shown : chosen[0] || null;
  }

  async preview() {
    const status = this.$('deid-preview-status');
    const area = this.$('deid-preview-area');
    const instanceId = this.previewTarget();
    if (!instanceId) { status.textContent = 'Select at least one instance.'; return; }
    if (!this.needKey()) return;
    status.textContent = 'Preparing the preview…';
    try {
      /** @type {import('../../shared/protocol.js').DeidPreview} */
      const shown = await this.client.request(Request.DEID_PREVIEW, {
        instanceId, profile: this.profileChoice(),
        key: /** @type {import('../../shared/protocol.js').KeyFile} */ (this.key),  // needKey() said so
      });
      const name = this.candidates().find((s) => s.instanceId === instanceId)?.fileName || instanceId;
      renderPreview(area, shown, name);
      this.previewed = instanceId;
      area.hidden = false;
      status.textContent = 'Nothing was written: this is what the run will do to this instance.';
    } catch (/** @type {any} */ failure) {
      status.textContent = failure.message;
    }
  }

  async listFlagged() {
    const box = this.$('deid-flagged');
    const instanceIds = this.host.scope.chosen(this.ids());
    /** @type {import('../../shared/protocol.js').FlaggedBefore[]} */
    const listed = await this.client.request(Request.DEID_FLAGS, { instanceIds, profile: this.profileChoice() });
    const names = new Map(this.candidates().map((s) => [s.instanceId, s.fileName]));
    /**
     * @param {string} testId
     * @param {function(import('../../shared/protocol.js').FlaggedBefore): string[]} which
     */
    const listOf = (testId, which) => {
      const list = el('ul');
      for (const item of listed.filter((f) => which(f).length)) {
        list.append(el('li', { 'data-testid': testId, 'data-instance-id': item.instanceId },
          `${names.get(item.instanceId)}: ${describeFlags(which(item))}`));
      }
      return list;
    };
    const flagged = listOf('deid-flagged-file', (f) => f.flags);
    const checked = listOf('deid-checked-file', (f) => f.checks);
    box.replaceChildren(el('p', {}, flagged.children.length
      ? `${flagged.children.length} of ${instanceIds.length} files will be written but flagged for review, and verification will not pass while they are:`
      : `None of the ${instanceIds.length} selected files will be flagged for review.`), flagged);
    if (checked.children.length) {
      box.append(el('p', {}, `${checked.children.length} files will have their burned-in text found and blanked; each is flagged only if the run cannot show that no text is left:`), checked);
    }
    box.hidden = false;
  }

  /**
   * The output the user chose: a ZIP, or a folder picked now.
   * @returns {Promise<?import('./outputs.js').Output>} null when the user cancelled the picker
   */
  async chooseOutput() {
    if (!this.input('deid-output-folder').checked) return new ZipOutput();
    let handle;
    try {
      handle = await /** @type {any} */ (window).showDirectoryPicker({ id: 'dicomtab-output', mode: 'readwrite' });
    } catch (/** @type {any} */ error) {
      if (error && error.name === 'AbortError') return null; // the user closed the dialog
      throw new Error('The browser did not let this page choose a folder; use the ZIP instead.');
    }
    this.folder = handle;
    return FolderOutput.open(handle);
  }

  async runFromPanel() {
    const problem = this.$('deid-run-error');
    problem.hidden = true;
    const instanceIds = this.host.scope.chosen(this.ids());
    if (instanceIds.length === 0) { this.fail('Select at least one instance to de-identify.'); return; }
    if (!this.key) { this.needKey(); this.fail('A key is needed: create one or load your key file (step 3).'); return; }
    let output;
    try {
      output = await this.chooseOutput();
    } catch (/** @type {any} */ error) {
      this.fail(error.message);
      return;
    }
    if (!output) { this.fail('No folder was chosen; nothing was written.'); return; }
    try {
      await this.run({ instanceIds, output, options: {
        crosswalk: this.input('deid-crosswalk').checked,
        allowDamaged: this.allowDamaged(),
        regions: this.regions,
        operator: this.input('deid-operator').value.trim(),
        purpose: this.input('deid-purpose').value.trim(),
      } });
    } catch (/** @type {any} */ error) {
      this.fail(error.message || 'The run stopped.');
    }
  }

  /** @param {string} message */
  fail(message) {
    this.$('deid-run-error').textContent = message;
    this.$('deid-run-error').hidden = false;
  }

  /**
   * Run with the panel's profile and key; the panel shows progress and the result.
   * @param {{instanceIds: string[], output: import('./outputs.js').Output,
   *   options: {crosswalk?: boolean, operator?: string, purpose?: string, allowDamaged?: boolean,
   *     regions?: import('../../shared/protocol.js').RegionsFile[]},
   *   profile?: import('../../shared/protocol.js').ProfileChoice, key?: import('../../shared/protocol.js').KeyFile}} run
   * @returns {Promise<import('./run.js').RunResult>}
   */
  async run({ instanceIds, output, options, profile, key }) {
    if (this.running) throw new Error('A de-identification is already running in this tab.');
    const sizes = Object.fromEntries(this.candidates().map((s) => [s.instanceId, s.fileSize]));
    this.running = new AbortController();
    this.result = null;
    this.$('deid-result').hidden = true;
    this.$('deid-errors').replaceChildren();
    this.$('deid-progress-area').hidden = false;
    this.$('deid-cancel').hidden = false;
    this.input('deid-run').disabled = true;
    try {
      const result = await runDeidentification(this.client, {
        profile: profile || this.profileChoice(),
        key: /** @type {import('../../shared/protocol.js').KeyFile} */ (key || this.key),
        instanceIds, sizes, output, options, signal: this.running.signal,
        onProgress: (p) => this.showProgress(p),
      });
      this.result = result;
      if (result.status === 'cancelled') {
        this.$('deid-progress-text').textContent = `Cancelled after ${result.progress.done} of ${result.progress.total} files; `
          + (output.kind === 'zip' ? 'no ZIP was made.' : 'the files it wrote were removed.');
      } else {
        if (result.zip) downloadBlob(result.zip, ZIP_NAME);
        this.showResult(result, output.kind);
      }
      return result;
    } finally {
      this.running = null;
      this.$('deid-cancel').hidden = true;
      this.input('deid-run').disabled = false;
    }
  }

  /** @param {import('./run.js').Progress} p */
  showProgress(p) {
    /** @type {HTMLProgressElement} */ (this.$('deid-progress')).value = p.total ? p.done / p.total : 1;
    this.$('deid-progress-text').textContent = `${p.done} of ${p.total} files, `
      + `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytes)}, ${formatDuration(p.elapsedMs)} elapsed`
      + (p.leftMs !== null && p.done < p.total ? `, about ${formatDuration(p.leftMs)} left` : '');
    const list = this.$('deid-errors');
    for (const error of p.errors.slice(list.children.length)) {
      list.append(el('li', { 'data-testid': 'deid-error', 'data-code': error.code }, error.message));
    }
  }

  /**
   * @param {import('./run.js').RunResult} result
   * @param {string} kind 'zip' or 'folder'
   */
  showResult(result, kind) {
    const record = /** @type {any} */ (result.record);
    const verification = record.verification;
    const verdict = this.$('deid-verification');
    verdict.textContent = verification.ran
      ? `Verification ${verification.result}: ${verification.findings} finding(s), `
        + `${verification.review_required.length} file(s) flagged for review, ${verification.files_failed} failed.`
      : 'Verification was not run.';
    verdict.setAttribute('data-result', verification.result);
    this.$('deid-counts').replaceChildren(...describeCounts(record.files).map((line) => el('li', {}, line)),
      el('li', {}, kind === 'zip' ? `Downloaded as ${ZIP_NAME}, with the release record inside.`
        : 'Written into the folder you chose, with the release record.'));
    this.$('deid-record').textContent = result.finished?.text || '';
    this.$('deid-crosswalk-download').hidden = !result.crosswalk;
    this.$('deid-result').hidden = false;
  }

  /** @param {'json'|'text'} which */
  downloadRecord(which) {
    const finished = this.result?.finished;
    if (!finished) return;
    const [jsonName, textName] = finished.names;
    if (which === 'json') downloadBlob(new Blob([finished.json], { type: 'application/json' }), jsonName);
    else downloadBlob(new Blob([finished.text], { type: 'text/plain' }), textName);
  }

  /** Open the output of the last run in this page, beside the originals. */
  async reopen() {
    if (this.result?.zip) {
      const file = new File([this.result.zip], ZIP_NAME, { type: 'application/zip' });
      await this.host.openSources([{ file, name: ZIP_NAME, fromCollection: false }]);
    } else if (this.folder) {
      await this.host.openSources(await filesIn(this.folder, ''));
    }
  }
}

/**
 * Every file under a folder handle, as sources named by their path inside it.
 * @param {FileSystemDirectoryHandle} folder
 * @param {string} prefix
 * @returns {Promise<import('../file-sources.js').SourceFile[]>}
 */
async function filesIn(folder, prefix) {
  /** @type {import('../file-sources.js').SourceFile[]} */
  const out = [];
  for await (const [name, handle] of /** @type {any} */ (folder).entries()) {
    if (handle.kind === 'directory') out.push(...await filesIn(handle, `${prefix}${name}/`));
    else out.push({ file: await handle.getFile(), name: `${prefix}${name}`, fromCollection: true });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
