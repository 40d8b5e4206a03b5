/**
 * The little a JPEG codec wrapper must know or change before decoding: the frame's sample
 * precision, and the markers from which libjpeg(-turbo) guesses the colour space.
 *
 * @module codecs/jpeg-header
 */

/**
 * @typedef {{precision: number, componentIds: number[]}} JpegHeader
 */

/** Markers without a length field: SOI, EOI, TEM, RST0-7. */
const STANDALONE = new Set([0xd8, 0xd9, 0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);
/** SOF0-15, less DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const isStartOfFrame = (/** @type {number} */ m) =>
  m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * @param {Uint8Array} data a JPEG codestream
 * @returns {JpegHeader}
 */
export function readJpegHeader(data) {
  /** @type {JpegHeader} */
  const header = { precision: 0, componentIds: [] };
  walk(data, (marker, at, body) => {
    if (!isStartOfFrame(marker)) return;
    header.precision = body[0];
    for (let c = 0; c < body[5]; c += 1) header.componentIds.push(body[6 + 3 * c]);
  });
  if (!header.precision) throw new Error('JPEG: no frame header');
  return header;
}

/**
 * Call `visit(marker, offset, body)` for each marker segment before the first scan.
 * @param {Uint8Array} data
 * @param {function(number, number, Uint8Array): void} visit
 */
function walk(data, visit) {
  let at = 2; // after SOI
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) throw new Error('JPEG: marker expected');
    const marker = data[at + 1];
    if (marker === 0xff) { at += 1; continue; } // fill byte
    if (STANDALONE.has(marker)) { at += 2; continue; }
    if (marker === 0xda) return; // SOS: the header is over
    const length = (data[at + 2] << 8) | data[at + 3];
    visit(marker, at, data.subarray(at + 4, at + 2 + length));
    at += 2 + length;
  }
}

/**
 * A copy of a three-component codestream that libjpeg(-turbo) decodes without any colour
 * conversion, the samples as coded: that is what pydicom gets from pylibjpeg-libjpeg (which
 * never converts), leaving YBR_FULL/YBR_FULL_422 to the pipeline and trusting RGB as stored.
 * libjpeg-turbo has no switch for it; it guesses the colour space from the markers
 * (jdapimin.c default_decompress_parms): JFIF means YCbCr, else an Adobe marker's transform
 * flag decides. So the JFIF and Adobe identifiers are defaced in place (the segments become
 * ones it ignores) and an Adobe marker with transform 0 ("RGB", i.e. none) is put after SOI.
 * @param {Uint8Array} data
 * @returns {Uint8Array}
 */
export function withoutColourTransform(data) {
  const out = new Uint8Array(data.length + ADOBE_NO_TRANSFORM.length);
  out.set(data.subarray(0, 2));
  out.set(ADOBE_NO_TRANSFORM, 2);
  out.set(data.subarray(2), 2 + ADOBE_NO_TRANSFORM.length);
  walk(out, (marker, at, body) => {
    if (at === 2) return; // ours
    if ((marker === 0xe0 && ascii(body, 5) === 'JFIF\0')
        || (marker === 0xee && ascii(body, 5) === 'Adobe')) {
      out[at + 4] = 0x58; // 'X': JFIF → XFIF, Adobe → Xdobe
    }
  });
  return out;
}

/** APP14 "Adobe", version 100, no flags, transform 0. */
const ADOBE_NO_TRANSFORM = new Uint8Array([
  0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

/** @param {Uint8Array} bytes @param {number} n */
function ascii(bytes, n) {
  return String.fromCharCode(...bytes.subarray(0, n));
}
