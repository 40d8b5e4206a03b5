/**
 * The view transform: zoom, pan, rotation by quarter turns and flips, mapping image
 * coordinates (columns, rows; pixel (r, c) covers [c, c+1] × [r, r+1]) to canvas pixels
 * and back. Pure state and arithmetic; no DOM.
 * @module viewer/view
 */

/** Zoom limits (canvas pixels per image pixel). */
export const MIN_ZOOM = 0.02;
export const MAX_ZOOM = 64;

export class View {
  constructor() {
    /** canvas pixels per image pixel */
    this.zoom = 1;
    /** offset of the image centre from the canvas centre, canvas pixels */
    this.panX = 0;
    this.panY = 0;
    /** quarter turns clockwise: 0, 90, 180 or 270 */
    this.rotation = 0;
    this.flipH = false;
    this.flipV = false;
    /** whether the zoom follows the canvas size (fit) rather than a chosen zoom */
    this.fitted = true;
  }

  /** Back to "fit", no rotation or flip. */
  reset() {
    Object.assign(this, new View());
  }

  /**
   * The zoom that shows the whole image in a canvas.
   * @param {number} columns @param {number} rows
   * @param {number} width @param {number} height canvas size
   */
  fitZoom(columns, rows, width, height) {
    const quarter = this.rotation % 180 !== 0;
    const w = quarter ? rows : columns;
    const h = quarter ? columns : rows;
    return Math.max(MIN_ZOOM, Math.min(width / w, height / h));
  }

  /**
   * Fit the image into the canvas, centred.
   * @param {number} columns @param {number} rows
   * @param {number} width @param {number} height
   */
  fit(columns, rows, width, height) {
    this.zoom = this.fitZoom(columns, rows, width, height);
    this.panX = 0;
    this.panY = 0;
    this.fitted = true;
  }

  /**
   * One image pixel per canvas pixel, centred.
   */
  oneToOne() {
    this.zoom = 1;
    this.panX = 0;
    this.panY = 0;
    this.fitted = false;
  }

  /**
   * Zoom by `factor` keeping the canvas point (x, y) fixed.
   * @param {number} factor
   * @param {number} x @param {number} y  canvas point
   * @param {number} width @param {number} height canvas size
   */
  zoomAt(factor, x, y, width, height) {
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
    const k = zoom / this.zoom;
    const cx = width / 2 + this.panX;
    const cy = height / 2 + this.panY;
    this.panX += (x - cx) * (1 - k);
    this.panY += (y - cy) * (1 - k);
    this.zoom = zoom;
    this.fitted = false;
  }

  /** @param {number} dx @param {number} dy canvas pixels */
  pan(dx, dy) {
    this.panX += dx;
    this.panY += dy;
    this.fitted = false;
  }

  rotate() {
    this.rotation = (this.rotation + 90) % 360;
  }

  /** @param {'h'|'v'} axis flip left-right (h) or top-bottom (v) */
  flip(axis) {
    if (axis === 'h') this.flipH = !this.flipH;
    else this.flipV = !this.flipV;
  }

  /**
   * Image → canvas transform. Its translation is snapped to whole canvas pixels, so that at
   * 1:1 each image pixel lands on exactly one canvas pixel.
   * @param {number} columns @param {number} rows
   * @param {number} width @param {number} height canvas size
   * @returns {DOMMatrix}
   */
  matrix(columns, rows, width, height) {
    const m = new DOMMatrix()
      .translateSelf(width / 2 + this.panX, height / 2 + this.panY)
      .rotateSelf(this.rotation)
      .scaleSelf(this.zoom * (this.flipH ? -1 : 1), this.zoom * (this.flipV ? -1 : 1))
      .translateSelf(-columns / 2, -rows / 2);
    // Quarter turns give exact 0/±1 entries; clean the rounding noise of cos/sin.
    for (const key of /** @type {const} */ (['a', 'b', 'c', 'd'])) {
      if (Math.abs(m[key]) < 1e-12) m[key] = 0;
    }
    m.e = Math.round(m.e);
    m.f = Math.round(m.f);
    return m;
  }

  /**
   * Canvas point → image point (column, row as fractional pixel coordinates).
   * @param {number} x @param {number} y
   * @param {number} columns @param {number} rows
   * @param {number} width @param {number} height
   * @returns {{x: number, y: number}}
   */
  toImage(x, y, columns, rows, width, height) {
    const p = this.matrix(columns, rows, width, height).inverse().transformPoint(new DOMPoint(x, y));
    return { x: p.x, y: p.y };
  }
}
