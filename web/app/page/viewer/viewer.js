/**
 * The image viewer: shows the instance selected in the study tree. Images get window/level,
 * presets, zoom, pan, rotation, flips, inversion, a pixel probe, measuring tools, cine, stack
 * scrolling, overlays, corner annotations and exports; PDFs, reports and waveforms get their
 * own display (./objects.js). Talks to the worker only through the client.
 *
 * This class only wires the parts together and is the page's handle on them:
 * ./model.js owns the state (the one writer of its fields, with change events),
 * ./display.js draws it (canvas, readouts), ./loader.js loads instances (their kind from
 * ./object-info.js) and frames, ./navigation.js moves through frames, stack and cine,
 * ./actions.js is what commands do, ./panels.js shows mode, loading, error, probe and tool,
 * ./controls.js and ./interaction.js route buttons, keys and the pointer to them.
 *
 * Wiring (main.js): `new Viewer(client, document.getElementById('viewer'), {instances})`,
 * then `viewer.show(instanceId)` when an instance is selected. `viewer.state` is a snapshot
 * of what is shown, for tests and integrators.
 * @module viewer/viewer
 */
import { Request } from '../../shared/protocol.js';
import { Cine } from './cine.js';
import { WindowLevel } from './window-level.js';
import { ViewerModel } from './model.js';
import { Display } from './display.js';
import { load, unload, updateStack } from './loader.js';
import { InfoCache } from './object-info.js';
import { Navigation } from './navigation.js';
import { followModel, showCinePlaying } from './panels.js';
import { snapshot } from './state.js';
import * as act from './actions.js';
import { measures } from './tools/index.js';
import { wireRedaction } from './redaction-panel.js';
import { wireInteraction } from './interaction.js';
import { shortcut, wireControls } from './controls.js';

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
    this.onRedactionTemplate = onRedactionTemplate;
    /** @param {string} id */
    this.$ = (id) => /** @type {HTMLElement} */ (root.querySelector(`[data-testid="${id}"]`));
    this.presetSelect = /** @type {HTMLSelectElement} */ (this.$('viewer-preset'));
    this.slider = /** @type {HTMLInputElement} */ (this.$('viewer-frame-slider'));
    this.fpsInput = /** @type {HTMLInputElement} */ (this.$('viewer-fps'));
    this.annotations = /** @type {HTMLInputElement} */ (this.$('viewer-annotations'));
    this.model = new ViewerModel(client, new WindowLevel(this.presetSelect),
      (instanceId, index) => client.request(Request.FRAME, { instanceId, index }));
    this.display = new Display(this.model, this.$, (id) => this.summary(id));
    this.infos = new InfoCache(client);
    this.navigation = new Navigation(this, onNavigate);
    this.cine = new Cine((n) => this.navigation.cineShow(n), (playing) => showCinePlaying(this, playing));
    /** @type {?Promise<void>} the last show() */
    this.showing = null;
    followModel(this);
    wireControls(this);
    wireRedaction(this);
    this.routePointerAndKeys();
    new ResizeObserver(() => this.display.resize()).observe(this.display.stage);
  }

  /** Pointer, wheel and keys on the image go to the model, display, navigation and actions. */
  routePointerAndKeys() {
    const { model, display, navigation } = this;
    wireInteraction(this.root, display.stage, display.canvas, {
      canvasPoint: (event) => display.canvasPoint(event),
      tool: () => model.tool,
      beginWindowDrag: () => { if (model.frame) model.wl.beginDrag(model.frame.description); },
      dragWindow: (dx, dy) => {
        if (model.frame && model.wl.drag(dx, dy, model.frame.description)) display.scheduleUpdate();
      },
      pan: (dx, dy) => { model.view.pan(dx, dy); display.scheduleDraw(); },
      zoomAt: (factor, x, y) => display.zoomAt(factor, x, y),
      step: (delta, axis) => { navigation.step(delta, axis); },
      hasImage: () => model.frame !== null,
      jump: (where, axis) => { navigation.jump(where, axis); },
      probe: (p) => act.probe(this, p),
      annotates: (tool) => measures(tool),
      annotateDown: (p) => act.annotate(this, 'down', p),
      annotateMove: (p) => act.annotate(this, 'move', p),
      annotateUp: (p) => act.annotate(this, 'up', p),
      redactStart: (p) => act.redactStart(this, p),
      redactMove: (p) => act.redactMove(this, p),
      redactEnd: () => act.redactEnd(this),
      command: (key) => shortcut(this, key),
    });
  }

  /** A snapshot of what is shown (for tests and integrators); see ./state.js. */
  get state() {
    return snapshot(this);
  }

  /** @returns {HTMLCanvasElement} the image's canvas (tests read its pixels) */
  get canvas() { return this.display.canvas; }
  /** @returns {import('./renderer.js').Renderer} */
  get renderer() { return this.display.renderer; }
  /** @returns {import('./frame-cache.js').FrameCache} */
  get frames() { return this.model.frames; }
  /** @returns {import('./tools/annotator.js').Annotator} */
  get annotator() { return this.model.annotator; }
  /** @returns {DOMMatrix} image to canvas pixels (an image must be shown) */
  matrix() { return this.display.matrix(); }

  /**
   * The bytes of decoded frames kept for going back to them (the core's budget for this
   * device, see dicomtab.memory).
   * @param {number} bytes
   */
  setFrameBudget(bytes) {
    this.model.frames.setBudget(bytes);
  }

  /**
   * Show an instance: its first frame, or its document, report or waveform. A later call
   * wins: answers for an earlier one are dropped.
   * @param {string} instanceId
   * @param {{fromCine?: boolean}} [options] fromCine: cine plays the series and goes on
   * @returns {Promise<void>}
   */
  show(instanceId, { fromCine = false } = {}) {
    if (instanceId === this.model.instanceId && this.showing) return this.showing;
    this.showing = load(this, instanceId, fromCine);
    return this.showing;
  }

  /**
   * Forget closed instances: their frames, stack orders, object descriptions, measurements
   * and redaction boxes. Showing one of them, the viewer empties and hides; showing another of its series,
   * the stack is sorted again without them. Call after the page's instance list dropped them.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    const model = this.model;
    const stackChanged = model.forget(instanceIds);
    this.infos.forget(instanceIds);
    if (model.instanceId !== null && instanceIds.includes(model.instanceId)) {
      this.showing = null;
      unload(this);
    } else if (model.instanceId !== null && stackChanged) {
      updateStack(this, model.instanceId, model.token);
    }
  }

  /**
   * @param {string} instanceId
   * @returns {?import('../../shared/protocol.js').InstanceSummary}
   */
  summary(instanceId) {
    return this.instances().find((s) => s.instanceId === instanceId) || null;
  }

  /** Order the shown instance's series again (more of it may have been opened since). */
  async refreshStack() {
    const model = this.model;
    if (model.instanceId && model.frame) await updateStack(this, model.instanceId, model.token);
  }

  /**
   * The first image (in stack order) of an instance's series.
   * @param {string} instanceId
   * @returns {Promise<string>}
   */
  firstOfSeries(instanceId) {
    return this.model.stack.first(this.instances(), instanceId);
  }

  /**
   * Set the window directly (also for integrators); renders at once.
   * @param {number} center @param {number} width
   */
  setWindow(center, width) {
    if (this.model.wl.set(center, width)) this.display.update();
  }
}
