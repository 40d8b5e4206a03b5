/**
 * JPEG-LS (lossless and near-lossless) with CharLS, from @cornerstonejs/codec-charls.
 *
 * JPEG-LS cannot say whether samples are signed: signed data comes back as its unsigned bit
 * pattern, which the pipeline sign-extends from Bits Stored, as pydicom does.
 *
 * @module codecs/charls
 */
import { checkGeometry, dtypeFor, interleave, loadEmscripten, runDecoder } from './common.js';

export const name = 'charls';
/** The transfer syntaxes it decodes. */
export const transferSyntaxes = ['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'];

/** CharLS's interleave mode for one plane per component (ILV_NONE). */
const PLANAR = 0;

/** @param {string|URL} baseUrl @returns {Promise<import('./common.js').JsCodec>} */
export async function load(baseUrl) {
  const module = await loadEmscripten(baseUrl, 'charlswasm_decode.js');
  return {
    name,
    transferSyntaxes,
    decode(encoded, info) {
      let mode = -1;
      const { data, frame } = runDecoder(module, 'JpegLSDecoder', encoded, (decoder) => {
        decoder.decode();
        mode = decoder.getInterleaveMode();
      });
      checkGeometry(name, frame, info);
      const bytes = frame.bitsPerSample > 8 ? 2 : 1;
      // CharLS keeps the codestream's interleaving; ILV_NONE comes back one plane at a time.
      const pixels = frame.width * frame.height;
      const out = frame.componentCount > 1 && mode === PLANAR
        ? interleave(data, pixels, frame.componentCount, bytes) : data;
      return { data: out, dtype: dtypeFor(bytes, info) };
    },
  };
}
