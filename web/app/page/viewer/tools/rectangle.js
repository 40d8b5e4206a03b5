/**
 * The rectangle ROI: drag from one corner to the opposite one.
 * @module viewer/tools/rectangle
 */
import { roiResult } from './roi-stats.js';
import { ONE_DRAG, box, segmentDistance, tinyBox } from './tool.js';

/** @type {import('./tool.js').MeasureTool} */
export const rectangle = {
  kind: 'rectangle',
  name: 'Rectangle',
  ...ONE_DRAG,
  degenerate: tinyBox,
  measure(points, frame) {
    const b = box(points);
    const inside = (/** @type {number} */ x, /** @type {number} */ y) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
    return roiResult('Rectangle', points, frame, (b.right - b.left) * (b.bottom - b.top), inside);
  },
  path(context, matrix, points) {
    const b = box(points);
    const corners = [[b.left, b.top], [b.right, b.top], [b.right, b.bottom], [b.left, b.bottom]]
      .map(([x, y]) => matrix.transformPoint(new DOMPoint(x, y)));
    corners.forEach((p, i) => { if (i === 0) context.moveTo(p.x, p.y); else context.lineTo(p.x, p.y); });
    context.closePath();
  },
  // On its outline only: a new ROI may start inside another.
  hit(points, p, tolerance) {
    const b = box(points);
    const corners = [{ x: b.left, y: b.top }, { x: b.right, y: b.top }, { x: b.right, y: b.bottom }, { x: b.left, y: b.bottom }];
    return corners.some((c, i) => segmentDistance(p, c, corners[(i + 1) % 4]) <= tolerance);
  },
};
