/**
 * A frame as the worker sends it (description + buffer), with typed views over its values.
 * @module viewer/frame
 */

/**
 * @typedef {Object} Overlay
 * @property {string} group  e.g. '6000'
 * @property {number} rows
 * @property {number} columns
 * @property {number[]} origin  [row, column], 1-based
 * @property {string} type
 * @property {string} label
 * @property {string} description
 */

/**
 * An ultrasound region as the core reports it (bounds inclusive, in pixels).
 * @typedef {Object} UltrasoundRegion
 * @property {number} x0
 * @property {number} y0
 * @property {number} x1
 * @property {number} y1
 * @property {?number} unitsX  Physical Units X Direction (3: cm)
 * @property {?number} unitsY
 * @property {?number[]} pixelSpacing  [row, column] mm, for regions in cm; else null
 */

/**
 * @typedef {Object} FrameDescription
 * @property {number} index
 * @property {number} frames
 * @property {number} rows
 * @property {number} columns
 * @property {string} photometric
 * @property {?number[]} pixelSpacing  [row, column] mm
 * @property {?string} spacingSource  'patient' | 'detector'
 * @property {boolean} uncalibrated
 * @property {?number} frameTime ms
 * @property {?number} cineRate  frames per second
 * @property {Overlay[]} overlays
 * @property {UltrasoundRegion[]} [regions]  Sequence of Ultrasound Regions
 * @property {'int32'|'float32'|'rgb8'} bufferType
 * @property {?string} units
 * @property {?number} [min]
 * @property {?number} [max]
 * @property {{center: number, width: number}} [autoWindow]
 * @property {Array<{center: number, width: number, explanation: string}>} [windowPresets]
 * @property {'LINEAR'|'LINEAR_EXACT'|'SIGMOID'} [voiLutFunction]
 * @property {?{first: number, bits: number, data: number[], explanation?: string}} [voiLut]
 * @property {boolean} invert
 */

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
