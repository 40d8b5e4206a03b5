/**
 * Instances that are not (only) images: an encapsulated PDF (its pages drawn by pdf.js, and a
 * download), another encapsulated document (a download), a structured report as indented
 * text, a waveform as traces, or the reason there is nothing to show. All values go in as
 * text.
 * @module viewer/objects
 */
import { Request } from '../../shared/protocol.js';
import { el } from '../views.js';
import { downloadBlob } from '../download.js';
import { confirmExport } from '../confirm-export.js';
import { plotWaveform } from './waveform.js';
import { showPdf } from './pdf-view.js';

/**
 * Fill `root` with the display of a non-image object.
 * @param {HTMLElement} root
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {string} instanceId
 * @param {*} info  OBJECT_INFO's answer
 * @param {function(): boolean} current  false once another instance is shown
 */
export async function showObject(root, client, instanceId, info, current) {
  root.replaceChildren();
  if (info.kind === 'pdf' || info.kind === 'document') {
    const pdf = info.kind === 'pdf';
    const button = el('button', { type: 'button', 'data-testid': 'viewer-pdf-download' },
      pdf ? 'Download PDF' : 'Download the document');
    const note = el('p', { class: 'viewer-note' },
      `An encapsulated ${pdf ? 'PDF' : 'document'} of ${info.byteLength} bytes. It may identify the patient; the download is named ${pdf ? 'document.pdf' : 'document.bin'}.`);
    root.append(el('h3', {}, pdf ? 'PDF document' : 'Encapsulated document'), note, button);
    /** @type {?Promise<Blob>} */
    let blob = null;
    const load = () => {
      blob = blob || client.request(Request.DOCUMENT, { instanceId })
        .then((r) => new Blob([r.buffer], { type: pdf ? 'application/pdf' : 'application/octet-stream' }));
      return blob;
    };
    button.addEventListener('click', async () => {
      const what = pdf ? 'PDF' : 'document';
      if (!(await confirmExport(`The encapsulated ${what} is downloaded as it is in the file; it may name the patient.`))) return;
      downloadBlob(await load(), pdf ? 'document.pdf' : 'document.bin');
    });
    if (pdf) {
      // Drawn in this page by pdf.js (see pdf-view.js); the policy allows no frames, so the
      // browser's own PDF viewer, with the document's scripts and links, never runs here.
      const box = el('div', { 'data-testid': 'viewer-pdf', class: 'viewer-pdf' });
      root.append(box);
      const made = await load();
      if (current()) await showPdf(box, await made.arrayBuffer(), current);
    }
    return;
  }
  if (info.kind === 'sr') {
    const pre = el('pre', { 'data-testid': 'viewer-sr', class: 'viewer-sr' });
    pre.textContent = (info.lines || []).join('\n');
    root.append(el('h3', {}, 'Structured report'), pre);
    return;
  }
  if (info.kind === 'waveform') {
    const box = el('div', { 'data-testid': 'viewer-waveform', class: 'viewer-waveform' });
    root.append(el('h3', {}, 'Waveform'), box);
    const width = Math.max(300, box.clientWidth || 600);
    for (let n = 0; n < (info.waveforms || []).length; n++) {
      const group = await client.request(Request.WAVEFORM, { instanceId, index: n });
      if (!current()) return;
      const title = `Group ${n + 1}: ${group.channels} channels, ${group.samplesPerChannel} samples at ${group.samplingFrequency} Hz`;
      const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {
        'data-testid': 'viewer-waveform-canvas', 'data-channels': String(group.channels),
      }));
      box.append(el('p', {}, title), canvas);
      plotWaveform(canvas, group, new Float32Array(group.buffer), width);
      canvas.setAttribute('aria-label', `Traces: ${group.labels.join(', ')}`);
      canvas.dataset.labels = JSON.stringify(group.labels);
    }
    return;
  }
  root.append(el('p', { 'data-testid': 'viewer-none', class: 'viewer-note' }, info.reason || 'Nothing to show.'));
}
