/**
 * The length tool: drag from one end to the other.
 * @module viewer/tools/length
 */
import { calibrationOf } from './calibration.js';
import { ONE_DRAG, segmentDistance } from './tool.js';

/** @type {import('./tool.js').MeasureTool} */
export const length = {
  kind: 'length',
  name: 'Length',
  ...ONE_DRAG,
  degenerate: ([a, b]) => Math.hypot(b.x - a.x, b.y - a.y) < 1,
  measure([a, b], frame) {
    const d = frame.description;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const pixels = Math.hypot(dx, dy);
    const c = calibrationOf(d, [a, b]);
    if (!c) {
      const label = `${pixels.toFixed(1)} px (uncalibrated: no pixel spacing)`;
      return { text: `Length ${label}`, lines: [label], values: { pixels, mm: null, calibration: null } };
    }
    const mm = Math.hypot(dx * c.column, dy * c.row);
    const label = `${mm.toFixed(2)} mm${c.note}`;
    return { text: `Length ${label}`, lines: [label], values: { pixels, mm, calibration: c.source } };
  },
  path(context, matrix, [a, b]) {
    const p = matrix.transformPoint(new DOMPoint(a.x, a.y));
    const q = matrix.transformPoint(new DOMPoint(b.x, b.y));
    context.moveTo(p.x, p.y);
    context.lineTo(q.x, q.y);
  },
  hit: (points, p, tolerance) => segmentDistance(p, points[0], points[1]) <= tolerance,
};
