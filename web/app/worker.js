/**
 * The Web Worker: boots Pyodide and adapts protocol requests to `dicomtab.worker_api`.
 *
 * No Python ever runs on the page's thread. This file only moves bytes in and JSON out; all
 * DICOM logic lives in the Python core, which is tested under CPython as well.
 */
import { loadPyodide } from '../pyodide/pyodide.mjs';
import {
  BOOT_STAGES, Event, Request, makeEvent, makeFailure, makeSuccess,
} from './protocol.js';

const RUNTIME_URL = new URL('../pyodide/', import.meta.url).href;
/** If Python is not up by then, look for the usual cause before the user gives up. */
const SLOW_BOOT_MS = 20000;

/** @type {any} the Python module dicomtab.worker_api */
let api = null;

reportNetwork();
const booted = boot();

/**
 * @param {string} stage
 */
function progress(stage) {
  const step = BOOT_STAGES.find((s) => s.stage === stage);
  self.postMessage(makeEvent(Event.BOOT_PROGRESS, step));
}

async function boot() {
  const timings = {};
  const t0 = performance.now();
  const watchdog = setTimeout(diagnoseSlowBoot, SLOW_BOOT_MS);
  try {
    progress('runtime');
    const pyodide = await loadPyodide({
      indexURL: RUNTIME_URL,
      // Fetched while the interpreter starts, instead of after it.
      packages: ['dicomtab'],
      stdout: (line) => {
        if (line.startsWith('Loading ')) progress('packages');
      },
      stderr: (line) => console.warn('[python]', line),
    });
    timings.runtime = performance.now() - t0;
    progress('import');
    api = pyodide.pyimport('dicomtab.worker_api');
    timings.import = performance.now() - t0 - timings.runtime;
    clearTimeout(watchdog);
    progress('ready');
    self.postMessage(makeEvent(Event.BOOT_READY, { version: api.version(), timings }));
  } catch (error) {
    clearTimeout(watchdog);
    console.error('dicomtab: start-up failed', error);
    self.postMessage(makeEvent(Event.BOOT_FAILED, {
      code: 'boot-failed',
      message: 'Python could not be started in this tab. Reload the page; if it keeps failing, '
        + 'the site is missing files or the browser lacks WebAssembly support.',
    }));
  }
}

/**
 * Pyodide waits forever when the server sends .wasm with the wrong MIME type; say so.
 */
async function diagnoseSlowBoot() {
  let message = 'Start-up is taking unusually long.';
  try {
    const response = await fetch(new URL('pyodide.asm.wasm', RUNTIME_URL), { method: 'HEAD' });
    const type = response.headers.get('content-type') || '(none)';
    if (!type.startsWith('application/wasm')) {
      message = `The web server sends pyodide.asm.wasm as ${type}; it must send application/wasm. `
        + 'Fix the server\'s MIME types (see the README, "Deploying") and reload.';
    }
  } catch {
    message = 'Start-up is taking unusually long and the runtime files cannot be reached.';
  }
  self.postMessage(makeEvent(Event.BOOT_FAILED, { code: 'boot-slow', message }));
}

/**
 * Tell the page about every request this worker makes, so its count is complete.
 */
function reportNetwork() {
  const observer = new PerformanceObserver((list) => {
    const requests = list.getEntries().map((entry) => ({
      url: entry.name,
      time: performance.timeOrigin + entry.startTime,
    }));
    self.postMessage(makeEvent(Event.NETWORK, { requests }));
  });
  observer.observe({ type: 'resource', buffered: true });
}

/** @type {Object<string, function(Object): string>} request type → Python call (JSON text) */
const HANDLERS = {
  [Request.OPEN]: ({ name, bytes }) => api.open_file(new Uint8Array(bytes), name),
  [Request.INSTANCES]: () => api.list_instances(),
};

self.addEventListener('message', async (event) => {
  const request = event.data;
  await booted;
  const handler = HANDLERS[request.type];
  if (!api || !handler) {
    const message = api ? `Unknown request ${request.type}.` : 'Python is not running in this tab.';
    self.postMessage(makeFailure(request, { code: 'unavailable', message }));
    return;
  }
  try {
    const result = JSON.parse(handler(request.payload));
    self.postMessage(result.status === 'success'
      ? makeSuccess(request, result.payload)
      : makeFailure(request, result.error));
  } catch (error) {
    // The core turns file problems into data; reaching this is a bug. Log the class only.
    console.error('dicomtab: request failed', request.type, error && error.type);
    self.postMessage(makeFailure(request, {
      code: 'internal', message: 'Internal error; the worker is still running.',
    }));
  }
});
