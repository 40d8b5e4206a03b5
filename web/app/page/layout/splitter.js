/**
 * A splitter between two panes (an element with role="separator"): dragged with the mouse or
 * a finger, or moved with the arrow keys while focused (Shift: bigger steps; Home / End: the
 * smallest / largest size). Its aria-valuenow is the controlled pane's size in CSS pixels.
 * Sizes live in the page only: nothing is stored.
 * @module layout/splitter
 */

/** Pixels an arrow key moves the splitter; with Shift, BIG_STEP. */
export const STEP = 16;
export const BIG_STEP = 64;

/**
 * @typedef {Object} SplitPane what a splitter resizes
 * @property {() => number} size the pane's size now (CSS px)
 * @property {() => {min: number, max: number}} limits
 * @property {(px: number) => void} set give the pane this size
 * @property {() => (1|-1)} grows +1 when moving the splitter right (or down) makes the pane
 *   bigger, −1 when it makes it smaller
 */

export class Splitter {
  /**
   * @param {HTMLElement} element
   * @param {SplitPane} pane
   */
  constructor(element, pane) {
    this.element = element;
    this.pane = pane;
    element.addEventListener('pointerdown', (event) => this.drag(event));
    element.addEventListener('keydown', (event) => this.key(event));
  }

  /** Along which axis the splitter moves: x for a vertical bar, y for a horizontal one. */
  get vertical() {
    return this.element.getAttribute('aria-orientation') !== 'horizontal';
  }

  /** @param {number} px the wanted size; kept within the limits */
  resize(px) {
    const { min, max } = this.pane.limits();
    this.pane.set(Math.round(Math.min(Math.max(px, min), Math.max(min, max))));
    this.report();
  }

  /** Update aria-valuenow/min/max from the pane as it is now. */
  report() {
    const { min, max } = this.pane.limits();
    this.element.setAttribute('aria-valuemin', String(Math.round(min)));
    this.element.setAttribute('aria-valuemax', String(Math.round(Math.max(min, max))));
    this.element.setAttribute('aria-valuenow', String(Math.round(this.pane.size())));
  }

  /** @param {PointerEvent} event */
  drag(event) {
    if (event.button !== 0) return;
    event.preventDefault();
    const start = this.vertical ? event.clientX : event.clientY;
    const startSize = this.pane.size();
    const sign = this.pane.grows();
    this.element.setPointerCapture(event.pointerId);
    this.element.classList.add('dragging');
    this.element.focus({ preventScroll: true });
    const move = (/** @type {PointerEvent} */ e) => {
      this.resize(startSize + sign * ((this.vertical ? e.clientX : e.clientY) - start));
    };
    const end = () => {
      this.element.classList.remove('dragging');
      this.element.removeEventListener('pointermove', move);
      this.element.removeEventListener('pointerup', end);
      this.element.removeEventListener('pointercancel', end);
    };
    this.element.addEventListener('pointermove', move);
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', end);
  }

  /** @param {KeyboardEvent} event */
  key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const step = event.shiftKey ? BIG_STEP : STEP;
    const forward = this.vertical ? 'ArrowRight' : 'ArrowDown';
    const back = this.vertical ? 'ArrowLeft' : 'ArrowUp';
    const { min, max } = this.pane.limits();
    /** @type {?number} */
    let size = null;
    if (event.key === forward) size = this.pane.size() + this.pane.grows() * step;
    else if (event.key === back) size = this.pane.size() - this.pane.grows() * step;
    else if (event.key === 'Home') size = min;
    else if (event.key === 'End') size = max;
    if (size === null) return;
    // Handled here: the viewer's keys (arrows step through the series) must not see it.
    event.preventDefault();
    this.resize(size);
  }
}
