/**
 * The pixel probe: the value under the pointer, with the units the core reports.
 * @module viewer/tools/probe
 */
import { fmt } from '../presets.js';

/**
 * @typedef {Object} ProbeValue
 * @property {number} row  counted from 0
 * @property {number} column
 * @property {number|number[]} value  the modality value, or RGB
 * @property {string} text  e.g. "row 3, col 4: -1000 HU"
 */

/**
 * @param {import('../frame.js').Frame} frame
 * @param {import('./tool.js').Point} q image point
 * @returns {?ProbeValue} null outside the image
 */
export function probeAt(frame, q) {
  const row = Math.floor(q.y);
  const column = Math.floor(q.x);
  const value = frame.valueAt(row, column);
  if (value === null) return null;
  const units = frame.description.units ? ` ${frame.description.units}` : '';
  const shown = Array.isArray(value) ? `RGB ${value.join(', ')}` : `${Number.isInteger(value) ? value : fmt(value)}${units}`;
  return { row, column, value, text: `row ${row}, col ${column}: ${shown}` };
}
