/**
 * The Web Worker: boots Pyodide and adapts protocol requests to `dicomtab.worker_api`.
 *
 * No Python ever runs on the page's thread. This file only moves bytes in and JSON out; all
 * DICOM logic lives in the Python core, which is tested under CPython as well.
 *
 * Start-up (the builder prepares each piece, see build/build_site.py): Pyodide's runtime, a
 * stdlib precompiled to bytecode, pydicom and the core as one site-packages archive, and a
 * memory snapshot of Python taken at build time with the core already imported. Restoring
 * that snapshot replaces starting the interpreter and importing pydicom; if it cannot be
 * used, Python starts the ordinary way from the same files. numpy is not in the snapshot:
 * reading tags does not need it. Its archive downloads during start-up, and once Python is up
 * the worker writes it into site-packages and re-imports the core with it
 * (dicomtab.numpy_later), before any pixel request is answered. Each WebAssembly image codec
 * (./codecs/) is compiled when a request first needs its transfer syntax (PREPARE_PIXELS, which
 * the page sends once Python is up, needs them all) and registered with the core's decoders.
 */
import { loadPyodide } from '../../pyodide/pyodide.mjs';
import {
  BOOT_STAGES, Event, READER_PORT, Request, makeEvent, makeFailure, makeSuccess, openTailStart,
} from '../shared/protocol.js';
import { unpackSitePackages } from './site-packages.js';
// A few lines that load nothing until the first detection: imported with the worker, so that
// registering them adds no request to the path of the first image.
import { textDetector } from './ocr/detector.js';

const RUNTIME_URL = new URL('../../pyodide/', import.meta.url).href;
const CODECS_URL = new URL('../../codecs/', import.meta.url).href;
const OCR_URL = new URL('../../ocr/', import.meta.url).href;
/**
 * The files Python boots from (names under pyodide/, derived from their content) and the
 * Subresource Integrity of the two this worker downloads itself; the builder fills it in.
 * @type {{stdlib: string, sitePackages: string, snapshot: string, snapshotSize: number,
 *         numpy: string, vocabulary: string,
 *         integrity: {sitePackages: string, snapshot: string, numpy: string, vocabulary: string},
 *         textDetector: import('./ocr/detector.js').DetectorFiles}}
 */
const BOOT_FILES = /** @type {any} */ ("__BOOT_FILES__");
/** If Python is not up by then, look for the usual cause before the user gives up. */
const SLOW_BOOT_MS = 20000;

/** @type {any} the Python module dicomtab.worker_api */
let api = null;
/** @type {any} the Pyodide instance */
let pyodide = null;
/** @type {?Promise<void>} numpy, once installed and the core re-imported with it */
let pixelsPrepared = null;
/** @type {?Promise<ArrayBuffer>} numpy's archive (the tar), downloading from the start */
let numpyArchive = null;
/** @type {string} Python's site-packages folder, where numpy's files go */
let sitePackagesDir = '';
/** @type {Map<string, Promise<void>>} a codec load per transfer syntax, begun when first needed */
const codecsBySyntax = new Map();
/**
 * The codecs' JS (a few small modules; each codec's WebAssembly is fetched and compiled only
 * when needed), imported once Python is up, not ahead of its start-up.
 * @type {?Promise<typeof import('./codecs/index.js')>}
 */
let codecModules = null;
/** Requests about one instance's frames: they need only the codec of that instance's syntax. */
const FRAME_REQUESTS = new Set(/** @type {string[]} */ ([
  Request.FRAME, Request.FRAME_DIGEST, Request.FRAME_NPY, Request.OBJECT_INFO, Request.OVERLAY,
]));
/** @type {?Promise<void>} the free-text vocabulary, once written where the core reads it */
let vocabularyPlaced = null;
/** Requests that clean free text, or look for what cleaning left: they first need the vocabulary. */
const NEEDS_VOCABULARY = new Set(/** @type {string[]} */ ([Request.DEID_BEGIN, Request.DEID_PREVIEW, Request.VERIFY]));

reportNetwork();
const booted = boot();

/**
 * @param {'runtime'|'import'|'ready'} stage one of BOOT_STAGES
 */
