/**
 * Routes pointer events on one image to the active measuring tool, keeps what it draws in the
 * annotation store, and draws every measurement of the image with its result (fillText: text,
 * never markup). A pointer down on an existing measurement selects it instead of starting one.
 * @module viewer/tools/annotator
 */
import { TOOLS } from './index.js';
import { AnnotationStore } from './store.js';

const COLOUR = '#39ff14';
const SELECTED = '#ffd400';

/**
 * @typedef {Object} Measured
 * @property {number} id
 * @property {string} kind
 * @property {import('./tool.js').Point[]} points
 * @property {boolean} done
 * @property {boolean} selected
 * @property {string} text
 * @property {string[]} lines
 * @property {Object<string, number|string|boolean|null>} values
 */

export class Annotator {
  constructor() {
    this.store = new AnnotationStore();
    /** @type {?{key: string, id: number}} the annotation being drawn */
    this.drawing = null;
    /** whether the button is down on an annotation being drawn */
    this.pressed = false;
  }

  /**
   * Pointer down with a measuring tool.
   * @param {string} kind the active tool
   * @param {string} key the image
   * @param {import('./tool.js').Point} p image point
   * @param {number} tolerance image pixels that count as "on" a shape
   */
  down(kind, key, p, tolerance) {
    const open = this.current(key);
    if (open) {
      this.store.update(key, open.id, TOOLS[open.kind].drag(open.points, p), false);
      this.pressed = true;
      return;
    }
    const hit = [...this.store.list(key)].reverse().find((a) => TOOLS[a.kind].hit(a.points, p, tolerance));
    if (hit) {
      this.store.select(hit.id);
      return;
    }
    const added = this.store.add(key, kind, TOOLS[kind].start(p));
    this.store.select(added.id);
    this.drawing = { key, id: added.id };
    this.pressed = true;
  }

  /**
   * Pointer moved (button down or not).
   * @param {string} key @param {import('./tool.js').Point} p
   * @returns {boolean} whether a drawing changed
   */
  move(key, p) {
    const open = this.current(key);
    if (!open) return false;
    const tool = TOOLS[open.kind];
    if (!this.pressed && !tool.follows(open.points)) return false;
    this.store.update(key, open.id, tool.drag(open.points, p), false);
    return true;
  }

  /**
   * Pointer released.
   * @param {string} key @param {import('./tool.js').Point} p
   */
  up(key, p) {
    const open = this.current(key);
    if (!open || !this.pressed) return;
    this.pressed = false;
    const tool = TOOLS[open.kind];
    const moved = tool.drag(open.points, p);
    if (tool.degenerate(moved)) {
      this.store.remove(key, open.id);
      this.drawing = null;
      return;
    }
    const done = tool.done(moved);
    const points = done ? moved : tool.release(moved);
    this.store.update(key, open.id, points, done);
    if (done) this.drawing = null;
  }

  /**
   * Forget the measurements of closed instances.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    this.cancel();
    this.store.forget(instanceIds);
  }

  /** Drop a measurement still being drawn (Escape, another image, another tool). */
  cancel() {
    if (this.drawing) this.store.remove(this.drawing.key, this.drawing.id);
    this.drawing = null;
    this.pressed = false;
  }

  /**
   * Delete the selected measurement of the image.
   * @param {string} key
   * @returns {boolean} whether one was deleted
   */
  deleteSelected(key) {
    const id = this.store.selectedId;
    if (id === null || !this.store.get(key, id)) return false;
    if (this.drawing && this.drawing.id === id) this.drawing = null;
    this.store.remove(key, id);
    return true;
  }

  /**
   * @param {string} key
   * @returns {?import('./store.js').Annotation} the annotation being drawn on this image
   */
  current(key) {
    if (!this.drawing || this.drawing.key !== key) return null;
    return this.store.get(key, this.drawing.id);
  }

  /**
   * The image's measurements with their results.
   * @param {string} key @param {import('../frame.js').Frame} frame
   * @returns {Measured[]}
   */
  measured(key, frame) {
    return this.store.list(key).map((a) => {
      const result = TOOLS[a.kind].measure([...a.points], frame);
      return {
        id: a.id, kind: a.kind, points: [...a.points], done: a.done, selected: a.id === this.store.selectedId,
        text: result.text, values: result.values, lines: result.lines,
      };
    });
  }

  /**
   * The selected measurement's text ('' when none on this image).
   * @param {string} key @param {import('../frame.js').Frame} frame
   */
  selectedText(key, frame) {
    const id = this.store.selectedId;
    const a = id === null ? null : this.store.get(key, id);
    return a ? TOOLS[a.kind].measure([...a.points], frame).text : '';
  }

  /**
   * Draw the image's measurements over the view.
   * @param {CanvasRenderingContext2D} context
   * @param {DOMMatrix} matrix image → canvas
   * @param {string} key @param {import('../frame.js').Frame} frame
   */
  draw(context, matrix, key, frame) {
    const annotations = this.store.list(key);
    if (!annotations.length) return;
    context.save();
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.lineWidth = 1.5;
    context.font = '13px system-ui, sans-serif';
    for (const a of annotations) {
      const tool = TOOLS[a.kind];
      const colour = a.id === this.store.selectedId ? SELECTED : COLOUR;
      context.strokeStyle = colour;
      context.fillStyle = colour;
      context.beginPath();
      tool.path(context, matrix, [...a.points]);
      context.stroke();
      const ends = a.points.map((q) => matrix.transformPoint(new DOMPoint(q.x, q.y)));
      for (const e of ends) context.fillRect(e.x - 2, e.y - 2, 4, 4);
      const anchor = ends.reduce((best, e) => (e.x > best.x ? e : best), ends[0]);
      tool.measure([...a.points], frame).lines.forEach((line, i) => {
        context.fillText(line, anchor.x + 6, anchor.y - 6 + i * 16);
      });
    }
    context.restore();
  }
}
