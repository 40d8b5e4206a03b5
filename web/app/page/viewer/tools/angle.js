/**
 * The angle tool: drag along the first arm (from its end to the vertex), release, then click
 * where the second arm ends (its end follows the pointer until then).
 * @module viewer/tools/angle
 */
import { calibrationOf } from './calibration.js';
import { moveLast, segmentDistance } from './tool.js';

/** @type {import('./tool.js').MeasureTool} */
export const angle = {
  kind: 'angle',
  name: 'Angle',
  start: (p) => [p, p],
  drag: moveLast,
  // Releasing the first arm starts the second, at the vertex.
  release: (points) => (points.length === 2 ? [...points, points[1]] : points),
  done: (points) => points.length === 3,
  follows: (points) => points.length === 3,
  degenerate: (points) => points.length === 2 && Math.hypot(points[1].x - points[0].x, points[1].y - points[0].y) < 1,
  measure(points, frame) {
    if (points.length < 3) return { text: 'Angle: click where the second arm ends', lines: [], values: { degrees: null } };
    const [a, b, c] = points;
    // Angles between physical directions: with unequal row and column spacing, pixels skew them.
    const k = calibrationOf(frame.description, points) || { row: 1, column: 1 };
    const u = { x: (a.x - b.x) * k.column, y: (a.y - b.y) * k.row };
    const v = { x: (c.x - b.x) * k.column, y: (c.y - b.y) * k.row };
    const radians = Math.abs(Math.atan2(u.x * v.y - u.y * v.x, u.x * v.x + u.y * v.y));
    const degrees = (radians * 180) / Math.PI;
    const label = `${degrees.toFixed(1)}°`;
    return { text: `Angle ${label}`, lines: [label], values: { degrees } };
  },
  path(context, matrix, points) {
    points.forEach((point, i) => {
      const p = matrix.transformPoint(new DOMPoint(point.x, point.y));
      if (i === 0) context.moveTo(p.x, p.y); else context.lineTo(p.x, p.y);
    });
  },
  hit: (points, p, tolerance) => points.slice(1).some((q, i) => segmentDistance(p, points[i], q) <= tolerance),
};
