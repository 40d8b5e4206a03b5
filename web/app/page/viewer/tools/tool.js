/**
 * What every measuring tool is: plain functions over an annotation's points (image
 * coordinates), so the tools hold no state and the annotation store (./store.js) owns the
 * annotations. The annotator (./annotator.js) routes pointer events to the active tool.
 * @module viewer/tools/tool
 */

/**
 * @typedef {{x: number, y: number}} Point  image point: x along columns, y along rows; pixel
 *   (row r, column c) covers [c, c + 1) × [r, r + 1)
 */

/**
 * A measurement's result: the text shown (and drawn, with fillText) plus its numbers.
 * @typedef {Object} Result
 * @property {string} text  e.g. "Length 12.30 mm"
 * @property {string[]} lines  the label drawn next to the shape, one line each
 * @property {Object<string, number|string|boolean|null>} values  the numbers, for tests and integrators
 */

/**
 * @typedef {Object} MeasureTool
 * @property {string} kind  'length' | 'angle' | 'rectangle' | 'ellipse'
 * @property {string} name  shown to the user, e.g. "Length"
 * @property {function(Point): readonly Point[]} start  the points of a new annotation, pointer down at p
 * @property {function(readonly Point[], Point): readonly Point[]} drag  the pointer moved to p: the points now
 * @property {function(readonly Point[]): boolean} done  whether the annotation is complete when
 *   the pointer is released with these points
 * @property {function(readonly Point[]): readonly Point[]} release  released before it is done:
 *   the points to go on with
 * @property {function(readonly Point[]): boolean} follows  whether its last point follows the pointer
 *   without a button pressed (the angle's third point)
 * @property {function(readonly Point[]): boolean} degenerate  too small to keep (a click, not a drag)
 * @property {function(readonly Point[], import('../frame.js').Frame): Result} measure
 * @property {function(CanvasRenderingContext2D, DOMMatrix, readonly Point[]): void} path  the shape's
 *   path (in canvas pixels) for stroking
 * @property {function(readonly Point[], Point, number): boolean} hit  whether p (image) is on or in the
 *   shape, within the tolerance (image pixels)
 */

/**
 * Distance from p to the segment ab (image pixels).
 * @param {Point} p @param {Point} a @param {Point} b
 */
export function segmentDistance(p, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/**
 * The last point replaced by p (a drag moves the point being placed).
 * @param {readonly Point[]} points @param {Point} p
 */
export function moveLast(points, p) {
  return [...points.slice(0, -1), p];
}

/**
 * The box two corner points span.
 * @param {readonly Point[]} points
 */
export function box(points) {
  const [a, b] = points;
  return { left: Math.min(a.x, b.x), top: Math.min(a.y, b.y), right: Math.max(a.x, b.x), bottom: Math.max(a.y, b.y) };
}

/**
 * A box of two corners is kept once it is at least a pixel wide and high.
 * @param {readonly Point[]} points
 */
export function tinyBox(points) {
  const b = box(points);
  return b.right - b.left < 1 || b.bottom - b.top < 1;
}

/**
 * What every tool drawn in one drag (pointer down at one point, up at the other) shares.
 * @type {Pick<MeasureTool, 'start'|'drag'|'release'|'done'|'follows'>}
 */
export const ONE_DRAG = Object.freeze({
  start: (/** @type {Point} */ p) => [p, p],
  drag: moveLast,
  release: (/** @type {readonly Point[]} */ points) => points,
  done: () => true,
  follows: () => false,
});
