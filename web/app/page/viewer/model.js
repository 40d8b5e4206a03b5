/**
 * The viewer's state: what is shown (instance, frame, series), how (window via WindowLevel,
 * zoom/pan via View, active tool, hidden overlays), the stack, the frame cache and its
 * budget, the measurements and redaction boxes, the probe, the error, render times. It is the
 * one writer of these fields: the other modules read them and change them through its
 * methods, and it tells listeners what changed ('instance', 'tool', 'probe', 'error'
 * events) so the page parts showing them follow without the changer knowing them.
 * No DOM of its own (./display.js, ./panels.js show it); its window/level part still keeps
 * the presets menu in step itself (./window-level.js).
 * @module viewer/model
 */
import { View } from './view.js';
import { FrameCache } from './frame-cache.js';
import { Stack } from './stack.js';
import { Annotator } from './tools/annotator.js';
import { imageKey } from './tools/store.js';
import { RedactionBoxes } from './redaction.js';

/** How many W/L update times are kept (for the speed tests and the state snapshot). */
const RENDER_TIMES_KEPT = 50;

/** @typedef {{kind: string, frames?: number}} ObjectInfo OBJECT_INFO's answer */

export class ViewerModel extends EventTarget {
  /** @type {?string} */ #instanceId = null;
  /** @type {?string} */ #loadedId = null;
  /** @type {?ObjectInfo} */ #info = null;
  /** @type {?import('./frame.js').Frame} */ #frame = null;
  /** @type {?string} */ #seriesKey = null;
  /** @type {string} */ #tool = 'wl';
  /** @type {'frame'|'stack'} */ #cineAxis = 'frame';
  /** @type {?import('./tools/probe.js').ProbeValue} */ #probe = null;
  /** @type {?string} */ #error = null;
  /** @type {Set<string>} */ #hiddenOverlays = new Set();
  #token = 0;
  #frameToken = 0;
  #lastRenderMs = 0;
  /** @type {number[]} */ #renderTimes = [];

  /**
   * @param {import('../worker-client.js').WorkerClient} client
   * @param {import('./window-level.js').WindowLevel} wl the window/level (it owns its menu)
   * @param {function(string, number): Promise<*>} fetchFrame asks the worker for a frame
   */
  constructor(client, wl, fetchFrame) {
    super();
    /** the window/level: the VOI in force, the user's inversion */
    this.wl = wl;
    /** zoom, pan, rotation, flips */
    this.view = new View();
    /** decoded frames kept within the frame budget */
    this.frames = new FrameCache(fetchFrame);
    /** the shown instance's series in stack order */
    this.stack = new Stack(client);
    /** the measurements, per image, and the tool drawing one */
    this.annotator = new Annotator();
    /** boxes of burned-in text drawn with the Redact tool, per instance */
    this.redaction = new RedactionBoxes();
  }

