/**
 * The ellipse ROI: drag from one corner of its bounding box to the opposite one.
 * @module viewer/tools/ellipse
 */
import { roiResult } from './roi-stats.js';
import { ONE_DRAG, box, tinyBox } from './tool.js';

/**
 * Centre and half-axes of the ellipse in the box the points span.
 * @param {readonly import('./tool.js').Point[]} points
 */
function axes(points) {
  const b = box(points);
  return { cx: (b.left + b.right) / 2, cy: (b.top + b.bottom) / 2, a: (b.right - b.left) / 2, b: (b.bottom - b.top) / 2 };
}

/** @type {import('./tool.js').MeasureTool} */
export const ellipse = {
  kind: 'ellipse',
  name: 'Ellipse',
  ...ONE_DRAG,
  degenerate: tinyBox,
  measure(points, frame) {
    const e = axes(points);
    const inside = (/** @type {number} */ x, /** @type {number} */ y) => ((x - e.cx) / e.a) ** 2 + ((y - e.cy) / e.b) ** 2 <= 1;
    return roiResult('Ellipse', points, frame, Math.PI * e.a * e.b, inside);
  },
  path(context, matrix, points) {
    // Built in image coordinates under the view's matrix, so rotation and flips carry over;
    // the caller strokes it after restoring the canvas transform, at a fixed line width.
    const e = axes(points);
    context.save();
    context.setTransform(matrix);
    context.moveTo(e.cx + e.a, e.cy);
    context.ellipse(e.cx, e.cy, e.a, e.b, 0, 0, 2 * Math.PI);
    context.restore();
  },
  // On its outline only (within the tolerance), so a new ROI may start inside another.
  hit(points, p, tolerance) {
    const e = axes(points);
    const outer = ((p.x - e.cx) / (e.a + tolerance)) ** 2 + ((p.y - e.cy) / (e.b + tolerance)) ** 2 <= 1;
    const a = e.a - tolerance;
    const b = e.b - tolerance;
    const inner = a > 0 && b > 0 && ((p.x - e.cx) / a) ** 2 + ((p.y - e.cy) / b) ** 2 < 1;
    return outer && !inner;
  },
};