function progress(stage) {
  const step = /** @type {typeof BOOT_STAGES[number]} */ (BOOT_STAGES.find((s) => s.stage === stage));
  self.postMessage(makeEvent(Event.BOOT_PROGRESS, step));
}

/**
 * Download one of BOOT_FILES and inflate it (gzip); rejects on an HTTP error or on bytes
 * other than the build's.
 * @param {'sitePackages'|'snapshot'|'numpy'} key
 * @returns {Promise<ArrayBuffer>}
 */
async function download(key) {
  const name = BOOT_FILES[key];
  const response = await fetch(new URL(name, RUNTIME_URL), { integrity: BOOT_FILES.integrity[key] });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  // A successful GET's body is never null.
  return new Response(/** @type {ReadableStream<Uint8Array>} */ (response.body)
    .pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}

/**
 * Download and inflate the site-packages archive and the snapshot, then numpy's archive, in a
 * helper worker (inflate-worker.js), keeping this thread free for Pyodide's own start-up.
 * @returns {{sitePackages: Promise<ArrayBuffer>, snapshot: Promise<ArrayBuffer>, numpy: Promise<ArrayBuffer>}}
 */
function downloadInHelper() {
  /** @type {Array<'sitePackages'|'snapshot'|'numpy'>} */
  const keys = ['sitePackages', 'snapshot', 'numpy'];
  /** @type {Object<string, {resolve: function(ArrayBuffer): void, reject: function(Error): void}>} */
  const waiting = {};
  const results = /** @type {{sitePackages: Promise<ArrayBuffer>, snapshot: Promise<ArrayBuffer>, numpy: Promise<ArrayBuffer>}} */ (
    Object.fromEntries(keys.map((key) => [key, new Promise((resolve, reject) => {
      waiting[key] = { resolve, reject };
    })])));
  const helper = new Worker(new URL('./inflate-worker.js', import.meta.url), { name: 'dicomtab-inflate' });
  helper.addEventListener('message', ({ data }) => {
    if (data.requests) {
      self.postMessage(makeEvent(Event.NETWORK, { requests: data.requests }));
      helper.terminate();
    } else if (data.error) {
      waiting[data.key].reject(new Error(data.error));
    } else {
      waiting[data.key].resolve(data.buffer);
    }
  });
  helper.addEventListener('error', (event) => {
    keys.forEach((key) => waiting[key].reject(new Error(`inflate-worker.js: ${event.message}`)));
  });
  const file = (/** @type {'sitePackages'|'snapshot'|'numpy'} */ key) => ({
    key, url: new URL(BOOT_FILES[key], RUNTIME_URL).href, integrity: BOOT_FILES.integrity[key],
  });
  // numpy after the start-up files: side by side, it held Python's start-up back (measured).
  helper.postMessage({ files: [file('sitePackages'), file('snapshot')], later: [file('numpy')] });
  return results;
}

/**
 * Fetch the free-text cleaner's vocabulary (checked against the build's hash) and write it
 * where the core reads its data (dicomtab/data/), once: it is needed from the first
 * de-identification on, never at start-up.
 * @returns {Promise<void>}
 */
function placeVocabulary() {
  if (!vocabularyPlaced) {
    vocabularyPlaced = (async () => {
      const response = await fetch(new URL(BOOT_FILES.vocabulary, RUNTIME_URL), {
        integrity: BOOT_FILES.integrity.vocabulary,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const folder = pyodide.runPython('import dicomtab, os; os.path.join(os.path.dirname(dicomtab.__file__), "data")');
      pyodide.FS.writeFile(`${folder}/text_vocabulary.txt.gz`, bytes);
    })();
    vocabularyPlaced.catch(() => { vocabularyPlaced = null; }); // a later run tries again
  }
  return vocabularyPlaced;
}

/**
 * Start the interpreter, from the build's memory snapshot when one is given.
 * @param {Promise<ArrayBuffer>} sitePackages the site-packages archive
 * @param {?Promise<ArrayBuffer>} snapshot
 */
function startInterpreter(sitePackages, snapshot) {
  return loadPyodide({
    indexURL: RUNTIME_URL,
    stdLibURL: new URL(BOOT_FILES.stdlib, RUNTIME_URL).href,
    // pydicom and the core, written into site-packages before Python first looks there.
    fsInit: async (FS, { sitePackages: target }) => {
      sitePackagesDir = target;
      unpackSitePackages(FS, target, await sitePackages);
    },
    // _snapshotSize is ours (a pinned patch of pyodide.mjs): the module is created, and its
    // WebAssembly compiled, while the snapshot is still on its way.
    ...(snapshot ? { _loadSnapshot: snapshot, _snapshotSize: BOOT_FILES.snapshotSize } : {}),
    stderr: (line) => console.warn('[python]', line),
  });
}

/**
 * Python with `dicomtab.worker_api` imported: restored from the snapshot (the core already
 * imported in it), or, if that fails for any reason, started and imported the ordinary way.
 * @param {Timings} timings filled in
 * @returns {Promise<any>} the worker_api module
 */
async function startPython(timings) {
  const t0 = performance.now();
  // Every download starts now, side by side with Pyodide's own (wasm, stdlib, lock).
  const helped = downloadInHelper();
  // The archive is needed either way: without the helper, this thread fetches it itself.
  const sitePackages = helped.sitePackages.catch(() => download('sitePackages'));
  numpyArchive = helped.numpy.catch(() => download('numpy'));
  numpyArchive.catch(() => {}); // awaited when pixels are prepared, which report its failure
  const snapshot = helped.snapshot.then((buffer) => {
    // Memory was sized by BOOT_FILES before these bytes arrived: they must agree exactly.
    if (buffer.byteLength !== BOOT_FILES.snapshotSize) throw new Error('snapshot size mismatch');
    return buffer;
  });
  sitePackages.catch(() => {}); // awaited below; this only keeps the console quiet meanwhile
  snapshot.catch(() => {});
  try {
    pyodide = await startInterpreter(sitePackages, snapshot);
    restoreCountArgs(pyodide._module);
    timings.runtime = performance.now() - t0;
    progress('import');
    const module = pyodide.pyimport('dicomtab.worker_api');
    module.resume_after_snapshot();
    timings.snapshot = true;
    return module;
  } catch (error) {
    // The snapshot is an optimisation tied to one Pyodide build: never a reason not to start.
    console.warn('dicomtab: starting Python without the start-up snapshot:', String(error));
    pyodide = await startInterpreter(sitePackages, null);
    timings.runtime = performance.now() - t0;
    progress('import');
    const module = pyodide.pyimport('dicomtab.worker_api');
    timings.snapshot = false;
    return module;
  }
}

/**
 * Undo what the snapshot cannot know about this browser: CPython calls C functions through a
 * helper that counts their arguments, made at start-up with WebAssembly GC where the engine
 * has it (Pyodide 0.27's preRun writes its table index into `_PyRuntime`). The snapshot is
 * made under Node, which lacks it, so restoring the snapshot writes 0 there, and every call
 * would then go through a JavaScript trampoline: correct, but WebAssembly stack switching
 * (JSPI) cannot suspend across JavaScript frames, so Python could never wait for the text
 * detector (pyodide.ffi.run_sync). Put this browser's helper back, exactly where preRun put it.
 * @param {any} module Pyodide's private Emscripten module (pinned 0.27.7)
 */
function restoreCountArgs(module) {
  const helper = module._PyEM_CountArgsPtr;
  if (!helper) return; // none in this browser: trampolines it is, and no JSPI either
  const offset = module.HEAP32[module.__PyEM_EMSCRIPTEN_COUNT_ARGS_OFFSET / 4];
  module.HEAP32[(module.__PyRuntime + offset) / 4] = helper;
}

/**
 * Start-up times (milliseconds) and whether Python was restored from the snapshot, as
 * Event.BOOT_READY reports them.
 * @typedef {{runtime: number, import: number, snapshot: boolean}} Timings
 */

async function boot() {
  const timings = /** @type {Timings} */ ({}); // filled in by startPython and below
  const t0 = performance.now();
  const watchdog = setTimeout(diagnoseSlowBoot, SLOW_BOOT_MS);
  try {
    progress('runtime');
    api = await startPython(timings);
    timings.import = performance.now() - t0 - timings.runtime;
    clearTimeout(watchdog);
    progress('ready');
    // The caches' budgets, by this device's memory (the core decides; the page's frame cache
    // takes its own from here).
    const budgets = JSON.parse(api.configure_memory(self.navigator.deviceMemory ?? null)).payload;
    self.postMessage(makeEvent(Event.BOOT_READY, { version: api.version(), timings, budgets }));
    // Now, not when the page asks: the first image needs numpy. In a task of its own, so that
    // requests already waiting for start-up (a file chosen meanwhile) are answered first;
    // requests that need no pixels are also answered between its steps.
    setTimeout(() => { preparePixels().catch(() => {}); }, 0);
    codecModules = import('./codecs/index.js');
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
  // A request the policy refused was never sent; the page counts it apart.
  self.addEventListener('securitypolicyviolation', (event) => {
    const violation = /** @type {SecurityPolicyViolationEvent} */ (event);
    self.postMessage(makeEvent(Event.NETWORK, { blocked: [{
      url: violation.blockedURI, directive: violation.effectiveDirective,
      time: performance.timeOrigin + violation.timeStamp,
    }] }));
  });
}

/**
 * Install numpy and re-import the core with it, once, whoever asks first: write the archive
 * (downloaded during start-up) into site-packages and load its WebAssembly libraries, as
 * `loadPackage` does for a wheel (compiled off this thread; `import numpy` would otherwise
 * compile each on this thread as it first imports it), then import it.
 * @returns {Promise<void>}
 */
function preparePixels() {
  pixelsPrepared ??= (async () => {
    const written = unpackSitePackages(pyodide.FS, sitePackagesDir, await (numpyArchive ?? download('numpy')));
    // Pyodide 0.27's loader (pinned), as loadPackage calls it: local symbols, like dlopen.
    for (const library of written.filter((file) => file.endsWith('.so'))) {
      await pyodide._api.loadDynlib(library, false, []);
    }
    api = pyodide.pyimport('dicomtab.numpy_later').reimport_with_numpy();
    // Registered now, loaded on the first detection (a file that needs its burned-in text found).
    const ffi = pyodide.pyimport('pyodide.ffi');
    const detect = textDetector(OCR_URL, BOOT_FILES.textDetector);
    // The probabilities reach Python as a float32 memoryview (its proxy is left to the garbage
    // collector: Python takes it when the promise settles, which may be after a request ends).
    const forward = async (/** @type {any} */ tensor, /** @type {number} */ height, /** @type {number} */ width) => (
      pyodide.toPy(await detect(tensor, height, width)));
    api.register_text_detector(forward, ffi.run_sync, ffi.can_run_sync);
    ffi.destroy();
  })();
  return pixelsPrepared;
}

/**
 * The image codecs of `syntaxes`, each fetched, compiled and registered with the core the
 * first time one of its syntaxes is needed. Never rejects: a codec that fails to load is left
 * out (the core then says which syntaxes cannot be shown), so a broken codec never stops the
 * rest of the viewer. Called once the core has numpy (registrations go to that core).
 * @param {string[]} syntaxes transfer syntax UIDs (none: every one; those no codec here decodes are ignored)
 * @returns {Promise<void>}
 */
async function ensureCodecs(syntaxes) {
  /** @type {typeof import('./codecs/index.js')} */
  let codecs;
  try {
    codecs = await (codecModules ??= import('./codecs/index.js'));
  } catch (/** @type {any} */ error) {
    console.warn('dicomtab: image codecs unavailable:', error && error.name);
    return;
  }
  const wanted = syntaxes.length ? syntaxes : codecs.ALL_SYNTAXES;
  const missing = [...new Set(wanted)].filter((uid) => codecs.ALL_SYNTAXES.includes(uid) && !codecsBySyntax.has(uid));
  if (missing.length) {
    const loading = codecs.loadCodecs(CODECS_URL, missing).then((loaded) => {
      for (const codec of loaded) {
        const decode = (/** @type {any} */ encoded, /** @type {any} */ info) => decodeWith(codec, encoded, info);
        for (const uid of codec.transferSyntaxes) api.register_decoder(uid, decode, codec.name);
      }
    }).catch((/** @type {any} */ error) => {
      console.warn('dicomtab: image codecs unavailable:', error && error.name);
    });
    // A codec loads all its syntaxes: later requests for its other syntaxes wait for this load.
    for (const uid of missing) codecsBySyntax.set(uid, loading);
  }
  await Promise.all(wanted.map((uid) => codecsBySyntax.get(uid)));
}

/**
 * The transfer syntaxes a pixel request may need decoded: the instance's own for a frame
 * request (so a native image never waits for a codec), a series' for its preview, else every
 * one (an empty list).
 * @param {{type: string, payload: {instanceId?: string, instanceIds?: string[]}}} request
 * @returns {string[]}
 */
function syntaxesFor(request) {
  if (request.type === Request.SERIES_PREVIEW) {
    // The core picks which image of the series; the series' syntaxes cover it.
    const ids = /** @type {string[]} */ (request.payload.instanceIds || []);
    return [...new Set(ids.map((id) => String(api.transfer_syntax(String(id)))))].filter(Boolean);
  }
  const uid = FRAME_REQUESTS.has(request.type) ? String(api.transfer_syntax(String(request.payload.instanceId))) : '';
  return uid ? [uid] : [];
}

/**
 * Call the core with plain Python values: a byte array becomes a memoryview and an array a
 * list (pyodide.toPy), each proxy destroyed once the call returns. The core takes and
 * returns plain values only (dicomtab.worker_api): every Pyodide proxy is handled here.
 * @template R
 * @param {function(...any): R} call  a function of the core
 * @param {...unknown} args
 * @returns {R}
 */
function callCore(call, ...args) {
  const converted = args.map((value) => (ArrayBuffer.isView(value) || Array.isArray(value)
    ? pyodide.toPy(value) : value));
  try {
    return call(...converted);
  } finally {
    converted.forEach((value, i) => { if (value !== args[i]) /** @type {any} */ (value).destroy(); });
  }
}

/**
 * Proxies of values JS callbacks handed back to Python while requests ran (Python holds its
 * own references to what it took): destroyed when a request is answered, so that a file's
 * bytes are not kept until the garbage collector gets to the proxy.
 * @type {Array<{destroy: function(): void}>}
 */
const handedBack = [];

/**
 * A value for Python to take as the result of a JS callback (see handedBack).
 * @param {unknown} value
 */
function handBack(value) {
  const proxy = pyodide.toPy(value);
  handedBack.push(proxy);
  return proxy;
}

/**
 * A JS function returning bytes, as the core calls it: what it returns reaches Python as a
 * memoryview.
 * @param {function(...any): Uint8Array} read
 * @returns {function(...any): any}
 */
function returningBytes(read) {
  return (...args) => handBack(read(...args));
}

/**
 * Call a JS codec from Python: `encoded` (bytes) and `info` (dict) arrive as proxies; the
 * decoded frame goes back as a dict {data: memoryview, dtype, photometric} (None when the
 * codec does not say), as dicomtab.worker_api.register_decoder takes it.
 * @param {import('./codecs/index.js').JsCodec} codec
 * @param {any} encoded
 * @param {any} info
 */
function decodeWith(codec, encoded, info) {
  const view = encoded.getBuffer('u8');
  try {
    // A view into Python's heap, valid during this call; the codec copies it into its own.
    const out = codec.decode(view.data, info.toJs({ dict_converter: Object.fromEntries }));
    const decoded = out instanceof Uint8Array ? { data: out } : out;
    return handBack({
      data: decoded.data, dtype: decoded.dtype ?? null, photometric: decoded.photometric ?? null,
    });
  } finally {
    view.release();
  }
}

/**
 * Run a Python call returning `(json, bytes | None)` (see dicomtab.worker_api) and hand the
 * bytes over as one ArrayBuffer: a single copy out of the WebAssembly heap, then transferred
 * to the page without another.
 * @param {any} proxy the returned tuple
 * @returns {{json: string, buffer: ?ArrayBuffer}}
 */
function takeBinary(proxy) {
  try {
    const json = proxy.get(0);
    const data = proxy.get(1);
    if (!data) return { json, buffer: null };
    const view = data.getBuffer('u8');
    try {
      return { json, buffer: view.data.slice().buffer };
    } finally {
      view.release();
      data.destroy();
    }
  } finally {
    proxy.destroy();
  }
}

/**
 * A handler's answer: the JSON text of dicomtab.worker_api's envelope, with the bytes some
 * requests answer with.
 * @typedef {string|{json: string, buffer: ?ArrayBuffer}} PythonAnswer
 */

/**
 * Handlers by request type, each typed by its request's payload (protocol.js's RequestMap).
 * @template {PythonAnswer} A
 * @typedef {{[T in import('../shared/protocol.js').RequestType]?:
 *   function(import('../shared/protocol.js').PayloadOf<T>): (A|Promise<A>)}} Handlers
 */

/**
 * Pixel requests: each first waits for numpy and the codecs; those answering with bytes
 * return {json, buffer}, the buffer going into the payload's `buffer`.
 * @type {Handlers<PythonAnswer>}
 */
const PIXEL_HANDLERS = {
  // Answered once numpy and every codec are in (each request waits for what it needs).
  [Request.PREPARE_PIXELS]: () => api.decoders(),
  [Request.DECODERS]: () => api.decoders(),
  [Request.OBJECT_INFO]: ({ instanceId }) => api.object_info(instanceId),
  [Request.FRAME]: ({ instanceId, index }) => takeBinary(api.frame_buffer(instanceId, index | 0)),
  [Request.FRAME_DIGEST]: ({ instanceId, index }) => api.frame_digest(instanceId, index | 0),
  [Request.FRAME_NPY]: ({ instanceId, index }) => takeBinary(api.frame_npy(instanceId, index | 0)),
  [Request.SERIES_PREVIEW]: ({ instanceIds, size }) => takeBinary(
    callCore(api.series_preview, instanceIds, size | 0)),
  [Request.OVERLAY]: ({ instanceId, index, group }) => takeBinary(
    api.overlay(instanceId, index | 0, String(group)),
  ),
  [Request.DOCUMENT]: ({ instanceId }) => takeBinary(api.document(instanceId)),
  [Request.WAVEFORM]: ({ instanceId, index }) => takeBinary(api.waveform(instanceId, index | 0)),
  // Not pixels, but a run must not begin before the core is re-imported with numpy (which
  // makes every module anew, and would forget the run): it waits for that like a frame does.
  [Request.DEID_BEGIN]: ({ profile, key, options }) => callCore(
    api.deid_begin, JSON.stringify(profile), new Uint8Array(key.bytes), key.name, JSON.stringify(options || {}),
  ),
  // Entered with callPromising: Python may wait (run_sync) for the text detector's promise.
  [Request.DEID_FILE]: async ({ instanceId }) => takeBinary(await api.deid_file.callPromising(instanceId)),
  [Request.DETECT_TEXT]: ({ instanceId, index }) => api.detect_text.callPromising(instanceId, index | 0),
  // Not pixels either, but its byte scan uses numpy (dicomtab.deid.bytescan); no codec.
  [Request.VERIFY]: ({ instanceIds, records }) => callCore(api.verify_open, instanceIds ?? null, JSON.stringify(records || [])),
};
/** Requests of PIXEL_HANDLERS that need numpy but no image codec. */
const NO_CODECS = new Set(/** @type {string[]} */ ([Request.VERIFY]));

/**
 * Open one file of an OPEN in Python, from the head and tail the head reader read (OpenFile).
 * Python reads on synchronously, in the middle of the call, when the header is longer, and
 * reads all of the file when its pixels are needed (dicomtab.file_head). Returns the JSON
 * result.
 * @param {import('../shared/protocol.js').OpenFile} given
 * @returns {string}
 */
function openFile({ name, file, head, tail, unreadable }) {
  if (unreadable) return callCore(api.refuse_unreadable, name, unreadable);
  const last = tail ? new Uint8Array(tail) : null;
  const from = openTailStart(file.size);
  const readAll = () => new Uint8Array(new FileReaderSync().readAsArrayBuffer(file));
  const read = (/** @type {number} */ start, /** @type {number} */ end) => (last && start >= from
    ? last.subarray(start - from, end - from)
    : new Uint8Array(new FileReaderSync().readAsArrayBuffer(file.slice(start, end))));
  return callCore(api.open_file_by_parts, new Uint8Array(head || new ArrayBuffer(0)), file.size, name,
    // The whole file goes as it is: Python copies it once (worker_api.JsBuffer), where a
    // converted memoryview would hold it twice in WebAssembly memory, which never shrinks.
    returningBytes(read), readAll);
}

/** @type {Handlers<string>} request type → Python call (JSON text) */
const HANDLERS = {
  // Parsed at once, in the order the batches came (the head reader keeps the page's order),
  // so instance ids follow the page's order. Each file's result is already JSON: joined, not
  // parsed and written again.
  [Request.OPEN]: ({ files }) => `{"status": "success", "payload": [${files.map(openFile).join(',')}]}`,
  [Request.INSTANCES]: () => api.list_instances(),
  // The File handles of OPEN live only in the read functions handed to Python: closing drops
  // them with the instance (Pyodide releases a JS object once Python lets go of its proxy).
  [Request.CLOSE]: ({ instanceIds }) => callCore(api.close_instances, instanceIds),
  [Request.OPEN_DAMAGED]: ({ name, bytes }) => callCore(api.open_damaged, new Uint8Array(bytes), name),
  [Request.TREE]: ({ instanceId, phiOnly }) => api.tree(instanceId, Boolean(phiOnly)),
  [Request.TAGS]: ({ instanceId, binary, includeMeta, phiOnly }) => api.tags(
    instanceId, binary || 'inline', Boolean(includeMeta), Boolean(phiOnly),
  ),
  [Request.PHI_SUMMARY]: ({ instanceId }) => api.phi_summary(instanceId),
  [Request.VALUE_OF]: ({ instanceId, path }) => api.value_of(instanceId, path),
  [Request.SEARCH]: ({ instanceId, query }) => api.search(instanceId, query),
  [Request.DIFF]: ({ a, b }) => api.diff(a, b),
  [Request.SERIES_DIFF]: ({ instanceIds }) => callCore(api.series_diff, instanceIds),
  [Request.EXPORT_CSV]: ({ instanceId, phiOnly }) => api.export_csv(instanceId, Boolean(phiOnly)),
  [Request.EXPORT_DUMP]: ({ instanceId, phiOnly }) => api.export_dump(instanceId, Boolean(phiOnly)),
  [Request.DICOMDIR]: ({ instanceId }) => api.dicomdir(instanceId),
  [Request.STUDY_PHI]: ({ instanceIds, studyOf }) => callCore(api.study_phi, instanceIds ?? null, studyOf ?? null),
  [Request.STUDY_PHI_VALUES]: ({ row, instanceIds, studyOf }) => callCore(
    api.study_phi_values, String(row), instanceIds ?? null, studyOf ?? null,
  ),
  [Request.STUDY_PHI_EXPORT]: ({ form, values, instanceIds, studyOf }) => callCore(
    api.study_phi_export, String(form), Boolean(values), instanceIds ?? null, studyOf ?? null,
  ),
  [Request.STACK]: ({ instanceIds }) => callCore(api.stack, instanceIds),
  [Request.DEID_PROFILES]: () => api.deid_profiles(),
  [Request.DEID_CHECK_PROFILE]: ({ profile }) => api.deid_check_profile(JSON.stringify(profile)),
  [Request.DEID_NEW_KEY]: () => api.deid_new_key(),
  [Request.DEID_KEY_INFO]: ({ key }) => callCore(api.deid_key_info, new Uint8Array(key.bytes), key.name),
  [Request.DEID_REGIONS]: ({ name, text }) => api.deid_regions(String(text), String(name)),
  [Request.REDACTION_TEMPLATE]: ({ instanceId, boxes, scope }) => api.redaction_template(
    instanceId, JSON.stringify(boxes || []), String(scope),
  ),
  [Request.DEID_FLAGS]: ({ instanceIds, profile }) => callCore(api.deid_flags, instanceIds, JSON.stringify(profile)),
  [Request.DEID_PREVIEW]: ({ instanceId, profile, key }) => callCore(
    api.deid_preview, instanceId, JSON.stringify(profile), new Uint8Array(key.bytes), key.name,
  ),
  [Request.DEID_STORED]: ({ path, ok, reason }) => api.deid_stored(path, Boolean(ok), reason || ''),
  [Request.DEID_FINISH]: () => api.deid_finish(),
  [Request.DEID_CROSSWALK]: () => api.deid_crosswalk(),
  [Request.DEID_END]: () => api.deid_end(),
  // No Python: the size of Python's WebAssembly memory (Pyodide's private module, as 0.27 has it).
  [Request.MEMORY]: () => JSON.stringify({
    status: 'success', payload: { wasmMemory: pyodide._module.HEAPU8.length },
  }),
};

/**
 * Answer one request: its Python result (JSON text, maybe with bytes) as a response message.
 * @param {{id: number, type: string, payload: any}} request  as the page sent it (makeRequest)
 */
async function answer(request) {
  // Any string may arrive: one that is no request type finds no handler.
  const type = /** @type {import('../shared/protocol.js').RequestType} */ (request.type);
  const pixelHandler = PIXEL_HANDLERS[type];
  const handler = pixelHandler || HANDLERS[type];
  if (!api || !handler) {
    const message = api ? `Unknown request ${request.type}.` : 'Python is not running in this tab.';
    self.postMessage(makeFailure(request, { code: 'unavailable', message }));
    return;
  }
  if (NEEDS_VOCABULARY.has(request.type)) {
    try {
      await placeVocabulary();
    } catch (/** @type {any} */ error) {
      console.error('dicomtab: the free-text vocabulary could not be loaded', error && error.name);
      self.postMessage(makeFailure(request, {
        code: 'unavailable',
        message: 'The word list for free text could not be loaded, so text can be neither cleaned nor checked. Reload the page to try again.',
      }));
      return;
    }
  }
  if (pixelHandler) {
    try {
      await preparePixels();
      if (!NO_CODECS.has(request.type)) await ensureCodecs(syntaxesFor(request));
    } catch (/** @type {any} */ error) {
      console.error('dicomtab: numpy could not be loaded', error && error.name);
      self.postMessage(makeFailure(request, {
        code: 'pixels-unavailable',
        message: 'The image decoders could not be loaded in this tab; tags can still be inspected. Reload the page to try again.',
      }));
      return;
    }
  }
  try {
    const out = await handler(request.payload);
    const { json, buffer } = typeof out === 'string' ? { json: out, buffer: null } : out;
    const result = JSON.parse(json);
    if (result.status !== 'success') {
      self.postMessage(makeFailure(request, result.error));
    } else if (buffer) {
      const payload = request.type === Request.FRAME
        ? { description: result.payload, buffer } : { ...result.payload, buffer };
      self.postMessage(makeSuccess(request, payload), [buffer]);
    } else {
      self.postMessage(makeSuccess(request, result.payload));
    }
  } catch (/** @type {any} */ error) {
    // The core turns file problems into data; reaching this is a bug (or numpy failed to
    // load). Log the class only: a message could quote file content.
    console.error('dicomtab: request failed', request.type, error && error.name);
    self.postMessage(makeFailure(request, unexpected(error)));
  } finally {
    // Callbacks run synchronously inside Python calls: all Python took is its own by now.
    for (const proxy of handedBack.splice(0)) proxy.destroy();
  }
}

/**
 * What a request, or one file of an OPEN, failing outside Python says.
 * @param {any} error
 * @returns {import('../shared/protocol.js').ProtocolError}
 */
function unexpected(error) {
  return error instanceof RangeError
    // A buffer JavaScript could not allocate (a file's slice, a frame handed over).
    ? { code: 'memory', message: 'Not enough memory is left in this tab for that; close some files or series (or reload the page) and try again.' }
    : { code: 'internal', message: 'Internal error; the worker is still running.' };
}

/** @param {MessageEvent} event a request, from the page or through the head reader */
async function onRequest(event) {
  await booted;
  await answer(event.data);
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== READER_PORT) {
    onRequest(event);
    return;
  }
  const [port] = event.ports;
  port.addEventListener('message', onRequest);
  port.start();
});
