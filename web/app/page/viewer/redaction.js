/**
 * Boxes of burned-in text drawn on the image with the Redact tool: kept per instance in
 * image pixels (column x, row y of the stored image, so zoom, pan, rotation and flips do not
 * matter), drawn over the image as the black they will become, and turned into a redaction
 * template by the worker (py_core/dicomtab/deid/regions.py: `template_for`).
 * @module viewer/redaction
 */

/** @typedef {import('../../shared/protocol.js').Box} Box */

export class RedactionBoxes {
  constructor() {
    /** @type {Map<string, Box[]>} instance id → its boxes */
    this.byInstance = new Map();
    /** @type {?{instanceId: string, from: {x: number, y: number}, to: {x: number, y: number}, frame: ?number, columns: number, rows: number}} */
    this.drawing = null;
    /** @type {Map<string, Box[]>} instance id → boxes the text detector proposed, not yet accepted */
    this.suggested = new Map();
  }

  /**
   * Drop the boxes drawn on, and suggested for, closed instances.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    for (const id of instanceIds) {
      this.byInstance.delete(id);
      this.suggested.delete(id);
    }
    if (this.drawing && instanceIds.includes(this.drawing.instanceId)) this.drawing = null;
  }

  /** @param {string} instanceId @returns {Box[]} */
  suggestions(instanceId) {
    return this.suggested.get(instanceId) || [];
  }

  /** @param {string} instanceId @param {Box[]} boxes the detector's, for one frame */
  suggest(instanceId, boxes) {
    if (boxes.length) this.suggested.set(instanceId, boxes); else this.suggested.delete(instanceId);
  }

  /**
   * Keep a suggestion as a box (for every frame unless `thisFrameOnly`), or drop it.
   * @param {string} instanceId @param {number} index @param {boolean} accept
   * @param {boolean} thisFrameOnly
   */
  settle(instanceId, index, accept, thisFrameOnly) {
    const box = this.suggestions(instanceId)[index];
    if (!box) return;
    if (accept) {
      const kept = { x: box.x, y: box.y, width: box.width, height: box.height };
      this.byInstance.set(instanceId, [...this.boxes(instanceId),
        thisFrameOnly && box.frames ? { ...kept, frames: box.frames } : kept]);
    }
    this.suggest(instanceId, this.suggestions(instanceId).filter((_, i) => i !== index));
  }

  /** @param {string} instanceId @returns {Box[]} */
  boxes(instanceId) {
    return this.byInstance.get(instanceId) || [];
  }

  /**
   * Start a box at an image point.
   * @param {string} instanceId
   * @param {{x: number, y: number}} point
   * @param {?number} frame  a frame number from 1 for "this frame only", null for every frame
   * @param {number} columns @param {number} rows  the image's size, to keep boxes inside it
   */
  start(instanceId, point, frame, columns, rows) {
    this.drawing = { instanceId, from: point, to: point, frame, columns, rows };
  }

  /** @param {{x: number, y: number}} point */
  move(point) {
    if (this.drawing) this.drawing.to = point;
  }

  /** The box being drawn, in whole pixels inside the image (null when none or empty). */
  current() {
    const d = this.drawing;
    if (!d) return null;
    const clamp = (/** @type {number} */ v, /** @type {number} */ max) => Math.min(Math.max(v, 0), max);
    const x0 = clamp(Math.floor(Math.min(d.from.x, d.to.x)), d.columns);
    const y0 = clamp(Math.floor(Math.min(d.from.y, d.to.y)), d.rows);
    const x1 = clamp(Math.ceil(Math.max(d.from.x, d.to.x)), d.columns);
    const y1 = clamp(Math.ceil(Math.max(d.from.y, d.to.y)), d.rows);
    if (x1 - x0 < 1 || y1 - y0 < 1) return null;
    /** @type {Box} */
    const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    if (d.frame !== null) box.frames = [d.frame];
    return box;
  }

  /** End the drag: keep the box (a click without a drag adds nothing). @returns {?Box} */
  finish() {
    const box = this.current();
    const d = this.drawing;
    this.drawing = null;
    if (!box || !d) return null;
    this.byInstance.set(d.instanceId, [...this.boxes(d.instanceId), box]);
    return box;
  }

  /** @param {string} instanceId @param {number} index */
  remove(instanceId, index) {
    const left = this.boxes(instanceId).filter((_, i) => i !== index);
    if (left.length) this.byInstance.set(instanceId, left); else this.byInstance.delete(instanceId);
  }

  /** @param {string} instanceId */
  clear(instanceId) {
    this.byInstance.delete(instanceId);
    this.suggested.delete(instanceId);
    if (this.drawing && this.drawing.instanceId === instanceId) this.drawing = null;
  }
}

/**
 * Words for a box in the list under the image.
 * @param {Box} box
 * @returns {string}
 */
export function describeBox(box) {
  const where = box.frames ? `frame ${box.frames.join(', ')}` : 'every frame';
  return `x ${box.x}, y ${box.y}, ${box.width} × ${box.height} px, ${where}`;
}

/**
 * Outline the detector's suggestions on the frame shown (not filled: nothing is decided yet).
 * @param {CanvasRenderingContext2D} context
 * @param {DOMMatrix} matrix image → canvas
 * @param {Box[]} boxes
 * @param {number} frame  the frame shown, from 1
 */
export function drawSuggestions(context, matrix, boxes, frame) {
  context.save();
  context.strokeStyle = '#00d7ff';
  context.lineWidth = 2;
  context.setLineDash([6, 3]);
  for (const box of boxes) {
    if (box.frames && !box.frames.includes(frame)) continue;
    const a = matrix.transformPoint(new DOMPoint(box.x, box.y));
    const b = matrix.transformPoint(new DOMPoint(box.x + box.width, box.y + box.height));
    context.strokeRect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(b.x - a.x), Math.abs(b.y - a.y));
  }
  context.restore();
}

/**
 * Draw the boxes that apply to the frame shown as the black they will become, outlined.
 * @param {CanvasRenderingContext2D} context
 * @param {DOMMatrix} matrix image → canvas
 * @param {Box[]} boxes
 * @param {number} frame  the frame shown, from 1
 */
export function drawBoxes(context, matrix, boxes, frame) {
  context.save();
  context.setTransform(matrix);
  for (const box of boxes) {
    if (box.frames && !box.frames.includes(frame)) continue;
    context.fillStyle = 'rgba(0, 0, 0, 0.85)';
    context.fillRect(box.x, box.y, box.width, box.height);
    context.setTransform(1, 0, 0, 1, 0, 0);
    const a = matrix.transformPoint(new DOMPoint(box.x, box.y));
    const b = matrix.transformPoint(new DOMPoint(box.x + box.width, box.y + box.height));
    context.strokeStyle = '#ffd400';
    context.setLineDash([4, 3]);
    context.lineWidth = 1.5;
    context.strokeRect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(b.x - a.x), Math.abs(b.y - a.y));
    context.setLineDash([]);
    context.setTransform(matrix);
  }
  context.restore();
}
