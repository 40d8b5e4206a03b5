/**
 * Cine: plays the frames of a multi-frame instance at its rate (Recommended Display Frame
 * Rate / Cine Rate, else 1000 / Frame Time, else 10 fps). Each tick waits for the frame it
 * shows (fetched once, then from the cache), so a slow first pass slows down rather than
 * skipping; the achieved rate is measured.
 * @module viewer/cine
 */

/** Frames per second when the file gives no rate. */
export const DEFAULT_FPS = 10;

/**
 * The rate a frame's description asks for.
 * @param {import('./frame.js').FrameDescription} d
 */
export function rateOf(d) {
  if (d.cineRate && d.cineRate > 0) return d.cineRate;
  if (d.frameTime && d.frameTime > 0) return 1000 / d.frameTime;
  return DEFAULT_FPS;
}

export class Cine {
  /**
   * @param {function(number): Promise<boolean>} showFrame shows frame n; false if it failed
   * @param {function(boolean): void} onChange called with `playing` when it starts or stops
   */
  constructor(showFrame, onChange) {
    this.showFrame = showFrame;
    this.onChange = onChange;
    this.playing = false;
    this.fps = DEFAULT_FPS;
    /** frames per second actually shown over the last second or so */
    this.measuredFps = 0;
    this.run = 0;
  }

  /** @param {number} fps the rate to play at, frames per second */
  setRate(fps) {
    this.fps = fps;
  }

  /**
   * @param {number} from  the frame shown now
   * @param {number} frames how many frames there are
   */
  async play(from, frames) {
    if (this.playing || frames < 2) return;
    this.playing = true;
    const run = ++this.run;
    this.onChange(true);
    let index = from;
    /** @type {number[]} times frames were shown */
    const shown = [];
    let next = performance.now();
    while (this.playing && run === this.run) {
      index = (index + 1) % frames;
      const ok = await this.showFrame(index);
      if (!ok || run !== this.run) break;
      const now = performance.now();
      shown.push(now);
      while (shown.length > 1 && now - shown[0] > 1000) shown.shift();
      if (shown.length > 1) this.measuredFps = (shown.length - 1) / ((now - shown[0]) / 1000);
      next = Math.max(next + 1000 / this.fps, now - 1000 / this.fps);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    if (run === this.run) this.stop();
  }

  stop() {
    if (!this.playing) return;
    this.playing = false;
    this.run++;
    this.onChange(false);
  }
}
