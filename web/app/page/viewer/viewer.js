/**
 * The image viewer: shows the instance selected in the study tree. Images get window/level,
 * presets, zoom, pan, rotation, flips, inversion, a pixel probe, measuring tools (./tools/:
 * the viewer only routes pointer events to them), cine, stack scrolling, overlays, corner
 * annotations and exports; PDFs, reports and waveforms get their own display (see
 * ./objects.js). Talks to the worker only through the client.
 *
 * Wiring (main.js): `new Viewer(client, document.getElementById('viewer'), {instances})`,
 * then `viewer.show(instanceId)` when an instance is selected. `viewer.state` is a snapshot
 * of what is shown, for tests and integrators.
 * @module viewer/viewer
 */
import { Request } from '../../shared/protocol.js';
import { Renderer } from './renderer.js';
import { View } from './view.js';
import { FrameCache } from './frame-cache.js';
import { Stack } from './stack.js';
import { Cine, rateOf } from './cine.js';
import { fmt } from './presets.js';
import { WindowLevel } from './window-level.js';
import { snapshot } from './state.js';
import { Annotator } from './tools/annotator.js';
import { measures } from './tools/index.js';
import { imageKey } from './tools/store.js';
import { probeAt } from './tools/probe.js';
import { RedactionBoxes, drawBoxes, drawSuggestions } from './redaction.js';
import { showRedaction, wireRedaction } from './redaction-panel.js';
import { cornerText, showCorners } from './annotations.js';
import { showObject } from './objects.js';
import { wireInteraction } from './interaction.js';
import { shortcut, wireControls } from './controls.js';
import { fillOverlays, loadOverlays } from './overlay-panel.js';

/** Wait after the last stack move before telling the page (the tree, the inspector). */
const NAVIGATE_DELAY_MS = 300;

/**
 * @typedef {Object} ViewerOptions
 * @property {function(): import('../../shared/protocol.js').InstanceSummary[]} instances the open instances
 * @property {function(): import('../../shared/protocol.js').InstanceSummary[]} [damaged] files the
 *   core refused as damaged and opened for inspection only (nothing to draw)
 * @property {?function(string): void} [onNavigate] called (debounced) when the stack moves the
 *   viewer to another instance, so the page can select it elsewhere
 * @property {?function(import('../../shared/protocol.js').RegionsFile): Promise<string>} [onRedactionTemplate]
 *   called with the template of boxes drawn with the Redact tool; resolves to what to tell the user
 */

