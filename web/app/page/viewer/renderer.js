/**
 * The renderer: a frame's values → RGBA at native resolution on an offscreen canvas (one
 * pass through a lookup table per window change), then drawn onto the visible canvas with
 * the view transform, overlays on top. No Python in the loop.
 * @module viewer/renderer
 */
import { renderGrey, renderRgb } from './voi.js';

/** Overlay colour (opaque yellow, RGBA little endian). */
const OVERLAY_RGBA = 0xff00ffff;

/**
 * @param {number} width @param {number} height
 * @returns {HTMLCanvasElement}
 */
function canvasOf(width, height) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

export class Renderer {
  constructor() {
    /** @type {?import('./frame.js').Frame} */
    this.frame = null;
    /** @type {?HTMLCanvasElement} the frame at native resolution */
    this.image = null;
    /** @type {?ImageData} */
    this.imageData = null;
    /** @type {?Uint32Array} RGBA words over imageData */
    this.words = null;
    /** @type {Map<string, {canvas: HTMLCanvasElement, row: number, column: number}>} */
    this.overlays = new Map();
    /** milliseconds the last {@link render} took */
    this.lastMs = 0;
  }

  /** @param {import('./frame.js').Frame} frame */
  setFrame(frame) {
    const { columns, rows } = frame;
    if (!this.image || this.image.width !== columns || this.image.height !== rows) {
      this.image = canvasOf(columns, rows);
      const context = /** @type {CanvasRenderingContext2D} */ (this.image.getContext('2d'));
      this.imageData = context.createImageData(columns, rows);
      this.words = new Uint32Array(this.imageData.data.buffer);
    }
    this.frame = frame;
    this.overlays.clear();
  }

  /**
   * Map the frame's values to grey (or copy its RGB) and put them on the native canvas.
   * @param {?import('./voi.js').Voi} voi  null for colour frames
   * @param {boolean} [invertColour] colour frames: show 255 − each channel
   * @returns {number} milliseconds taken
   */
  render(voi, invertColour = false) {
    const start = performance.now();
    const frame = /** @type {import('./frame.js').Frame} */ (this.frame);
    const words = /** @type {Uint32Array} */ (this.words);
    if (frame.values && voi) {
      const d = frame.description;
      renderGrey(frame.values, d.min ?? 0, d.max ?? 0, voi, words);
    } else if (frame.rgb) {
      renderRgb(frame.rgb, words, invertColour);
    }
    const canvas = /** @type {HTMLCanvasElement} */ (this.image);
    /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'))
      .putImageData(/** @type {ImageData} */ (this.imageData), 0, 0);
    this.lastMs = performance.now() - start;
    return this.lastMs;
  }

  /** Forget the frame: {@link draw} then paints the background only. */
  clear() {
    this.frame = null;
    this.image = null;
    this.imageData = null;
    this.words = null;
    this.overlays.clear();
  }

  /**
   * Add an overlay plane (rows × columns bytes of 0/1) to draw over the image.
   * @param {import('./frame.js').Overlay} info
   * @param {ArrayBuffer} buffer
   */
  setOverlay(info, buffer) {
    const bits = new Uint8Array(buffer);
    const canvas = canvasOf(info.columns, info.rows);
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    const data = context.createImageData(info.columns, info.rows);
    const words = new Uint32Array(data.data.buffer);
    for (let i = 0; i < words.length && i < bits.length; i++) if (bits[i]) words[i] = OVERLAY_RGBA;
    context.putImageData(data, 0, 0);
    this.overlays.set(info.group, { canvas, row: info.origin[0] - 1, column: info.origin[1] - 1 });
  }

  /**
   * Draw the image (and the overlays in `shown`) onto `context` with the transform `matrix`.
   * @param {CanvasRenderingContext2D} context
   * @param {DOMMatrix} matrix  image → canvas
   * @param {Set<string>} shown overlay groups to draw
   */
  draw(context, matrix, shown) {
    const canvas = context.canvas;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (!this.image) return;
    context.setTransform(matrix);
    // Magnified pixels stay crisp squares (the values are what they are); reduced images
    // are smoothed.
    context.imageSmoothingEnabled = matrix.a * matrix.a + matrix.b * matrix.b < 1;
    context.drawImage(this.image, 0, 0);
    context.imageSmoothingEnabled = false;
    for (const [group, overlay] of this.overlays) {
      if (shown.has(group)) context.drawImage(overlay.canvas, overlay.column, overlay.row);
    }
    context.setTransform(1, 0, 0, 1, 0, 0);
  }
}
