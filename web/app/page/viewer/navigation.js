/**
 * Moving through what the viewer holds: the frames of an instance, the images of its series
 * (the stack), and cine playing either. Stack moves tell the page (the tree, the inspector)
 * a moment after the last one, so scrolling stays quick.
 * @module viewer/navigation
 */
import { showFrame } from './loader.js';

/** Wait after the last stack move before telling the page (the tree, the inspector). */
const NAVIGATE_DELAY_MS = 300;

export class Navigation {
  /**
   * @param {import('./viewer.js').Viewer} viewer
   * @param {?function(string): void} onNavigate called (debounced) when the stack moves the
   *   viewer to another instance
   */
  constructor(viewer, onNavigate) {
    this.viewer = viewer;
    this.onNavigate = onNavigate;
    /** @type {?ReturnType<typeof setTimeout>} */
    this.timer = null;
  }

  /**
   * Move through the stack (the series) or the frames. Either falls back to the other when
   * there is only one of it.
   * @param {number} delta
   * @param {'stack'|'frame'} axis
   */
  step(delta, axis) {
    const { model, cine } = this.viewer;
    const frame = model.frame;
    const frames = frame ? frame.description.frames : 1;
    const stacked = model.stack.ids.length > 1;
    const useStack = axis === 'stack' ? stacked || frames <= 1 : !(frames > 1) && stacked;
    if (useStack) {
      const next = model.stack.neighbour(/** @type {string} */ (model.instanceId), delta);
      if (next) this.navigate(next);
    } else if (frame && frames > 1) {
      cine.stop();
      const next = Math.min(frames - 1, Math.max(0, frame.description.index + delta));
      if (next !== frame.description.index) showFrame(this.viewer, next);
    }
  }

  /**
   * @param {'first'|'last'} where
   * @param {'stack'|'frame'} axis
   */
  jump(where, axis) {
    this.step(where === 'first' ? -1e9 : 1e9, axis);
  }

  /**
   * Show another instance of the stack, and tell the page a moment after the last move.
   * @param {string} instanceId
   * @param {{fromCine?: boolean}} [options]
   */
  navigate(instanceId, { fromCine = false } = {}) {
    this.viewer.show(instanceId, { fromCine });
    if (!this.onNavigate) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.onNavigate && this.viewer.model.instanceId === instanceId) this.onNavigate(instanceId);
    }, NAVIGATE_DELAY_MS);
  }

  /** Play or pause: the frames of a multi-frame image, else the images of the series. */
  toggleCine() {
    const { model, cine } = this.viewer;
    if (cine.playing) {
      cine.stop();
      return;
    }
    if (!model.frame) return;
    const d = model.frame.description;
    if (d.frames > 1) {
      model.setCineAxis('frame');
      cine.play(d.index, d.frames);
    } else if (model.stack.ids.length > 1) {
      model.setCineAxis('stack');
      cine.play(model.stackIndex(), model.stack.ids.length);
    }
  }

  /**
   * Cine's next picture: frame n, or image n of the series.
   * @param {number} n
   * @returns {Promise<boolean>} whether it is shown
   */
  async cineShow(n) {
    const model = this.viewer.model;
    if (model.cineAxis === 'frame') return showFrame(this.viewer, n);
    const id = model.stack.ids[n];
    if (!id) return false;
    this.navigate(id, { fromCine: true });
    await this.viewer.showing;
    return model.loadedId === id && model.frame !== null;
  }
}
