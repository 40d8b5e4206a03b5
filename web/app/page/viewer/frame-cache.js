/**
 * Frames fetched on demand, the most recent kept (by count and bytes), so cine after its
 * first pass and stack scrolling back and forth do not ask the worker again. Concurrent
 * requests for the same frame share one worker request.
 * @module viewer/frame-cache
 */
import { Frame } from './frame.js';

export class FrameCache {
  /**
   * @param {function(string, number): Promise<{description: *, buffer: ArrayBuffer}>} fetch
   * @param {{maxFrames?: number, maxBytes?: number}} [limits]
   */
  constructor(fetch, { maxFrames = 96, maxBytes = 384 * 1024 * 1024 } = {}) {
    this.fetch = fetch;
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
    /** @type {Map<string, Frame>} in use order, oldest first */
    this.frames = new Map();
    /** @type {Map<string, Promise<Frame>>} */
    this.pending = new Map();
    this.bytes = 0;
    /** requests answered from the cache / by the worker */
    this.hits = 0;
    this.misses = 0;
  }

  /**
   * Hold at most `bytes` of frames from now on (the budget the core sets for this device).
   * @param {number} bytes
   */
  setBudget(bytes) {
    this.maxBytes = bytes;
    this.evict();
  }

  /** @param {string} instanceId @param {number} index */
  static key(instanceId, index) { return `${instanceId}#${index}`; }

  /** @param {string} instanceId @param {number} index */
  has(instanceId, index) { return this.frames.has(FrameCache.key(instanceId, index)); }

  /**
   * @param {string} instanceId
   * @param {number} index
   * @returns {Promise<Frame>}
   */
  get(instanceId, index) {
    const key = FrameCache.key(instanceId, index);
    const frame = this.frames.get(key);
    if (frame) {
      this.frames.delete(key);
      this.frames.set(key, frame);
      this.hits++;
      return Promise.resolve(frame);
    }
    const waiting = this.pending.get(key);
    if (waiting) return waiting;
    this.misses++;
    const promise = this.fetch(instanceId, index).then(({ description, buffer }) => {
      const made = new Frame(instanceId, description, buffer);
      // Not kept when its instance was closed (forget) while the worker answered.
      if (this.pending.get(key) === promise) this.put(key, made);
      return made;
    }).finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return promise;
  }

  /**
   * Drop every frame of closed instances, and the requests for them under way.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    const gone = new Set(instanceIds);
    const closed = (/** @type {string} */ key) => gone.has(key.slice(0, key.lastIndexOf('#')));
    for (const [key, frame] of this.frames) {
      if (!closed(key)) continue;
      this.frames.delete(key);
      this.bytes -= frame.buffer.byteLength;
    }
    for (const key of [...this.pending.keys()]) if (closed(key)) this.pending.delete(key);
  }

  /** @param {string} key @param {Frame} frame */
  put(key, frame) {
    this.frames.set(key, frame);
    this.bytes += frame.buffer.byteLength;
    this.evict();
  }

  /** Drop the least recently used frames beyond the limits (the newest always stays). */
  evict() {
    while (this.frames.size > 1 && (this.frames.size > this.maxFrames || this.bytes > this.maxBytes)) {
      const [oldest, old] = /** @type {[string, Frame]} */ (this.frames.entries().next().value);
      this.frames.delete(oldest);
      this.bytes -= old.buffer.byteLength;
    }
  }
}
