/**
 * The viewer's view of its model: the canvas (image through the renderer, overlays,
 * measurements, redaction boxes) and the readouts around it (window, zoom, corner
 * annotations, pressed buttons). It reads the model and writes nothing of it but the render
 * times; it maps between screen and image points with the model's view transform.
 * @module viewer/display
 */
import { Renderer } from './renderer.js';
import { fmt } from './presets.js';
import { cornerText, showCorners } from './annotations.js';
import { drawBoxes, drawSuggestions } from './redaction.js';
import { setText } from '../views.js';

/** @typedef {{x: number, y: number}} Point */

/**
 * @param {function(): void} run
 * @returns {function(): void} runs `run` at the next animation frame, once however often called
 */
function oncePerAnimationFrame(run) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      run();
    });
  };
}

export class Display {
  /**
   * @param {import('./model.js').ViewerModel} model
   * @param {function(string): HTMLElement} $ a viewer part by its data-testid
   * @param {function(string): ?import('../../shared/protocol.js').InstanceSummary} summary
   *   an open instance's summary (the corner annotations' text)
   */
  constructor(model, $, summary) {
    this.model = model;
    this.$ = $;
    this.summary = summary;
    this.canvas = /** @type {HTMLCanvasElement} */ ($('viewer-canvas'));
    this.context = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext('2d'));
    this.stage = $('viewer-stage');
    /** the frame's pixels (window applied) and overlay planes, in image space */
    this.renderer = new Renderer();
    this.corners = {
      tl: $('viewer-corner-tl'), tr: $('viewer-corner-tr'),
      bl: $('viewer-corner-bl'), br: $('viewer-corner-br'),
    };
    /** the W/L update at the next animation frame (a drag sends many events per frame shown) */
    this.scheduleUpdate = oncePerAnimationFrame(() => this.update());
    /** a redraw at the next animation frame */
    this.scheduleDraw = oncePerAnimationFrame(() => this.draw());
  }

  /** Map values to grey with the window (the W/L update), then draw. */
  update() {
    const start = performance.now();
    const model = this.model;
    if (model.frame) this.renderer.render(model.voi, model.wl.userInvert);
    this.draw();
    model.recordRender(performance.now() - start);
    model.wl.syncPreset();
  }

  /** Draw the native image with the view transform, overlays, measurement and text. */
  draw() {
    const { frame, instanceId } = this.model;
    const matrix = frame ? this.matrix() : new DOMMatrix();
    const shown = new Set(frame ? frame.description.overlays.map((o) => o.group).filter((g) => this.model.overlayShown(g)) : []);
    this.renderer.draw(this.context, matrix, shown);
    const key = this.model.imageKey();
    const annotator = this.model.annotator;
    if (frame && key) annotator.draw(this.context, matrix, key, frame);
    const selected = frame && key ? annotator.selectedText(key, frame) : '';
    setText(this.$('viewer-measure-result'), selected);
    /** @type {HTMLButtonElement} */ (this.$('viewer-measure-delete')).disabled = !selected;
    if (frame && instanceId) {
      const redaction = this.model.redaction;
      const drawing = redaction.current();
      const boxes = [...redaction.boxes(instanceId), ...(drawing ? [drawing] : [])];
      if (boxes.length) drawBoxes(this.context, matrix, boxes, frame.description.index + 1);
      const suggested = redaction.suggestions(instanceId);
      if (suggested.length) drawSuggestions(this.context, matrix, suggested, frame.description.index + 1);
    }
    this.showReadouts();
  }

  /** @returns {DOMMatrix} image to canvas pixels (an image must be shown) */
  matrix() {
    const f = /** @type {import('./frame.js').Frame} */ (this.model.frame);
    return this.model.view.matrix(f.columns, f.rows, this.canvas.width, this.canvas.height);
  }

  showReadouts() {
    const { voi, view, wl, frame } = this.model;
    setText(this.$('viewer-wl'), voi ? (voi.table ? 'VOI LUT' : `W ${fmt(voi.width)} / L ${fmt(voi.center)}`) : '');
    setText(this.$('viewer-zoom'), frame ? `${Math.round(view.zoom * 100)}%` : '');
    this.$('viewer-invert').setAttribute('aria-pressed', String(wl.userInvert));
    this.$('viewer-flip-h').setAttribute('aria-pressed', String(view.flipH));
    this.$('viewer-flip-v').setAttribute('aria-pressed', String(view.flipV));
    this.showAnnotations();
  }

  /** The corner annotations (also when only the stack changed). */
  showAnnotations() {
    const { frame, voi, view, stack } = this.model;
    const instanceId = this.model.shownId();
    showCorners(this.corners, cornerText(instanceId ? this.summary(instanceId) : null, {
      frame, voi, zoom: view.zoom, stackIndex: this.model.stackIndex(), stackSize: stack.ids.length,
    }));
  }

  /** Match the canvas' backing store to its box (and the device's pixel ratio). */
  resize() {
    const rect = this.stage.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(rect.width * ratio);
    const height = Math.round(rect.height * ratio);
    if (width === this.canvas.width && height === this.canvas.height) return;
    this.canvas.width = width;
    this.canvas.height = height;
    if (this.model.frame && this.model.view.fitted) this.fitView();
    this.draw();
  }

  /** Fit the image to the canvas. */
  fitView() {
    const frame = this.model.frame;
    if (!frame) return;
    this.model.view.fit(frame.columns, frame.rows, this.canvas.width, this.canvas.height);
  }

  /** @param {number} factor @param {number} x @param {number} y canvas point */
  zoomAt(factor, x, y) {
    if (!this.model.frame) return;
    this.model.view.zoomAt(factor, x, y, this.canvas.width, this.canvas.height);
    this.scheduleDraw();
  }

  /**
   * @param {MouseEvent} event
   * @returns {Point} canvas backing-store pixels
   */
  canvasPoint(event) {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (this.canvas.width / (rect.width || 1)),
      y: (event.clientY - rect.top) * (this.canvas.height / (rect.height || 1)),
    };
  }

  /** @param {Point} p canvas point (an image must be shown) @returns {Point} image pixels */
  imagePoint(p) {
    const f = /** @type {import('./frame.js').Frame} */ (this.model.frame);
    return this.model.view.toImage(p.x, p.y, f.columns, f.rows, this.canvas.width, this.canvas.height);
  }

  /** @param {number} screenPixels @returns {number} that distance in image pixels */
  toImageDistance(screenPixels) {
    const ratio = this.canvas.width / (this.canvas.getBoundingClientRect().width || 1);
    return (screenPixels * ratio) / this.model.view.zoom;
  }
}
