/**
 * JPEG 2000 (Part 1) with OpenJPEG, from @cornerstonejs/codec-openjpeg.
 *
 * OpenJPEG undoes the codestream's component transform (RCT/ICT), so YBR_RCT/YBR_ICT data
 * comes back as RGB, as from pylibjpeg-openjpeg; the pipeline knows (frames._CODEC_GIVES_RGB).
 *
 * @module codecs/openjpeg
 */
import { checkGeometry, dtypeFor, loadEmscripten, runDecoder } from './common.js';

export const name = 'openjpeg';
/** The transfer syntaxes it decodes. */
export const transferSyntaxes = ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91'];

/** @param {string|URL} baseUrl @returns {Promise<import('./common.js').JsCodec>} */
export async function load(baseUrl) {
  const module = await loadEmscripten(baseUrl, 'openjpegwasm_decode.js');
  return {
    name,
    transferSyntaxes,
    decode(encoded, info) {
      const { data, frame } = runDecoder(module, 'J2KDecoder', encoded);
      return j2kOutput(name, data, frame, info);
    },
  };
}

/**
 * A J2K-family decoder's output (samples interleaved, 1 or 2 bytes each by precision) as a
 * DecodedFrame. Shared with the HTJ2K codec, whose decoder has the same layout.
 * @param {string} codec
 * @param {Uint8Array} data
 * @param {import('./common.js').CodestreamInfo} frame
 * @param {import('./common.js').FrameInfo} info
 * @returns {import('./common.js').DecodedFrame}
 */
export function j2kOutput(codec, data, frame, info) {
  checkGeometry(codec, frame, info);
  if (frame.bitsPerSample > 16) throw new Error(`${codec}: ${frame.bitsPerSample}-bit samples`);
  const bytes = frame.bitsPerSample > 8 ? 2 : 1;
  return { data, dtype: dtypeFor(bytes, info) };
}
