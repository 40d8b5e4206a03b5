/**
 * High-Throughput JPEG 2000 (HTJ2K, Part 15) with OpenJPH, from @cornerstonejs/codec-openjph.
 *
 * @module codecs/openjph
 */
import { loadEmscripten, runDecoder } from './common.js';
import { j2kOutput } from './openjpeg.js';

export const name = 'openjph';
/** The transfer syntaxes it decodes. */
export const transferSyntaxes = [
  '1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203',
];

/** @param {string|URL} baseUrl @returns {Promise<import('./common.js').JsCodec>} */
export async function load(baseUrl) {
  const module = await loadEmscripten(baseUrl, 'openjphjs.js');
  return {
    name,
    transferSyntaxes,
    decode(encoded, info) {
      // Resolution level 0: the full image (the decoder can stop at a coarser level).
      const { data, frame } = runDecoder(
        module, 'HTJ2KDecoder', encoded, (decoder) => decoder.decodeSubResolution(0));
      return j2kOutput(name, data, frame, info);
    },
  };
}
