/**
 * The measuring tools by kind.
 * @module viewer/tools/index
 */
import { angle } from './angle.js';
import { ellipse } from './ellipse.js';
import { length } from './length.js';
import { rectangle } from './rectangle.js';

/** @type {Readonly<Object<string, import('./tool.js').MeasureTool>>} */
export const TOOLS = Object.freeze({ length, angle, rectangle, ellipse });

/**
 * @param {string} tool
 * @returns {boolean} whether the tool is a measuring tool
 */
export function measures(tool) {
  return Object.hasOwn(TOOLS, tool);
}
