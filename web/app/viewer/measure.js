/**
 * The length measurement: two points in image coordinates, their distance in mm from Pixel
 * Spacing (or in pixels when uncalibrated), and its drawing over the view.
 * @module viewer/measure
 */

/**
 * @typedef {Object} Measurement
 * @property {{x: number, y: number}} from  image point (x: column, y: row)
 * @property {{x: number, y: number}} to
 */

/**
 * The measurement's length and the words to show.
 * @param {Measurement} m
 * @param {import('./frame.js').FrameDescription} d
 * @returns {{pixels: number, mm: ?number, text: string}}
 */
export function lengthOf(m, d) {
  const dx = m.to.x - m.from.x;
  const dy = m.to.y - m.from.y;
  const pixels = Math.hypot(dx, dy);
  if (!d.pixelSpacing) {
    return { pixels, mm: null, text: `${pixels.toFixed(1)} px (uncalibrated: no pixel spacing)` };
  }
  const [rowSpacing, columnSpacing] = d.pixelSpacing;
  const mm = Math.hypot(dx * columnSpacing, dy * rowSpacing);
  const where = d.spacingSource === 'detector' ? ' (at the detector, not corrected for magnification)' : '';
  return { pixels, mm, text: `${mm.toFixed(2)} mm${where}` };
}

/**
 * Draw the measurement line and its length on the canvas (fillText: text, never markup).
 * @param {CanvasRenderingContext2D} context
 * @param {DOMMatrix} matrix image → canvas
 * @param {Measurement} m
 * @param {string} label
 */
export function drawMeasurement(context, matrix, m, label) {
  const a = matrix.transformPoint(new DOMPoint(m.from.x, m.from.y));
  const b = matrix.transformPoint(new DOMPoint(m.to.x, m.to.y));
  context.save();
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.strokeStyle = '#39ff14';
  context.fillStyle = '#39ff14';
  context.lineWidth = 1.5;
  context.beginPath();
  context.moveTo(a.x, a.y);
  context.lineTo(b.x, b.y);
  context.stroke();
  for (const p of [a, b]) context.fillRect(p.x - 2, p.y - 2, 4, 4);
  context.font = '13px system-ui, sans-serif';
  context.fillText(label, b.x + 6, b.y - 6);
  context.restore();
}