  /** @returns {?string} the instance selected (shown or being loaded) */
  get instanceId() { return this.#instanceId; }
  /** @returns {?string} the instance fully shown */
  get loadedId() { return this.#loadedId; }
  /** @returns {?ObjectInfo} */
  get info() { return this.#info; }
  /** @returns {?import('./frame.js').Frame} the frame drawn (null for objects and errors) */
  get frame() { return this.#frame; }
  /** @returns {?string} series of the shown image, to keep the view while scrolling it */
  get seriesKey() { return this.#seriesKey; }
  /** @returns {string} 'wl' | 'pan' | 'redact' | a measuring tool's kind (./tools/index.js) */
  get tool() { return this.#tool; }
  /** @returns {'frame'|'stack'} what cine plays: the frames, or the series' images */
  get cineAxis() { return this.#cineAxis; }
  /** @returns {?import('./tools/probe.js').ProbeValue} */
  get probe() { return this.#probe; }
  /** @returns {?string} the error shown to the user */
  get error() { return this.#error; }
  /** @returns {number} show() calls so far; an answer for an older one is dropped */
  get token() { return this.#token; }
  /** @returns {number} */
  get lastRenderMs() { return this.#lastRenderMs; }
  /** @returns {number[]} the last W/L update times, ms (a copy) */
  get renderTimes() { return [...this.#renderTimes]; }
  /** @returns {?import('./voi.js').Voi} the VOI in force (null for colour images) */
  get voi() { return this.wl.voi; }

  /** @returns {?string} the key of the image shown (its measurements' key) */
  imageKey() {
    return this.#frame && this.#instanceId ? imageKey(this.#instanceId, this.#frame.description.index) : null;
  }

  /**
   * @returns {?string} the instance whose image is drawn, else the one selected: while the
   *   stack scrolls the selection runs ahead of the image, and what is said of the image
   *   (its place in the series, its corners) must be the image's
   */
  shownId() {
    return this.#frame ? this.#frame.instanceId : this.#instanceId;
  }

  /** @returns {number} the drawn (else selected) instance's place in the stack, -1 if none */
  stackIndex() {
    const id = this.shownId();
    return id ? this.stack.ids.indexOf(id) : -1;
  }

  /** @param {string} name @param {string} [detail] */
  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  /**
   * Select an instance to show: a new token (answers for the previous one are dropped), not
   * loaded yet, no probe.
   * @param {string} instanceId
   * @returns {number} the token of this selection
   */
  select(instanceId) {
    this.#token++;
    this.#instanceId = instanceId;
    this.#loadedId = null;
    this.setProbe(null);
    this.#emit('instance');
    return this.#token;
  }

  /** @param {number} token @returns {boolean} whether the selection of `token` still holds */
  current(token) {
    return token === this.#token;
  }

  /** Nothing selected any more (its answers still coming are dropped). */
  unselect() {
    this.#token++;
    this.#instanceId = null;
    this.#loadedId = null;
    this.#info = null;
    this.#frame = null;
    this.#seriesKey = null;
    this.setProbe(null);
    this.#emit('instance');
  }

  /** @param {string} instanceId the selected instance, now fully shown */
  setLoaded(instanceId) { this.#loadedId = instanceId; }
  /** @param {?ObjectInfo} info */
  setInfo(info) { this.#info = info; }
  /** @param {?import('./frame.js').Frame} frame */
  setFrame(frame) { this.#frame = frame; }
  /** @param {?string} key */
  setSeriesKey(key) { this.#seriesKey = key; }
  /** @param {'frame'|'stack'} axis */
  setCineAxis(axis) { this.#cineAxis = axis; }

  /** @returns {number} the token of a new frame request; an older one's answer is dropped */
  nextFrameToken() { return ++this.#frameToken; }
  /** @param {number} frameToken @returns {boolean} */
  currentFrame(frameToken) { return frameToken === this.#frameToken; }

  /** @param {string} tool 'wl' | 'pan' | 'redact' | a measuring tool's kind */
  setTool(tool) {
    // A measurement half drawn with another tool would be left dangling.
    if (tool !== this.#tool) this.annotator.cancel();
    this.#tool = tool;
    this.#emit('tool', tool);
  }

  /** @param {?import('./tools/probe.js').ProbeValue} value */
  setProbe(value) {
    this.#probe = value;
    this.#emit('probe');
  }

  /** @param {?string} message a user-facing message, null for none */
  setError(message) {
    this.#error = message;
    this.#emit('error');
  }

  /** @param {string} group @returns {boolean} whether the user left overlay `group` on */
  overlayShown(group) { return !this.#hiddenOverlays.has(group); }

  /** @param {string} group e.g. '6000' @param {boolean} shown */
  setOverlayShown(group, shown) {
    if (shown) this.#hiddenOverlays.delete(group); else this.#hiddenOverlays.add(group);
  }

  /** A new series: the user's overlay choices were for the previous one. */
  showAllOverlays() { this.#hiddenOverlays.clear(); }

  /** @param {number} ms how long a W/L update took */
  recordRender(ms) {
    this.#lastRenderMs = ms;
    this.#renderTimes.push(ms);
    if (this.#renderTimes.length > RENDER_TIMES_KEPT) this.#renderTimes.shift();
  }

  /**
   * Forget closed instances in every part of the state (frames, stack orders, measurements,
   * redaction boxes).
   * @param {string[]} instanceIds
   * @returns {boolean} whether the shown series' stack held one of them
   */
  forget(instanceIds) {
    const stackChanged = this.stack.holdsAny(instanceIds);
    this.frames.forget(instanceIds);
    this.stack.forget(instanceIds);
    this.redaction.forget(instanceIds);
    this.annotator.forget(instanceIds);
    return stackChanged;
  }
}
