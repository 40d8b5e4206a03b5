/**
 * The viewer's window/level: the VOI in force (window or VOI LUT table, function, inversion),
 * the presets menu, and the changes a drag, a preset, a reset or the user's inversion make.
 * Knows nothing of drawing: the viewer renders after each change.
 * @module viewer/window-level
 */
import { el, setControl } from '../views.js';
import { presetsFor } from './presets.js';
import { minWidth } from './voi.js';

/** Drag sensitivity: a drag across this many CSS pixels spans the data's whole range. */
const DRAG_SPAN_PX = 512;

export class WindowLevel {
  /** @param {HTMLSelectElement} select the presets menu */
  constructor(select) {
    this.select = select;
    /** @type {?import('./voi.js').Voi} null for colour images */
    this.voi = null;
    /** the user's inversion, on top of the file's (MONOCHROME1, Presentation LUT Shape) */
    this.userInvert = false;
    /** @type {import('./presets.js').Preset[]} */
    this.presets = [];
    /** @type {?{center: number, width: number}} the window when a drag began */
    this.dragBase = null;
  }

  /**
   * Whether the current window still applies to a frame's description.
   * @param {import('./frame.js').FrameDescription} d
   */
  fits(d) {
    if (d.bufferType === 'rgb8') return this.voi === null;
    if (!this.voi) return false;
    return !this.voi.table || Boolean(d.voiLut);
  }

  /**
   * The file's first window, else its VOI LUT, else the data's range.
   * @param {import('./frame.js').FrameDescription} d
   */
  init(d) {
    if (d.bufferType === 'rgb8') {
      this.voi = null;
      return;
    }
    const fn = d.voiLutFunction || 'LINEAR';
    const invert = Boolean(d.invert) !== this.userInvert;
    const first = (d.windowPresets || [])[0];
    const auto = d.autoWindow || { center: 0, width: 1 };
    if (first) this.voi = { center: first.center, width: first.width, fn, table: null, invert };
    else if (d.voiLut) this.voi = { center: auto.center, width: auto.width, fn, table: d.voiLut, invert };
    else this.voi = { center: auto.center, width: auto.width, fn, table: null, invert };
    this.voi.width = Math.max(this.voi.width, minWidth(fn));
  }

  /**
   * A new frame of the same instance: keep the window, follow the frame's inversion.
   * @param {import('./frame.js').FrameDescription} d
   */
  follow(d) {
    if (this.voi) this.voi.invert = Boolean(d.invert) !== this.userInvert;
  }

  /**
   * Fill the presets menu for an instance (grey images only).
   * @param {import('./frame.js').FrameDescription} d
   */
  fillPresets(d) {
    const grey = d.bufferType !== 'rgb8';
    if (this.select.disabled !== !grey) this.select.disabled = !grey;
    this.presets = grey ? presetsFor(d) : [];
    const options = [...this.presets.map((p) => ({ id: p.id, label: p.label })), { id: 'custom', label: 'Custom' }];
    const held = [...this.select.options];
    if (held.length === options.length && held.every((o, n) => o.value === options[n].id)) {
      // The same presets (the next image of a series): only the labels may differ (the data's
      // range); the menu is not rebuilt, a costly change of a form control.
      held.forEach((o, n) => { if (o.text !== options[n].label) o.text = options[n].label; });
    } else {
      this.select.replaceChildren(...options.map(({ id, label }) => el('option', id === 'custom' ? { value: id, hidden: '' } : { value: id }, label)));
    }
    this.syncPreset();
  }

  /** Select the preset matching the window, else "Custom". */
  syncPreset() {
    const voi = this.voi;
    if (!voi) { setControl(this.select, 'value', ''); return; }
    const match = this.presets.find((p) => (voi.table ? p.table
      : !p.table && p.center === voi.center && p.width === voi.width));
    setControl(this.select, 'value', match ? match.id : 'custom');
  }

  /**
   * @param {string} id a preset's id
   * @param {import('./frame.js').FrameDescription} d the shown frame
   * @returns {boolean} whether the window changed
   */
  applyPreset(id, d) {
    const preset = this.presets.find((p) => p.id === id);
    if (!preset || !this.voi) return false;
    if (preset.table) this.voi.table = d.voiLut || null;
    else {
      this.voi.table = null;
      this.voi.center = /** @type {number} */ (preset.center);
      this.voi.width = Math.max(/** @type {number} */ (preset.width), minWidth(this.voi.fn));
    }
    this.select.value = id;
    return true;
  }

  /**
   * Set the window (leaving a VOI LUT table if one was in force).
   * @param {number} center @param {number} width
   * @returns {boolean} whether there is a window to set (not for colour images)
   */
  set(center, width) {
    if (!this.voi) return false;
    this.voi.table = null;
    this.voi.center = center;
    this.voi.width = Math.max(width, minWidth(this.voi.fn));
    return true;
  }

  /** @param {import('./frame.js').FrameDescription} d */
  beginDrag(d) {
    if (!this.voi) return;
    if (this.voi.table) {
      // Leaving the table for a window: start from the file's window or the data's range.
      const start = (d.windowPresets || [])[0] || d.autoWindow || { center: 0, width: 1 };
      this.voi.table = null;
      this.voi.center = start.center;
      this.voi.width = start.width;
    }
    this.dragBase = { center: this.voi.center, width: this.voi.width };
  }

  /**
   * Window/level from a drag: right = wider, down = higher level, scaled to the data range;
   * whole numbers for integer data.
   * @param {number} dx @param {number} dy CSS pixels since the drag began
   * @param {import('./frame.js').FrameDescription} d
   * @returns {boolean} whether the window changed
   */
  drag(dx, dy, d) {
    if (!this.voi || !this.dragBase) return false;
    const perPixel = Math.max((d.max ?? 1) - (d.min ?? 0), 1) / DRAG_SPAN_PX;
    const round = (/** @type {number} */ v) => (d.bufferType === 'int32' ? Math.round(v) : v);
    this.voi.width = Math.max(minWidth(this.voi.fn), round(this.dragBase.width + dx * perPixel));
    this.voi.center = round(this.dragBase.center + dy * perPixel);
    return true;
  }

  /**
   * Invert on top of the file's own inversion.
   * @param {?import('./frame.js').FrameDescription} d the shown frame
   */
  toggleInvert(d) {
    this.userInvert = !this.userInvert;
    if (this.voi && d) this.voi.invert = Boolean(d.invert) !== this.userInvert;
  }

  /** Nothing with a window is shown (a document, a report, a waveform). */
  clear() {
    this.voi = null;
  }

  /** Back to the file's own inversion (applied by the next init). */
  resetInvert() {
    this.userInvert = false;
  }

  /** A new series: the next image sets the window from its file. */
  forget() {
    this.voi = null;
    this.userInvert = false;
  }
}
