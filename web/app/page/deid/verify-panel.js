/**
 * The Verify panel: `dicomtab verify` on the open de-identified files, against the open
 * originals and the release records opened with them. Findings are listed by file and
 * element path, never quoting a value.
 * @module deid/verify-panel
 */
import { Request } from '../../shared/protocol.js';
import { el } from '../views.js';

export class VerifyPanel {
  /**
   * @param {import('../worker-client.js').WorkerClient} client
   * @param {HTMLElement} root the #verify section
   * @param {function(): Array<{name: string, text: string}>} records release records opened
   */
  constructor(client, root, records) {
    this.client = client;
    this.root = root;
    this.records = records;
    this.$('verify-run').addEventListener('click', () => {
      this.run(null).catch((/** @type {any} */ error) => {
        this.$('verify-result').textContent = error.message;
      });
    });
  }

  /** @param {string} id */
  $(id) {
    return /** @type {HTMLElement} */ (this.root.querySelector(`[data-testid=${id}]`));
  }

  open() {
    this.root.hidden = false;
  }

  /**
   * Verify, show and return what was found.
   * @param {?string[]} instanceIds the de-identified files to check (null: every open one)
   * @returns {Promise<import('../../shared/protocol.js').Verification>}
   */
  async run(instanceIds) {
    this.$('verify-result').textContent = 'Verifying…';
    /** @type {import('../../shared/protocol.js').Verification} */
    const found = await this.client.request(Request.VERIFY, { instanceIds, records: this.records() });
    this.show(found);
    return found;
  }

  /** @param {import('../../shared/protocol.js').Verification} found */
  show(found) {
    const verdict = this.$('verify-result');
    verdict.setAttribute('data-result', found.result);
    verdict.textContent = found.result === 'nothing to verify'
      ? 'No open file says it was de-identified (Patient Identity Removed YES): nothing to verify.'
      : `Verification ${found.result}: ${found.checked} de-identified file(s) checked`
        + (found.originals ? ` against the values of ${found.originals} open original(s)` : ' (no originals open: open them too to search for their values)')
        + `; ${found.findings.length} finding(s) in ${found.filesWithFindings} file(s).`;
    this.$('verify-manifest').replaceChildren(...found.manifests.map((m) => {
      const item = el('li', { 'data-testid': 'verify-record' }, `${m.record}: ${m.listed} file(s) listed, `
        + (m.problems.length ? `${m.problems.length} problem(s)` : 'every file matches'));
      const list = el('ul');
      for (const p of m.problems) list.append(el('li', { 'data-testid': 'verify-manifest-problem', 'data-kind': p.kind }, `${p.path}: ${p.kind}`));
      item.append(list);
      return item;
    }));
    const table = this.$('verify-findings');
    const head = el('tr');
    for (const text of ['file', 'element', 'kind', 'what']) head.append(el('th', {}, text));
    table.replaceChildren(head, ...found.findings.map((f) => {
      const tr = el('tr', { 'data-testid': 'verify-finding', 'data-kind': f.kind });
      tr.append(el('td', {}, f.file),
        el('td', { class: 'tag' }, f.path || (f.offset !== undefined ? `byte ${f.offset}${f.region && f.region !== 'file' ? ` of the ${f.region}` : ''}` : '')),
        el('td', {}, f.kind), el('td', {}, f.what));
      return tr;
    }));
    table.hidden = found.findings.length === 0;
  }
}
