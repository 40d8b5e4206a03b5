/**
 * VOI: modality values → 8-bit grey, exactly as the reference `display_uint8` in
 * py_core/dicomtab/pixels/voi.py (PS3.3 C.11.2.1.2: LINEAR, LINEAR_EXACT, SIGMOID; a VOI LUT
 * table clamped and scaled; y in [0, 1] → floor(255·y + 0.5); invert → 255 − that).
 *
 * Pure functions over numbers and typed arrays; no DOM. The same double-precision operations
 * in the same order as numpy's, so the results are equal, not merely close.
 * @module viewer/voi
 */

/**
 * How a frame is shown: a window (centre, width, function) or a VOI LUT table; and inversion.
 * @typedef {Object} Voi
 * @property {number} center
 * @property {number} width
 * @property {'LINEAR'|'LINEAR_EXACT'|'SIGMOID'} fn
 * @property {?{first: number, bits: number, data: number[]}} table  when set, the window is unused
 * @property {boolean} invert
 */

/**
 * The smallest width each function accepts (the reference refuses narrower ones).
 * @param {string} fn
 */
export function minWidth(fn) {
  return fn === 'LINEAR' ? 1 : 1e-6;
}

/**
 * Round half to even, as numpy's rint.
 * @param {number} x
 */
export function rint(x) {
  const r = Math.round(x);
  // Math.round rounds halves up; numpy rounds them to even.
  return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r;
}

/**
 * A function x → y in [0, 1] for the window or table of `voi` (not yet clipped or scaled).
 * @param {Voi} voi
 * @returns {function(number): number}
 */
export function unitFunction(voi) {
  if (voi.table) {
    const { first, data } = voi.table;
    const scale = (2 ** voi.table.bits) - 1;
    const last = data.length - 1;
    return (x) => {
      let i = rint(x) - first;
      i = i < 0 ? 0 : (i > last ? last : i);
      return data[i] / scale;
    };
  }
  const c = voi.center;
  const w = voi.width;
  if (voi.fn === 'SIGMOID') return (x) => 1 / (1 + Math.exp(-4 * (x - c) / w));
  if (voi.fn === 'LINEAR_EXACT') {
    const low = c - w / 2;
    const high = c + w / 2;
    return (x) => (x <= low ? 0 : (x > high ? 1 : (x - c) / w + 0.5));
  }
  if (w === 1) return (x) => (x <= c - 0.5 ? 0 : 1);
  const low = c - 0.5 - (w - 1) / 2;
  const high = c - 0.5 + (w - 1) / 2;
  const c0 = c - 0.5;
  const w1 = w - 1;
  return (x) => (x <= low ? 0 : (x > high ? 1 : (x - c0) / w1 + 0.5));
}

/**
 * A function x → grey byte, the reference mapping in full.
 * @param {Voi} voi
 * @returns {function(number): number}
 */
export function greyFunction(voi) {
  const unit = unitFunction(voi);
  const invert = voi.invert;
  return (x) => {
    const y = unit(x);
    // y ≤ 0 (and NaN, which numpy turns into 0) → 0; y ≥ 1 → 255.
    const g = y > 0 ? (y >= 1 ? 255 : Math.floor(y * 255 + 0.5)) : 0;
    return invert ? 255 - g : g;
  };
}

/** Opaque grey as one little-endian RGBA word. @param {number} g */
const rgba = (g) => (0xff000000 | (g << 16) | (g << 8) | g) >>> 0;

/** Largest lookup table built for integer data; wider ranges are mapped pixel by pixel. */
export const MAX_LUT = 1 << 22;

/**
 * A lookup table of RGBA words over the integer range [min, max].
 * @param {Voi} voi
 * @param {number} min
 * @param {number} max
 * @returns {Uint32Array}
 */
export function buildLut(voi, min, max) {
  const grey = greyFunction(voi);
  const lut = new Uint32Array(max - min + 1);
  for (let i = 0; i < lut.length; i++) lut[i] = rgba(grey(min + i));
  return lut;
}

/**
 * Map modality values to opaque grey RGBA words in `out` (a Uint32Array view of ImageData).
 * Integer data goes through a lookup table over [min, max] (one table per window change, then
 * one pass); float data, or an integer range too wide for a table, through the formula.
 * @param {Int32Array|Float32Array} values
 * @param {number} min  smallest value (integer data)
 * @param {number} max  largest value
 * @param {Voi} voi
 * @param {Uint32Array} out
 */
export function renderGrey(values, min, max, voi, out) {
  const n = values.length;
  if (values instanceof Int32Array && Number.isFinite(min) && Number.isFinite(max)
      && max - min < MAX_LUT) {
    const lut = buildLut(voi, min, max);
    for (let i = 0; i < n; i++) out[i] = lut[values[i] - min];
    return;
  }
  const grey = greyFunction(voi);
  for (let i = 0; i < n; i++) out[i] = rgba(grey(values[i]));
}

/**
 * RGB interleaved 8-bit → opaque RGBA words (inverted: 255 − each channel).
 * @param {Uint8Array} rgb
 * @param {Uint32Array} out
 * @param {boolean} [invert]
 */
export function renderRgb(rgb, out, invert = false) {
  const n = out.length;
  const flip = invert ? 0x00ffffff : 0;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = ((0xff000000 | (rgb[j + 2] << 16) | (rgb[j + 1] << 8) | rgb[j]) ^ flip) >>> 0;
  }
}
