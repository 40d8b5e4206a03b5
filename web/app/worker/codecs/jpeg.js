/**
 * JPEG Baseline (Process 1) and Extended (Processes 2 & 4): 8-bit frames with libjpeg-turbo
 * (@cornerstonejs/codec-libjpeg-turbo-8bit), 12-bit frames with cornerstone's pdf.js-derived
 * `JpegImage` (plain JS, from @cornerstonejs/dicom-image-loader), as cornerstone does: the
 * libjpeg-turbo build handles 8-bit samples only.
 *
 * Colour comes back as coded, never converted (see `withoutColourTransform`), as from
 * pylibjpeg-libjpeg: the pipeline converts YBR_FULL/YBR_FULL_422 to RGB with pydicom's
 * arithmetic, so both worlds differ only by their IDCT and upsampling.
 *
 * @module codecs/jpeg
 */
import { bytesOf, checkGeometry, dtypeFor, loadEmscripten, runDecoder } from './common.js';
import { readJpegHeader, withoutColourTransform } from './jpeg-header.js';

export const name = 'jpeg';
/** The transfer syntaxes it decodes. */
export const transferSyntaxes = ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51'];

/**
 * Loads both back ends; the codec is usable if either loaded (each handles its precision).
 * @param {string|URL} baseUrl
 * @returns {Promise<import('./common.js').JsCodec>}
 */
export async function load(baseUrl) {
  const [turbo, jpegImage] = await Promise.allSettled([
    loadEmscripten(baseUrl, 'libjpegturbowasm_decode.js'),
    import(new URL('jpeg-12bit.js', baseUrl).href).then((m) => m.default),
  ]);
  if (turbo.status === 'rejected' && jpegImage.status === 'rejected') throw turbo.reason;
  /** @type {Map<number, function(Uint8Array, import('./common.js').FrameInfo): import('./common.js').DecodedFrame>} */
  const byPrecision = new Map();
  if (turbo.status === 'fulfilled') byPrecision.set(8, (e, i) => decode8(turbo.value, e, i));
  if (jpegImage.status === 'fulfilled') {
    byPrecision.set(12, (e, i) => decode12(jpegImage.value, e, i));
  }
  return {
    name,
    transferSyntaxes,
    decode(encoded, info) {
      const { precision } = readJpegHeader(encoded);
      const backend = byPrecision.get(precision);
      if (!backend) throw new Error(`jpeg: no decoder for ${precision}-bit samples here`);
      return backend(encoded, info);
    },
  };
}

/**
 * @param {import('./common.js').RenewableModule} module the libjpeg-turbo module
 * @param {Uint8Array} encoded
 * @param {import('./common.js').FrameInfo} info
 * @returns {import('./common.js').DecodedFrame}
 */
function decode8(module, encoded, info) {
  const colour = info.samples_per_pixel === 3;
  const { data, frame } = runDecoder(
    module, 'JPEGDecoder', colour ? withoutColourTransform(encoded) : encoded);
  checkGeometry(name, frame, info);
  return { data, dtype: dtypeFor(1, info) };
}

/**
 * @param {any} JpegImage the pdf.js-derived decoder class
 * @param {Uint8Array} encoded
 * @param {import('./common.js').FrameInfo} info
 * @returns {import('./common.js').DecodedFrame}
 */
function decode12(JpegImage, encoded, info) {
  const jpeg = new JpegImage();
  jpeg.parse(encoded);
  checkGeometry(name,
    { width: jpeg.width, height: jpeg.height, bitsPerSample: 12,
      componentCount: jpeg.components.length }, info);
  // getData16 handles one component only; 12-bit colour JPEG does not occur in DICOM.
  return { data: bytesOf(jpeg.getData16(info.columns, info.rows)), dtype: dtypeFor(2, info) };
}
