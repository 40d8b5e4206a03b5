/**
 * Statistics of the modality values inside a region (rectangle or ellipse ROI), on the values
 * the viewer already holds (the worker sends modality values: HU for CT), and its area.
 * @module viewer/tools/roi-stats
 */
import { fmt } from '../presets.js';
import { calibrationOf } from './calibration.js';
import { box } from './tool.js';

/**
 * @typedef {Object} RoiStats
 * @property {number} count  pixels inside (their centre is inside the shape)
 * @property {?number} mean
 * @property {?number} sd  population standard deviation
 * @property {?number} min
 * @property {?number} max
 */

/**
 * @param {import('../frame.js').Frame} frame
 * @param {readonly import('./tool.js').Point[]} corners
 * @param {function(number, number): boolean} inside  whether an image point is in the shape
 * @returns {?RoiStats} null for colour frames (no modality values)
 */
export function roiStats(frame, corners, inside) {
  const values = frame.values;
  if (!values) return null;
  const b = box(corners);
  const r0 = Math.max(0, Math.floor(b.top));
  const r1 = Math.min(frame.rows, Math.ceil(b.bottom));
  const c0 = Math.max(0, Math.floor(b.left));
  const c1 = Math.min(frame.columns, Math.ceil(b.right));
  let count = 0;
  let sum = 0;
  let sum2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      if (!inside(c + 0.5, r + 0.5)) continue;
      const v = values[r * frame.columns + c];
      if (!Number.isFinite(v)) continue;
      count++;
      sum += v;
      sum2 += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!count) return { count, mean: null, sd: null, min: null, max: null };
  const mean = sum / count;
  return { count, mean, sd: Math.sqrt(Math.max(0, sum2 / count - mean * mean)), min, max };
}

/**
 * The result of an ROI: its area (mm², or px² uncalibrated) and its statistics.
 * @param {string} name  'Rectangle' | 'Ellipse'
 * @param {readonly import('./tool.js').Point[]} corners
 * @param {import('../frame.js').Frame} frame
 * @param {number} pixelArea  area in image pixels²
 * @param {function(number, number): boolean} inside
 * @returns {import('./tool.js').Result}
 */
export function roiResult(name, corners, frame, pixelArea, inside) {
  const d = frame.description;
  const c = calibrationOf(d, corners);
  const areaMm2 = c ? pixelArea * c.row * c.column : null;
  const area = c && areaMm2 !== null ? `Area ${areaMm2.toFixed(2)} mm²${c.note}` : `Area ${pixelArea.toFixed(1)} px² (uncalibrated)`;
  const s = roiStats(frame, corners, inside);
  const units = d.units ? ` ${d.units}` : '';
  const stats = !s ? 'colour image: no modality values'
    : s.mean === null ? 'no pixel inside'
      : `mean ${fmt(s.mean)}${units}, SD ${fmt(/** @type {number} */ (s.sd))}, min ${fmt(/** @type {number} */ (s.min))}, max ${fmt(/** @type {number} */ (s.max))}`;
  return {
    text: `${name}: ${area}; ${stats}`,
    lines: [area, stats],
    values: {
      areaMm2, areaPx: pixelArea, calibration: c ? c.source : null, units: d.units || null,
      count: s ? s.count : null, mean: s ? s.mean : null, sd: s ? s.sd : null, min: s ? s.min : null, max: s ? s.max : null,
    },
  };
}
