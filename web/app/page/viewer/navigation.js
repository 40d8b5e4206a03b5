/**
 * Moving through what the viewer holds: the frames of an instance, the images of its series
 * (the stack), and cine playing either. Stack moves tell the page (the tree, the inspector)
 * a moment after the last one, so scrolling stays quick.
 *
 * Scrolling the stack faster than images can be shown (a key held down, a quick wheel) shows
 * one image at a time, always the one asked for last: while an image is being shown the moves
 * only change which one is wanted next, so no stale request queues up in the worker, and each
 * image drawn is a slice of the way, with its own number, painted before the next replaces
 * it. One more frame is asked for ahead of the one being shown (the one wanted by then, else
 * the next in the direction of the move), so that the worker prepares it while the page
 * draws; one that is in when a slice further on is wanted is shown on the way, so no frame
 * the worker prepared is skipped.
 * @module viewer/navigation
 */
import { showFrame } from './loader.js';

/** Wait after the last stack move before telling the page (the tree, the inspector). */
const NAVIGATE_DELAY_MS = 300;

/** @returns {Promise<void>} resolves once the page has painted (after the next animation frame) */
function nextPaint() {
  return new Promise((resolve) => { requestAnimationFrame(() => { setTimeout(resolve, 0); }); });
}

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
    /** @type {?string} the stack image asked for last, not yet being shown */
    this.wanted = null;
    /** whether a stack image is being shown (the moves meanwhile only change `wanted`) */
    this.moving = false;
    /** the direction of the last stack move: 1 down the stack, -1 up */
    this.direction = 1;
    /** @type {?string} the stack image this is showing */
    this.showingId = null;
    /** whether a frame asked for ahead is on its way (one at a time) */
    this.asking = false;
    // Another selection (the tree, cine, a close) voids the moves not yet shown.
    viewer.model.addEventListener('instance', () => {
      if (viewer.model.instanceId !== this.showingId) this.wanted = null;
    });
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
      // From the image asked for last, not the one drawn: every move counts.
      const from = this.wanted ?? /** @type {string} */ (model.instanceId);
      const next = model.stack.neighbour(from, delta);
      if (!next) return;
      this.direction = Math.sign(delta) || 1;
      this.navigate(next);
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
   * Cine waits for each image it shows; other moves go through `wanted` (see the module).
   * @param {string} instanceId
   * @param {{fromCine?: boolean}} [options]
   */
  navigate(instanceId, { fromCine = false } = {}) {
    if (fromCine) {
      this.viewer.show(instanceId, { fromCine });
    } else {
      this.wanted = instanceId;
      if (this.moving) this.askAhead(instanceId);
      else this.follow();
    }
    if (!this.onNavigate) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.onNavigate && this.viewer.model.instanceId === instanceId) this.onNavigate(instanceId);
    }, NAVIGATE_DELAY_MS);
  }

  /** Show the wanted image, then the one wanted by then, until the moves stop. */
  async follow() {
    const viewer = this.viewer;
    this.moving = true;
    try {
      while (this.wanted !== null) {
        const id = this.readyOnTheWay() ?? this.wanted;
        if (id === this.wanted) this.wanted = null;
        this.showingId = id;
        await viewer.show(id);
        // The slice drawn is painted before the next one replaces it.
        if (this.wanted !== null) await nextPaint();
      }
    } finally {
      this.moving = false;
      this.showingId = null;
    }
    // The next move most likely goes on the same way.
    const id = this.viewer.model.loadedId;
    const next = id && this.viewer.model.stack.neighbour(id, this.direction);
    if (next) this.askAhead(next);
  }

  /**
   * A slice between the one drawn and the one wanted whose frame is in already (asked for
   * ahead when it was the one wanted): shown on the way, so that no frame the worker prepared
   * is skipped. Null when the one wanted is in too, or none is.
   * @returns {?string}
   */
  readyOnTheWay() {
    const { model } = this.viewer;
    const ids = model.stack.ids;
    const from = model.loadedId === null ? -1 : ids.indexOf(model.loadedId);
    const to = this.wanted === null ? -1 : ids.indexOf(this.wanted);
    if (from < 0 || to < 0 || from === to || model.frames.has(ids[to], 0)) return null;
    const back = to > from ? -1 : 1;
    for (let i = to + back; i !== from; i += back) if (model.frames.has(ids[i], 0)) return ids[i];
    return null;
  }

  /**
   * Ask the worker for an image's frame ahead of showing it (kept in the frame cache; an error
   * is left for when the image is shown). One at a time: when it is in and another image is
   * wanted by then, that one is asked for next.
   * @param {string} instanceId
   */
  askAhead(instanceId) {
    const { model, infos } = this.viewer;
    if (this.asking || model.frames.has(instanceId, 0)) return;
    this.asking = true;
    // Both at once: the worker answers them back to back (the frame of an instance that holds
    // no image fails, unseen).
    Promise.allSettled([infos.get(instanceId), model.frames.get(instanceId, 0)])
      .finally(() => {
        this.asking = false;
        if (this.wanted !== null && this.wanted !== instanceId) this.askAhead(this.wanted);
      });
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
