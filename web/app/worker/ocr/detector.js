/**
 * The text detector's forward pass in the tab: PP-OCRv4's detection network (the ONNX file
 * CPython runs with onnxruntime) on onnxruntime-web's WebAssembly backend, both pinned and
 * self-hosted in dist/ocr/. Everything around the network (scaling, thresholds, boxes) is
 * Python's (dicomtab.pixels.text_detection), so the tab and the CLI find the same boxes.
 *
 * Nothing is loaded until the first call: the runtime (14 MB of WebAssembly) and the model
 * (4.7 MB) are fetched, checked against the build's hashes and instantiated then, once.
 * @module ocr/detector
 */

/**
 * What the builder fills in: file names under ocr/ and the Subresource Integrity of the two
 * large files, which are fetched as bytes and handed to the runtime (its two small modules
 * are imported from this origin, as the codecs are).
 * @typedef {{model: string, runtime: string, wasm: string,
 *            integrity: {model: string, wasm: string}}} DetectorFiles
 */

/** @type {?Promise<{session: import('../../../ocr/ort.wasm.min.mjs').InferenceSession,
 *                   Tensor: typeof import('../../../ocr/ort.wasm.min.mjs').Tensor}>} */
let loaded = null;

/**
 * Fetch one file of ocr/ as bytes, checked against its hash.
 * @param {URL} url
 * @param {string} integrity
 */
async function bytesOf(url, integrity) {
  const response = await fetch(url, { integrity });
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Load onnxruntime-web and the model, once (a failure is retried on the next call).
 * @param {string} baseUrl the site's ocr/ folder, ending in a slash
 * @param {DetectorFiles} files
 */
function load(baseUrl, files) {
  loaded ??= (async () => {
    const [wasm, model] = await Promise.all([
      bytesOf(new URL(files.wasm, baseUrl), files.integrity.wasm),
      bytesOf(new URL(files.model, baseUrl), files.integrity.model),
    ]);
    const ort = /** @type {import('../../../ocr/ort.wasm.min.mjs')} */ (
      await import(new URL(files.runtime, baseUrl).href));
    ort.env.wasm.numThreads = 1; // no cross-origin isolation needed: the site sets none
    ort.env.wasm.proxy = false;  // already off the page's thread, in this worker
    ort.env.wasm.wasmPaths = baseUrl;
    ort.env.wasm.wasmBinary = wasm;
    ort.env.logLevel = 'error';
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    return { session, Tensor: ort.Tensor };
  })();
  loaded.catch(() => { loaded = null; });
  return loaded;
}

/**
 * The forward pass Python calls (dicomtab.worker_api.register_text_detector): the network's
 * input as a numpy float32 array (a Pyodide proxy) of 1 x 3 x height x width, and the text
 * probability of every pixel back, height x width.
 * @param {string} baseUrl
 * @param {DetectorFiles} files
 * @returns {function(any, number, number): Promise<Float32Array>}
 */
export function textDetector(baseUrl, files) {
  return async (tensor, height, width) => {
    const view = tensor.getBuffer('f32');
    /** @type {Float32Array} */
    let input;
    try {
      input = view.data.slice(); // a copy: the view is into Python's memory, valid only now
    } finally {
      view.release();
    }
    const { session, Tensor } = await load(baseUrl, files);
    const feeds = { [session.inputNames[0]]: new Tensor('float32', input, [1, 3, height, width]) };
    const outputs = await session.run(feeds);
    return outputs[session.outputNames[0]].data;
  };
}
