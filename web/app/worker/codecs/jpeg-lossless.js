/**
 * JPEG Lossless, Non-Hierarchical (Process 14), any predictor, and its SV1 subset, with
 * jpeg-lossless-decoder-js (plain JS). Signed data comes back as its unsigned bit pattern,
 * which the pipeline sign-extends from Bits Stored, as it does for pydicom's output.
 *
 * @module codecs/jpeg-lossless
 */
import { bytesOf, checkGeometry, dtypeFor } from './common.js';
import { readJpegHeader } from './jpeg-header.js';

export const name = 'jpeg-lossless';
/** The transfer syntaxes it decodes. */
export const transferSyntaxes = ['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'];

/** @param {string|URL} baseUrl @returns {Promise<import('./common.js').JsCodec>} */
export async function load(baseUrl) {
  const { Decoder } = await import(new URL('jpeg-lossless.js', baseUrl).href);
  return {
    name,
    transferSyntaxes,
    decode(encoded, info) {
      const { precision, componentIds } = readJpegHeader(encoded);
      const bytes = precision > 8 ? 2 : 1;
      const decoder = new Decoder();
      const out = decoder.decode(encoded.buffer, encoded.byteOffset, encoded.length, bytes);
      checkGeometry(name, { width: decoder.frame.dimX, height: decoder.frame.dimY,
        bitsPerSample: precision, componentCount: componentIds.length }, info);
      return { data: bytesOf(out), dtype: dtypeFor(bytes, info) };
    },
  };
}
