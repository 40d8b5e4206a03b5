/**
 * The study PHI report (py_core/dicomtab/inspect/study_phi.py), in a dialog: which elements of
 * the open files (or of one study) carry identifying values, by category, with counts; a row's
 * values only when the user expands it; private creators; files flagged for burned-in text, a
 * face or a voice; the action codes' legend; CSV and printable HTML exports made by the core.
 * Categories, actions, flags and their wording all come from the core; values are set as text.
 * @module inspector/study-phi
 */
import { Request } from '../../shared/protocol.js';
import { el } from '../views.js';
import { download } from './export.js';
import { confirmExport } from '../confirm-export.js';

/**
 * Which files a report covers: all open ones (`{}`), these ids, or the study of one; `label`
 * names them for the user.
 * @typedef {{instanceIds?: ?string[], studyOf?: ?string, label?: string}} ReportScope
 */

/** @param {number} n @param {string} word */
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

export class StudyPhiView {
  /**
   * @param {import('../worker-client.js').WorkerClient} client
   * @param {HTMLDialogElement} dialog the report's dialog (index.html)
   */
  constructor(client, dialog) {
    this.client = client;
    this.dialog = dialog;
    /** @type {ReportScope} */
    this.scope = {};
    this.label = '';
    /** @type {?import('../../shared/protocol.js').StudyPhiReport} */
    this.report = null;
    this.body = /** @type {HTMLElement} */ (dialog.querySelector('[data-testid=study-phi-body]'));
    this.withValues = /** @type {HTMLInputElement} */ (dialog.querySelector('[data-testid=study-phi-with-values]'));
    this.part('study-phi-close').addEventListener('click', () => dialog.close());
    this.part('study-phi-export-csv').addEventListener('click', () => this.exportAs('csv', 'text/csv'));
    this.part('study-phi-export-html').addEventListener('click', () => this.exportAs('html', 'text/html'));
  }

  /** @param {string} testId */
  part(testId) {
    return /** @type {HTMLElement} */ (this.dialog.querySelector(`[data-testid=${testId}]`));
  }

  /**
   * Make the report over `scope` and show it.
   * @param {ReportScope} scope
   */
  async open(scope) {
    this.scope = { instanceIds: scope.instanceIds ?? null, studyOf: scope.studyOf ?? null };
    this.label = scope.label || 'All open files';
    this.dialog.removeAttribute('data-loaded');
    this.body.replaceChildren(el('p', { role: 'status' }, 'Reading the files…'));
    if (!this.dialog.open) this.dialog.showModal();
    try {
      this.report = await this.client.request(Request.STUDY_PHI, this.scope);
    } catch (error) {
      this.body.replaceChildren(el('p', { class: 'problem-banner', role: 'alert' }, /** @type {Error} */ (error).message));
      return;
    }
    this.render(/** @type {import('../../shared/protocol.js').StudyPhiReport} */ (this.report));
    this.dialog.dataset.loaded = 'true';
  }

  /** @param {import('../../shared/protocol.js').StudyPhiReport} report */
  render(report) {
    const files = report.files.length;
    this.part('study-phi-scope').textContent = `${this.label}: `
      + `${plural(files, 'file')}, ${report.readable} read${report.damaged ? `, ${report.damaged} of them damaged (what could be read is counted)` : ''}. `
      + 'Counts only; a row shows its values when you ask. Actions from ' + `${report.table}.`;
    const nodes = [this.problems(report)];
    for (const category of report.categories) nodes.push(this.category(category));
    nodes.push(this.creators(report), this.flags(report), this.legend(report));
    this.body.replaceChildren(...nodes.filter((n) => n !== null).map((n) => /** @type {HTMLElement} */ (n)));
  }

  /**
   * Files that are damaged or could not be read, with what the core says of them.
   * @param {import('../../shared/protocol.js').StudyPhiReport} report
   */
  problems(report) {
    const bad = report.files.filter((f) => f.status !== 'read');
    if (!bad.length) return null;
    const list = el('ul', { class: 'problem-banner', 'data-testid': 'study-phi-problems' });
    for (const f of bad) {
      list.append(el('li', { 'data-testid': 'study-phi-problem', 'data-status': f.status },
        `${f.label} (${f.status}): ${f.problem || ''}`));
    }
    return list;
  }

  /** @param {import('../../shared/protocol.js').StudyPhiCategory} category */
  category(category) {
    const section = el('section', { 'data-testid': 'study-phi-category', 'data-category': category.category });
    section.append(
      el('h3', {}, `${category.label}: ${plural(category.rows.length, 'element')} in ${plural(category.files, 'file')}`),
      el('p', { class: 'muted' }, category.about),
    );
    if (!category.rows.length) return section;
    const meanings = new Map((this.report?.legend || []).map((c) => [c.code, c.meaning]));
    const table = el('table', { class: 'tags study-phi-table' });
    const head = el('tr');
    for (const text of ['tag', 'name · keyword', 'VR', 'action', 'files', 'empty in', 'distinct values', 'values']) {
      head.append(el('th', {}, text));
    }
    const body = el('tbody');
    table.append(el('thead'), body);
    table.firstElementChild?.append(head);
    for (const row of category.rows) {
      const tr = el('tr', { 'data-testid': 'study-phi-row', 'data-key': row.key });
      const name = el('td', {}, `${row.name || '(unknown)'}${row.keyword ? ` · ${row.keyword}` : ''}`);
      if (row.privateCreator) name.append(el('span', { class: 'muted' }, ` [${row.privateCreator}]`));
      const action = el('td', { 'data-col': 'action', title: row.action.split(' or ').map((a) => `${a}: ${meanings.get(a) || ''}`).join('\n') }, row.action);
      const expand = el('td');
      if (row.distinct) {
        const button = el('button', { type: 'button', class: 'link', 'data-testid': 'study-phi-expand', 'aria-expanded': 'false' }, 'Show values');
        button.addEventListener('click', () => this.toggle(tr, /** @type {HTMLButtonElement} */ (button), row.key));
        expand.append(button);
      }
      tr.append(el('td', { class: 'tag' }, row.tag), name, el('td', {}, row.vr), action,
        el('td', { 'data-col': 'files' }, row.files), el('td', { 'data-col': 'empty' }, row.emptyFiles),
        el('td', { 'data-col': 'distinct' }, row.distinct), expand);
      body.append(tr);
    }
    section.append(table);
    return section;
  }

