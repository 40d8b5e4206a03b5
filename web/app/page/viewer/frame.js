/**
 * A frame as the worker sends it (description + buffer), with typed views over its values.
 * @module viewer/frame
 */

/** @typedef {import('../../shared/protocol.js').Overlay} Overlay */
/** @typedef {import('../../shared/protocol.js').UltrasoundRegion} UltrasoundRegion */
/** @typedef {import('../../shared/protocol.js').FrameDescription} FrameDescription */

export class Frame {
  /**
   * @param {string} instanceId
   * @param {FrameDescription} description
   * @param {ArrayBuffer} buffer
   */
  constructor(instanceId, description, buffer) {
    this.instanceId = instanceId;
    this.description = description;
    this.buffer = buffer;
    const d = description;
    /** @type {?Int32Array|Float32Array} modality values (grey frames) */
    this.values = d.bufferType === 'int32' ? new Int32Array(buffer)
      : d.bufferType === 'float32' ? new Float32Array(buffer) : null;
    /** @type {?Uint8Array} RGB interleaved (colour frames) */
    this.rgb = d.bufferType === 'rgb8' ? new Uint8Array(buffer) : null;
  }

  get grey() { return this.values !== null; }
  get rows() { return this.description.rows; }
  get columns() { return this.description.columns; }

  /**
   * The value(s) at a pixel, or null outside the image.
   * @param {number} row @param {number} column
   * @returns {?number|number[]}
   */
  valueAt(row, column) {
    if (row < 0 || column < 0 || row >= this.rows || column >= this.columns) return null;
    const i = row * this.columns + column;
    if (this.values) return this.values[i];
    const rgb = /** @type {Uint8Array} */ (this.rgb);
    return [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
  }
}
