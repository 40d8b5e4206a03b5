/**
 * The browser's decoders for the compressed transfer syntaxes pydicom cannot decode in
 * Pyodide (the JPEG family, JPEG-LS, JPEG 2000, HTJ2K), behind one interface.
 *
 * `loadCodecs(baseUrl, syntaxes)` instantiates codecs once, so that each `decode` is synchronous
 * and can be called from Python (the worker registers each codec's `decode` for each of its
 * `transferSyntaxes` with `dicomtab.pixels.decoders.REGISTRY.register`). `decode` follows
 * the Python `FrameDecoder` contract: see `common.js` and `dicomtab/pixels/decoders.py`.
 *
 * @module codecs
 */
import * as charls from './charls.js';
import * as jpeg from './jpeg.js';
import * as jpegLossless from './jpeg-lossless.js';
import * as openjpeg from './openjpeg.js';
import * as openjph from './openjph.js';

/** @typedef {import('./common.js').FrameInfo} FrameInfo */
/** @typedef {import('./common.js').DecodedFrame} DecodedFrame */
/** @typedef {import('./common.js').JsCodec} JsCodec */

const FAMILIES = [jpeg, jpegLossless, charls, openjpeg, openjph];

/** Every transfer syntax some codec here decodes. */
export const ALL_SYNTAXES = FAMILIES.flatMap((family) => family.transferSyntaxes);

/**
 * Load the codecs of `syntaxes` (all by default) from `baseUrl` (the site's `codecs/` folder:
 * `new URL('codecs/', siteRoot)`). Each codec's WebAssembly is fetched and compiled here, so
 * a caller that names the syntaxes it meets compiles only those. A codec that fails to load is
 * left out and named on the console; the others still work, and images of its syntaxes report
 * a missing codec.
 * @param {string|URL} baseUrl URL of dist/codecs/, ending in a slash
 * @param {string[]} [syntaxes] transfer syntax UIDs
 * @returns {Promise<JsCodec[]>}
 */
export async function loadCodecs(baseUrl, syntaxes = ALL_SYNTAXES) {
  const wanted = FAMILIES.filter((family) => family.transferSyntaxes.some((uid) => syntaxes.includes(uid)));
  const loaded = await Promise.allSettled(wanted.map((family) => family.load(baseUrl)));
  /** @type {JsCodec[]} */
  const codecs = [];
  loaded.forEach((result, i) => {
    if (result.status === 'fulfilled') codecs.push(result.value);
    // Only the name: a loader's error may be a long emscripten abort text.
    else console.warn(`dicomtab: the ${wanted[i].name} codec did not load`);
  });
  return codecs;
}
