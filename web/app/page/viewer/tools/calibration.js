/**
 * Which spacing calibrates a measurement: that of the ultrasound region all its points lie in
 * (the core reports each region's mm spacing when its units are cm), else the frame's Pixel
 * Spacing (or Imager Pixel Spacing), else none: the measurement is in pixels.
 * @module viewer/tools/calibration
 */

/**
 * @typedef {Object} Calibration
 * @property {number} row  mm per pixel down the rows
 * @property {number} column  mm per pixel across the columns
 * @property {string} note  what the user should know about it ('' when nothing)
 * @property {'patient'|'detector'|'region'} source
 */

/**
 * @param {import('../frame.js').FrameDescription} d
 * @param {readonly import('./tool.js').Point[]} points
 * @returns {?Calibration}
 */
export function calibrationOf(d, points) {
  const region = (d.regions || []).find((r) => points.every((p) => p.x >= r.x0 && p.x <= r.x1 + 1
    && p.y >= r.y0 && p.y <= r.y1 + 1));
  if (region && region.pixelSpacing) {
    const [row, column] = region.pixelSpacing;
    return { row, column, note: ' (ultrasound region)', source: 'region' };
  }
  if (!d.pixelSpacing) return null;
  const [row, column] = d.pixelSpacing;
  const detector = d.spacingSource === 'detector';
  return {
    row, column, source: detector ? 'detector' : 'patient',
    note: detector ? ' (at the detector, not corrected for magnification)' : '',
  };
}
