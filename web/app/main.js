/**
 * The page: starts the worker, wires the file input and drop zone, renders results, keeps the
 * privacy status line live, and exposes the automation API `window.dicomtab`.
 * @module main
 */
import { BOOT_STAGES, Event, Request } from './protocol.js';
import { WorkerClient } from './worker-client.js';
import { NetworkMonitor } from './network-monitor.js';
import { enableOffline } from './offline.js';
import { instanceItem, privacyText, problemItem } from './views.js';

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const network = new NetworkMonitor();
const client = new WorkerClient(new URL('./worker.js', import.meta.url));
network.onChange(showPrivacy);
client.on(Event.NETWORK, ({ requests }) => network.add(requests));

/** @type {'pending'|'ready'|'unsupported'|'failed'} */
let offlineState = 'pending';
/** @type {import('./protocol.js').InstanceSummary[]} */
const summaries = [];

const ready = new Promise((resolve, reject) => {
  client.on(Event.BOOT_PROGRESS, showStage);
  client.on(Event.BOOT_READY, (info) => {
    $('boot').hidden = true;
    $('workspace').classList.remove('waiting');
    resolve(info);
  });
  client.on(Event.BOOT_FAILED, (error) => {
    $('boot-stage').textContent = error.message;
    $('boot').classList.add('failed');
    reject(new Error(error.message));
  });
});
// Stored once Python is up, not meanwhile: on a first visit the service worker's downloads of
// the whole build would compete with start-up (and fetch it all a second time).
const offline = ready.catch(() => {}).then(enableOffline).then((state) => {
  offlineState = state;
  showPrivacy();
  return state;
});
// The app has loaded once Python runs and its offline copy is stored; from then on every
// request, from the page or the worker, counts on the status line.
Promise.all([ready, offline]).then(() => network.markLoaded(), () => {});

/** @param {{stage: string, label: string, fraction: number}} step */
function showStage(step) {
  $('boot-stage').textContent = step.label;
  /** @type {HTMLProgressElement} */ ($('boot-progress')).value = step.fraction;
}

function showPrivacy() {
  $('privacy-status').textContent = privacyText(network.counts(), offlineState);
}

/**
 * @typedef {Object} OpenResult
 * @property {string} fileName
 * @property {'success'|'failed'} status
 * @property {string} [instanceId]
 * @property {string} [code]
 * @property {string} [message]
 */

/**
 * Open files one after another (bounded memory); a failure is reported and the rest go on.
 * @param {FileList|File[]} files
 * @returns {Promise<OpenResult[]>}
 */
async function openFiles(files) {
  await ready;
  const results = [];
  for (const file of Array.from(files)) {
    try {
      const bytes = await file.arrayBuffer();
      const summary = await client.request(Request.OPEN, { name: file.name, bytes }, [bytes]);
      summaries.push(summary);
      $('instances').append(instanceItem(summary));
      results.push({ fileName: file.name, status: 'success', instanceId: summary.instanceId });
    } catch (error) {
      const message = error.code ? error.message : `${file.name} could not be read by the browser.`;
      $('problems').append(problemItem(message));
      results.push({ fileName: file.name, status: 'failed', code: error.code || 'read-failed', message });
    }
  }
  $('results').hidden = false;
  return results;
}

const input = /** @type {HTMLInputElement} */ ($('file-input'));
input.addEventListener('change', () => {
  openFiles(input.files).finally(() => { input.value = ''; });
});
const dropZone = $('drop-zone');
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('over');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('over'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('over');
  if (event.dataTransfer) openFiles(event.dataTransfer.files);
});
showStage(BOOT_STAGES[0]);
showPrivacy();

/**
 * The automation API, for integrators and this project's browser tests (see README).
 */
window.dicomtab = Object.freeze({
  /** Resolves when Python is loaded: {version, timings}. */
  ready,
  /** Resolves when the offline copy is stored: 'ready' | 'unsupported' | 'failed'. */
  offline,
  openFiles,
  /** @returns {import('./protocol.js').InstanceSummary[]} summaries of the open instances */
  instances: () => structuredClone(summaries),
  /** @returns {{total: number, sinceLoaded: ?number, crossOrigin: number}} */
  network: () => network.counts(),
});