  /**
   * Show or hide one row's values, asked of the worker only now.
   * @param {HTMLElement} tr @param {HTMLButtonElement} button @param {string} key
   */
  async toggle(tr, button, key) {
    const next = tr.nextElementSibling;
    if (next && next.getAttribute('data-testid') === 'study-phi-values') {
      next.remove();
      button.setAttribute('aria-expanded', 'false');
      button.textContent = 'Show values';
      return;
    }
    const cell = el('td', { colspan: '8' });
    const row = el('tr', { 'data-testid': 'study-phi-values', class: 'study-phi-values-row' });
    row.append(cell);
    /** @type {import('../../shared/protocol.js').StudyPhiValues} */
    let values;
    try {
      values = await this.client.request(Request.STUDY_PHI_VALUES, { row: key, ...this.scope });
    } catch (error) {
      cell.append(el('p', { class: 'problem-banner', role: 'alert' }, /** @type {Error} */ (error).message));
      tr.after(row);
      return;
    }
    const list = el('ul', { class: 'study-phi-values' });
    for (const v of values.values) {
      const item = el('li', { 'data-testid': 'study-phi-value' });
      item.append(el('span', { class: 'value' }, `${v.value}${v.clipped ? ' …' : ''}`),
        el('span', { class: 'muted' }, ` — ${plural(v.files, 'file')}: ${v.labels.join(', ')}`));
      list.append(item);
    }
    if (values.truncated) list.append(el('li', { class: 'muted' }, `… and more: ${values.distinct} distinct values in all.`));
    cell.append(list);
    tr.after(row);
    button.setAttribute('aria-expanded', 'true');
    button.textContent = 'Hide values';
  }

  /** @param {import('../../shared/protocol.js').StudyPhiReport} report */
  creators(report) {
    const section = el('section', { 'data-testid': 'study-phi-creators' });
    section.append(el('h3', {}, `Private creators: ${report.privateCreators.length}`));
    if (!report.privateCreators.length) return section;
    const list = el('ul');
    for (const c of report.privateCreators) {
      list.append(el('li', { 'data-testid': 'study-phi-creator' },
        `${c.creator} — ${plural(c.files, 'file')}, ${plural(c.elements, 'private element')}`));
    }
    section.append(list);
    return section;
  }

  /** @param {import('../../shared/protocol.js').StudyPhiReport} report */
  flags(report) {
    const names = new Map(report.files.map((f) => [f.instanceId, f.fileName]));
    const section = el('section', { 'data-testid': 'study-phi-flags' });
    section.append(el('h3', {}, 'Files flagged for review of their pixels or sound'));
    for (const flag of report.flags) {
      const box = el('div', { 'data-testid': 'study-phi-flag', 'data-flag': flag.flag });
      box.append(el('p', {}, `${flag.label}: ${plural(flag.files.length, 'file')}. ${flag.about}`));
      const list = el('ul');
      for (const f of flag.files) {
        list.append(el('li', { 'data-instance-id': f.instanceId },
          `${f.label} ${names.get(f.instanceId) || ''}${f.reasons.length ? ` — ${f.reasons.join(' ')}` : ''}`));
      }
      if (flag.files.length) box.append(list);
      section.append(box);
    }
    return section;
  }

  /** @param {import('../../shared/protocol.js').StudyPhiReport} report */
  legend(report) {
    const section = el('section', { 'data-testid': 'study-phi-legend' });
    section.append(el('h3', {}, 'Action codes (PS3.15 Table E.1-1)'),
      el('p', { class: 'muted' }, 'Codes in bold are the actions of elements in this report.'));
    const list = el('dl', { class: 'study-phi-legend' });
    for (const code of report.legend) {
      list.append(el('dt', { class: code.used ? 'used' : '' }, code.code), el('dd', {}, code.meaning));
    }
    section.append(list);
    return section;
  }

  /**
   * Download the report as the core writes it; with values (and file names) only after the
   * export question.
   * @param {'csv'|'html'} form @param {string} mime
   */
  async exportAs(form, mime) {
    const values = this.withValues.checked;
    if (values && !(await confirmExport('The report lists the values of every identifying element and the files\' names.'))) return;
    const status = this.part('study-phi-export-status');
    status.textContent = '';
    try {
      const text = await this.client.request(Request.STUDY_PHI_EXPORT, { form, values, ...this.scope });
      download(text, `study-phi-report${values ? '-with-values' : ''}.${form}`, mime);
    } catch (error) {
      status.textContent = /** @type {Error} */ (error).message;
    }
  }
}