export class Viewer {
  /**
   * @param {import('../worker-client.js').WorkerClient} client
   * @param {HTMLElement} root the `#viewer` section of index.html
   * @param {ViewerOptions} options
   */
  constructor(client, root, { instances, damaged = () => [], onNavigate = null, onRedactionTemplate = null }) {
    this.client = client;
    this.root = root;
    this.instances = instances;
    this.damaged = damaged;
    this.onNavigate = onNavigate;
    this.onRedactionTemplate = onRedactionTemplate;
    /** boxes of burned-in text drawn with the Redact tool, per instance */
    this.redaction = new RedactionBoxes();
    /** @param {string} id */
    this.$ = (id) => /** @type {HTMLElement} */ (root.querySelector(`[data-testid="${id}"]`));
    this.canvas = /** @type {HTMLCanvasElement} */ (this.$('viewer-canvas'));
    this.context = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext('2d'));
    this.stage = this.$('viewer-stage');
    this.presetSelect = /** @type {HTMLSelectElement} */ (this.$('viewer-preset'));
    this.slider = /** @type {HTMLInputElement} */ (this.$('viewer-frame-slider'));
    this.fpsInput = /** @type {HTMLInputElement} */ (this.$('viewer-fps'));
    this.annotations = /** @type {HTMLInputElement} */ (this.$('viewer-annotations'));
    this.corners = {
      tl: this.$('viewer-corner-tl'), tr: this.$('viewer-corner-tr'),
      bl: this.$('viewer-corner-bl'), br: this.$('viewer-corner-br'),
    };
    this.renderer = new Renderer();
    this.view = new View();
    this.frames = new FrameCache((instanceId, index) => client.request(Request.FRAME, { instanceId, index }));
    this.stack = new Stack(client);
    this.cine = new Cine((n) => this.cineShow(n), (playing) => this.cineChanged(playing));
    /** @type {'frame'|'stack'} what cine plays: the frames, or the series' images */
    this.cineAxis = 'frame';
    /** show() calls so far; a response for an older one is ignored */
    this.token = 0;
    this.frameToken = 0;
    /** @type {?string} */
    this.instanceId = null;
    /** @type {?string} the instance fully shown */
    this.loadedId = null;
    /** @type {?Promise<void>} */
    this.showing = null;
    /** @type {?{kind: string, frames?: number}} OBJECT_INFO's answer */
    this.info = null;
    /** @type {Map<string, Promise<{kind: string, frames?: number}>>} */
    this.infoCache = new Map();
    /** @type {?import('./frame.js').Frame} */
    this.frame = null;
    /** the window/level and its presets menu */
    this.wl = new WindowLevel(this.presetSelect);
    /** @type {string} 'wl' | 'pan' | 'redact' | a measuring tool's kind (./tools/index.js) */
    this.tool = 'wl';
    /** the measurements, per image, and the tool drawing one */
    this.annotator = new Annotator();
    /** @type {?import('./tools/probe.js').ProbeValue} */
    this.probeValue = null;
    /** overlay groups switched off by the user */
    this.hiddenOverlays = new Set();
    /** @type {?string} series of the shown image, to keep the view while scrolling it */
    this.seriesKey = null;
    this.lastRenderMs = 0;
    /** @type {number[]} the last W/L update times, ms */
    this.renderTimes = [];
    this.drawScheduled = false;
    this.updateScheduled = false;
    /** @type {?ReturnType<typeof setTimeout>} */
    this.navigateTimer = null;
    /** @type {?string} */
    this.errorText = null;
    wireControls(this);
    wireRedaction(this);
    wireInteraction(root, this.stage, this.canvas, {
      canvasPoint: (event) => this.canvasPoint(event),
      tool: () => this.tool,
      beginWindowDrag: () => { if (this.frame) this.wl.beginDrag(this.frame.description); },
      dragWindow: (dx, dy) => {
        if (this.frame && this.wl.drag(dx, dy, this.frame.description)) this.scheduleUpdate();
      },
      pan: (dx, dy) => { this.view.pan(dx, dy); this.scheduleDraw(); },
      zoomAt: (factor, x, y) => this.zoomAt(factor, x, y),
      step: (delta, axis) => { this.step(delta, axis); },
      hasImage: () => this.frame !== null,
      jump: (where, axis) => { this.jump(where, axis); },
      probe: (p) => this.probe(p),
      annotates: (tool) => measures(tool),
      annotateDown: (p) => this.annotate('down', p),
      annotateMove: (p) => this.annotate('move', p),
      annotateUp: (p) => this.annotate('up', p),
      redactStart: (p) => this.redactStart(p),
      redactMove: (p) => { this.redaction.move(this.imagePoint(p)); this.scheduleDraw(); },
      redactEnd: () => { if (this.redaction.finish()) showRedaction(this); this.scheduleDraw(); },
      command: (key) => shortcut(this, key),
    });
    new ResizeObserver(() => this.resize()).observe(this.stage);
  }

  /** @returns {?import('./voi.js').Voi} the VOI in force (null for colour images) */
  get voi() {
    return this.wl.voi;
  }

  /** A snapshot of what is shown (for tests and integrators); see ./state.js. */
  get state() {
    return snapshot(this);
  }

  /**
   * The bytes of decoded frames kept for going back to them (the core's budget for this
   * device, see dicomtab.memory).
   * @param {number} bytes
   */
  setFrameBudget(bytes) {
    this.frames.setBudget(bytes);
  }

  // ---- showing an instance ------------------------------------------------------------

  /**
   * Show an instance: its first frame, or its document, report or waveform. A later call
   * wins: answers for an earlier one are dropped.
   * @param {string} instanceId
   * @param {{fromCine?: boolean}} [options] fromCine: cine plays the series and goes on
   * @returns {Promise<void>}
   */
  show(instanceId, { fromCine = false } = {}) {
    if (instanceId === this.instanceId && this.showing) return this.showing;
    this.showing = this.load(instanceId, fromCine);
    return this.showing;
  }

  /**
   * @param {string} instanceId
   * @param {boolean} fromCine cine plays the series: it goes on
   */
  async load(instanceId, fromCine) {
    const token = ++this.token;
    if (!fromCine) this.cine.stop();
    this.annotator.cancel();
    this.instanceId = instanceId;
    this.loadedId = null;
    delete this.root.dataset.loaded;
    this.root.hidden = false;
    this.probeValue = null;
    showRedaction(this);
    this.$('viewer-probe').textContent = '';
    this.$('viewer-export-warning').hidden = true;
    this.showError(null);
    this.setLoading(true);
    const summary = this.summary(instanceId);
    const seriesKey = summary && summary.series.uid ? `${summary.study.uid}|${summary.series.uid}` : null;
    const sameSeries = seriesKey !== null && seriesKey === this.seriesKey && this.frame !== null;
    if (!summary && this.damaged().some((s) => s.instanceId === instanceId && s.damaged)) {
      // A damaged file (opened for the inspector only): there is nothing the worker can draw.
      this.setMode('image');
      this.failed({ code: 'damaged', message: 'This file is damaged, so its image cannot be shown. The tag table lists what could be read before the damage.' });
      this.loadedId = instanceId;
      this.root.dataset.loaded = instanceId;
      return;
    }
    try {
      const info = await this.objectInfo(instanceId);
      if (token !== this.token) return;
      this.info = info;
      if (info.kind === 'image') {
        this.setMode('image');
        if (!sameSeries) {
          this.view.reset();
          this.wl.forget();
          this.hiddenOverlays.clear();
        }
        this.seriesKey = seriesKey;
        await Promise.all([this.updateStack(instanceId, token), this.showFrame(0, { fresh: !sameSeries })]);
      } else {
        this.setMode('object');
        this.seriesKey = null;
        this.frame = null;
        this.wl.clear();
        this.renderer.clear();
        await showObject(this.$('viewer-object'), this.client, instanceId, info, () => token === this.token);
      }
    } catch (error) {
      if (token !== this.token) return;
      this.setMode('image');
      this.failed(error);
    }
    if (token !== this.token) return;
    this.setLoading(false);
    this.loadedId = instanceId;
    this.root.dataset.loaded = instanceId;
  }

  /**
   * Forget closed instances: their frames, stack orders, object descriptions, measurements
   * and redaction boxes. Showing one of them, the viewer empties and hides; showing another of its series,
   * the stack is sorted again without them. Call after the page's instance list dropped them.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    const stackChanged = this.stack.holdsAny(instanceIds);
    this.frames.forget(instanceIds);
    this.stack.forget(instanceIds);
    this.redaction.forget(instanceIds);
    this.annotator.forget(instanceIds);
    for (const id of instanceIds) this.infoCache.delete(id);
    if (this.instanceId !== null && instanceIds.includes(this.instanceId)) {
      this.token++; // answers still coming for it are dropped
      this.cine.stop();
      this.instanceId = null;
      this.loadedId = null;
      this.showing = null;
      this.info = null;
      this.frame = null;
      this.seriesKey = null;
      this.probeValue = null;
      this.renderer.clear();
      this.$('viewer-object').replaceChildren();
      this.$('viewer-probe').textContent = '';
      this.$('viewer-measure-result').textContent = '';
      this.showError(null);
      this.setLoading(false);
      delete this.root.dataset.loaded;
      this.root.hidden = true;
    } else if (this.instanceId !== null && stackChanged) {
      this.updateStack(this.instanceId, this.token);
    }
  }

  /**
   * @param {string} instanceId
   * @returns {?import('../../shared/protocol.js').InstanceSummary}
   */
  summary(instanceId) {
    return this.instances().find((s) => s.instanceId === instanceId) || null;
  }

  /** @param {string} instanceId */
  objectInfo(instanceId) {
    let info = this.infoCache.get(instanceId);
    if (!info) {
      info = this.client.request(Request.OBJECT_INFO, { instanceId });
      info.catch(() => this.infoCache.delete(instanceId));
      this.infoCache.set(instanceId, info);
    }
    return info;
  }

  /**
   * @param {string} instanceId
   * @param {number} token
   */
  async updateStack(instanceId, token) {
    if (!(await this.stack.follow(this.instances(), instanceId, () => token === this.token))) return;
    this.$('viewer-stack').textContent = this.stack.describe(instanceId);
    this.showCineBar();
    this.showAnnotations();
  }

  /** Order the shown instance's series again (more of it may have been opened since). */
  async refreshStack() {
    if (this.instanceId && this.frame) await this.updateStack(this.instanceId, this.token);
  }

  /**
   * The first image (in stack order) of an instance's series.
   * @param {string} instanceId
   * @returns {Promise<string>}
   */
  firstOfSeries(instanceId) {
    return this.stack.first(this.instances(), instanceId);
  }

  /** The cine bar: for frames, or for a series of single-frame images (no slider then). */
  showCineBar() {
    const frames = this.frame ? this.frame.description.frames : 1;
    const image = !this.$('viewer-stage').hidden;
    this.$('viewer-frames').hidden = !image || (frames < 2 && this.stack.ids.length < 2);
    this.slider.hidden = frames < 2;
  }

  /** @param {'image'|'object'} mode */
  setMode(mode) {
    const image = mode === 'image';
    this.stage.hidden = !image;
    for (const part of ['viewer-frames', 'viewer-overlays']) if (!image) this.$(part).hidden = true;
    this.root.querySelectorAll('.viewer-tools, .viewer-status, .viewer-exports').forEach((n) => {
      /** @type {HTMLElement} */ (n).hidden = !image;
    });
    this.$('viewer-object').hidden = image;
    if (image) this.$('viewer-object').replaceChildren();
    this.resize();
  }

  /** @param {boolean} on */
  setLoading(on) {
    this.$('viewer-loading').hidden = !on;
  }

  /** @param {?string} message */
  showError(message) {
    this.errorText = message;
    const node = this.$('viewer-error');
    node.hidden = message === null;
    node.textContent = message || '';
  }

  /** @param {*} error a WorkerError (user-facing message) or anything else */
  failed(error) {
    this.cine.stop();
    this.frame = null;
    this.renderer.clear();
    this.setLoading(false);
    this.showError(error && error.code && error.message ? error.message : 'The image could not be shown.');
    if (!(error && error.code)) console.error('dicomtab viewer:', error && error.name);
    this.draw();
  }

  // ---- frames -------------------------------------------------------------------------

  /**
   * Show frame `index` of the shown instance.
   * @param {number} index
   * @param {{fresh?: boolean}} [options] fresh: a new series, set window and view from it
   * @returns {Promise<boolean>} whether it is shown
   */
  async showFrame(index, { fresh = false } = {}) {
    const token = this.token;
    const frameToken = ++this.frameToken;
    const instanceId = /** @type {string} */ (this.instanceId);
    if (!this.frames.has(instanceId, index)) this.setLoading(true);
    let frame;
    try {
      frame = await this.frames.get(instanceId, index);
    } catch (error) {
      if (token === this.token && frameToken === this.frameToken) this.failed(error);
      return false;
    }
    if (token !== this.token || frameToken !== this.frameToken) return false;
    this.setLoading(false);
    this.showError(null);
    const previous = this.frame;
    const newInstance = !previous || previous.instanceId !== instanceId;
    this.frame = frame;
    this.renderer.setFrame(frame);
    const d = frame.description;
    if (fresh || !this.wl.fits(d)) this.wl.init(d);
    else this.wl.follow(d);
    if (newInstance) {
      this.wl.fillPresets(d);
      fillOverlays(this, d);
      this.setupFrames(d);
    }
    if (fresh || this.view.fitted) this.fitView();
    this.slider.value = String(d.index + 1);
    this.$('viewer-frame').textContent = d.frames > 1 ? `${d.index + 1} / ${d.frames}` : '';
    this.update();
    loadOverlays(this, frame);
    if (this.cine.playing && d.frames > 1) {
      this.frames.get(instanceId, (d.index + 1) % d.frames).catch(() => {});
    }
    return true;
  }

  /** @param {string} id a preset's id */
  applyPreset(id) {
    if (this.frame && this.wl.applyPreset(id, this.frame.description)) this.update();
  }

  /** @param {import('./frame.js').FrameDescription} d */
  setupFrames(d) {
    this.showCineBar();
    this.slider.max = String(d.frames);
    this.slider.value = String(d.index + 1);
    const rate = rateOf(d);
    this.cine.setRate(rate);
    this.fpsInput.value = String(Math.round(rate * 10) / 10);
  }

  // ---- drawing ------------------------------------------------------------------------

  /** Map values to grey with the window (the W/L update), then draw. */
  update() {
    const start = performance.now();
    if (this.frame) this.renderer.render(this.voi, this.wl.userInvert);
    this.draw();
    this.lastRenderMs = performance.now() - start;
    this.renderTimes.push(this.lastRenderMs);
    if (this.renderTimes.length > 50) this.renderTimes.shift();
    this.wl.syncPreset();
  }

  scheduleDraw() {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => {
      this.drawScheduled = false;
      this.draw();
    });
  }

  /** Draw the native image with the view transform, overlays, measurement and text. */
  draw() {
    const frame = this.frame;
    const matrix = frame ? this.matrix() : new DOMMatrix();
    const shown = new Set(frame ? frame.description.overlays.map((o) => o.group).filter((g) => !this.hiddenOverlays.has(g)) : []);
    this.renderer.draw(this.context, matrix, shown);
    const key = this.imageKey();
    if (frame && key) this.annotator.draw(this.context, matrix, key, frame);
    const selected = frame && key ? this.annotator.selectedText(key, frame) : '';
    this.$('viewer-measure-result').textContent = selected;
    /** @type {HTMLButtonElement} */ (this.$('viewer-measure-delete')).disabled = !selected;
    if (frame && this.instanceId) {
      const drawing = this.redaction.current();
      const boxes = [...this.redaction.boxes(this.instanceId), ...(drawing ? [drawing] : [])];
      if (boxes.length) drawBoxes(this.context, matrix, boxes, frame.description.index + 1);
      const suggested = this.redaction.suggestions(this.instanceId);
      if (suggested.length) drawSuggestions(this.context, matrix, suggested, frame.description.index + 1);
    }
    this.showReadouts();
  }

  /** @returns {?string} the key of the image shown (its measurements' key) */
  imageKey() {
    return this.frame && this.instanceId ? imageKey(this.instanceId, this.frame.description.index) : null;
  }

  matrix() {
    const f = /** @type {import('./frame.js').Frame} */ (this.frame);
    return this.view.matrix(f.columns, f.rows, this.canvas.width, this.canvas.height);
  }

  showReadouts() {
    const voi = this.voi;
    this.$('viewer-wl').textContent = voi ? (voi.table ? 'VOI LUT' : `W ${fmt(voi.width)} / L ${fmt(voi.center)}`) : '';
    this.$('viewer-zoom').textContent = this.frame ? `${Math.round(this.view.zoom * 100)}%` : '';
    this.$('viewer-invert').setAttribute('aria-pressed', String(this.wl.userInvert));
    this.$('viewer-flip-h').setAttribute('aria-pressed', String(this.view.flipH));
    this.$('viewer-flip-v').setAttribute('aria-pressed', String(this.view.flipV));
    this.showAnnotations();
  }

  showAnnotations() {
    const stackIndex = this.instanceId ? this.stack.ids.indexOf(this.instanceId) : -1;
    showCorners(this.corners, cornerText(this.instanceId ? this.summary(this.instanceId) : null, {
      frame: this.frame, voi: this.voi, zoom: this.view.zoom, stackIndex, stackSize: this.stack.ids.length,
    }));
  }

  resize() {
    const rect = this.stage.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(rect.width * ratio);
    const height = Math.round(rect.height * ratio);
    if (width === this.canvas.width && height === this.canvas.height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    if (this.frame && this.view.fitted) this.fitView();
    this.draw();
  }

  fitView() {
    if (!this.frame) return;
    this.view.fit(this.frame.columns, this.frame.rows, this.canvas.width, this.canvas.height);
  }

  // ---- interaction --------------------------------------------------------------------

  /**
   * @param {MouseEvent} event
   * @returns {{x: number, y: number}} canvas backing-store pixels
   */
  canvasPoint(event) {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (this.canvas.width / (rect.width || 1)),
      y: (event.clientY - rect.top) * (this.canvas.height / (rect.height || 1)),
    };
  }

  /** @param {{x: number, y: number}} p canvas point */
  imagePoint(p) {
    const f = /** @type {import('./frame.js').Frame} */ (this.frame);
    return this.view.toImage(p.x, p.y, f.columns, f.rows, this.canvas.width, this.canvas.height);
  }

  scheduleUpdate() {
    if (this.updateScheduled) return;
    this.updateScheduled = true;
    requestAnimationFrame(() => {
      this.updateScheduled = false;
      this.update();
    });
  }

  /**
   * Set the window directly (also for integrators); renders at once.
   * @param {number} center @param {number} width
   */
  setWindow(center, width) {
    if (this.wl.set(center, width)) this.update();
  }

  /** @param {number} factor @param {number} x @param {number} y canvas point */
  zoomAt(factor, x, y) {
    if (!this.frame) return;
    this.view.zoomAt(factor, x, y, this.canvas.width, this.canvas.height);
    this.scheduleDraw();
  }

  /** @param {number} factor */
  zoomCentre(factor) {
    this.zoomAt(factor, this.canvas.width / 2, this.canvas.height / 2);
  }

  /** @param {?{x: number, y: number}} p canvas point, null when the pointer left */
  probe(p) {
    this.probeValue = p && this.frame ? probeAt(this.frame, this.imagePoint(p)) : null;
    this.$('viewer-probe').textContent = this.probeValue ? this.probeValue.text : '';
  }

  /** @param {{x: number, y: number}} p */
  redactStart(p) {
    if (!this.frame || !this.instanceId) return;
    const thisFrame = /** @type {HTMLSelectElement} */ (this.$('viewer-redact-frames')).value === 'this';
    this.redaction.start(this.instanceId, this.imagePoint(p),
      thisFrame ? this.frame.description.index + 1 : null, this.frame.columns, this.frame.rows);
  }

  /**
   * A pointer event for the active measuring tool.
   * @param {'down'|'move'|'up'} what
   * @param {{x: number, y: number}} p canvas point
   */
  annotate(what, p) {
    const key = this.imageKey();
    if (!key) return;
    const q = this.imagePoint(p);
    if (what === 'down') {
      // 6 screen pixels count as on a shape, whatever the zoom.
      const ratio = this.canvas.width / (this.canvas.getBoundingClientRect().width || 1);
      this.annotator.down(this.tool, key, q, (6 * ratio) / this.view.zoom);
    } else if (what === 'move') {
      if (!this.annotator.move(key, q)) return;
    } else this.annotator.up(key, q);
    this.scheduleDraw();
  }

  /** Delete the selected measurement (Delete key, or the button). */
  deleteMeasurement() {
    const key = this.imageKey();
    if (key && this.annotator.deleteSelected(key)) this.draw();
  }

  /** Escape: drop a measurement being drawn, else reset the view. */
  escape() {
    if (this.annotator.drawing) {
      this.annotator.cancel();
      this.draw();
    } else this.reset();
  }

  /**
   * Move through the stack (the series) or the frames. Either falls back to the other when
   * there is only one of it.
   * @param {number} delta
   * @param {'stack'|'frame'} axis
   */
  step(delta, axis) {
    const frames = this.frame ? this.frame.description.frames : 1;
    const stacked = this.stack.ids.length > 1;
    const useStack = axis === 'stack' ? stacked || frames <= 1 : !(frames > 1) && stacked;
    if (useStack) {
      const next = this.stack.neighbour(/** @type {string} */ (this.instanceId), delta);
      if (next) this.navigate(next);
    } else if (this.frame && frames > 1) {
      this.cine.stop();
      const next = Math.min(frames - 1, Math.max(0, this.frame.description.index + delta));
      if (next !== this.frame.description.index) this.showFrame(next);
    }
  }

  /**
   * @param {'first'|'last'} where
   * @param {'stack'|'frame'} axis
   */
  jump(where, axis) {
    const big = where === 'first' ? -1e9 : 1e9;
    this.step(big, axis);
  }

  /**
   * Show another instance of the stack, and tell the page a moment after the last move.
   * @param {string} instanceId
   * @param {{fromCine?: boolean}} [options]
   */
  navigate(instanceId, { fromCine = false } = {}) {
    this.show(instanceId, { fromCine });
    if (!this.onNavigate) return;
    if (this.navigateTimer) clearTimeout(this.navigateTimer);
    this.navigateTimer = setTimeout(() => {
      this.navigateTimer = null;
      if (this.onNavigate && this.instanceId === instanceId) this.onNavigate(instanceId);
    }, NAVIGATE_DELAY_MS);
  }

  /** @param {string} tool 'wl' | 'pan' | 'redact' | a measuring tool's kind */
  setTool(tool) {
    if (tool !== this.tool) this.annotator.cancel();
    this.tool = tool;
    this.stage.dataset.tool = tool;
    // The tool buttons only: the stage carries data-tool too (for its cursor).
    for (const button of this.root.querySelectorAll('button[data-tool]')) {
      button.setAttribute('aria-pressed', String(button.getAttribute('data-tool') === tool));
    }
    showRedaction(this);
  }

  /** Back to the file's window, fitted, unrotated, not inverted. */
  reset() {
    this.view.reset();
    this.wl.resetInvert();
    if (this.frame) {
      this.wl.init(this.frame.description);
      this.fitView();
      this.update();
    } else this.draw();
  }

  toggleInvert() {
    this.wl.toggleInvert(this.frame ? this.frame.description : null);
    this.update();
  }

  /** Play or pause: the frames of a multi-frame image, else the images of the series. */
  toggleCine() {
    if (this.cine.playing) {
      this.cine.stop();
      return;
    }
    if (!this.frame) return;
    const d = this.frame.description;
    if (d.frames > 1) {
      this.cineAxis = 'frame';
      this.cine.play(d.index, d.frames);
    } else if (this.stack.ids.length > 1) {
      this.cineAxis = 'stack';
      this.cine.play(this.stack.ids.indexOf(/** @type {string} */ (this.instanceId)), this.stack.ids.length);
    }
  }

  /**
   * Cine's next picture: frame n, or image n of the series.
   * @param {number} n
   * @returns {Promise<boolean>} whether it is shown
   */
  async cineShow(n) {
    if (this.cineAxis === 'frame') return this.showFrame(n);
    const id = this.stack.ids[n];
    if (!id) return false;
    this.navigate(id, { fromCine: true });
    await this.showing;
    return this.loadedId === id && this.frame !== null;
  }

  /** @param {boolean} playing */
  cineChanged(playing) {
    const button = this.$('viewer-cine');
    button.textContent = playing ? 'Pause' : 'Play';
    button.setAttribute('aria-pressed', String(playing));
  }

  annotationsChanged() {
    this.stage.classList.toggle('no-annotations', !this.annotations.checked);
  }

  /** Show or hide the annotations (the corners' text, measurements, boxes). */
  toggleAnnotations() {
    this.annotations.checked = !this.annotations.checked;
    this.annotationsChanged();
  }

  /**
   * Show or hide one overlay group of the image (its switch in the overlay panel).
   * @param {string} group e.g. '6000'
   * @param {boolean} shown
   */
  showOverlay(group, shown) {
    if (shown) this.hiddenOverlays.delete(group); else this.hiddenOverlays.add(group);
    this.draw();
    if (shown && this.frame) loadOverlays(this, this.frame);
  }

}
