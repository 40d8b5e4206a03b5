/**
 * The measurements, per image (instance and frame): the one place they are kept. They stay
 * while the user scrolls away and back, until deleted. Annotations are frozen: a change
 * replaces one.
 * @module viewer/tools/store
 */

/**
 * @typedef {Object} Annotation
 * @property {number} id
 * @property {string} kind  a tool's kind (see ./index.js)
 * @property {readonly import('./tool.js').Point[]} points  image coordinates
 * @property {boolean} done  false while it is being drawn
 */

/**
 * The key of one image.
 * @param {string} instanceId @param {number} frameIndex
 */
export function imageKey(instanceId, frameIndex) {
  return `${instanceId}#${frameIndex}`;
}

export class AnnotationStore {
  constructor() {
    /** @type {Map<string, Annotation[]>} */
    this.byImage = new Map();
    this.nextId = 1;
    /** @type {?number} the selected annotation (Delete removes it) */
    this.selectedId = null;
  }

  /**
   * Drop the measurements of closed instances (every frame of each).
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    for (const key of [...this.byImage.keys()]) {
      if (instanceIds.includes(key.slice(0, key.lastIndexOf('#')))) this.byImage.delete(key);
    }
  }

  /**
   * @param {string} key
   * @returns {readonly Annotation[]}
   */
  list(key) {
    return this.byImage.get(key) || [];
  }

  /**
   * @param {string} key @param {number} id
   * @returns {?Annotation}
   */
  get(key, id) {
    return this.list(key).find((a) => a.id === id) || null;
  }

  /**
   * @param {string} key @param {string} kind @param {readonly import('./tool.js').Point[]} points
   * @returns {Annotation}
   */
  add(key, kind, points) {
    const annotation = Object.freeze({ id: this.nextId++, kind, points: Object.freeze([...points]), done: false });
    this.byImage.set(key, [...this.list(key), annotation]);
    return annotation;
  }

  /**
   * @param {string} key @param {number} id
   * @param {readonly import('./tool.js').Point[]} points @param {boolean} done
   */
  update(key, id, points, done) {
    this.byImage.set(key, this.list(key).map((a) => (a.id === id
      ? Object.freeze({ ...a, points: Object.freeze([...points]), done }) : a)));
  }

  /** @param {string} key @param {number} id */
  remove(key, id) {
    const left = this.list(key).filter((a) => a.id !== id);
    if (left.length) this.byImage.set(key, left); else this.byImage.delete(key);
    if (this.selectedId === id) this.selectedId = null;
  }

  /** @param {?number} id */
  select(id) {
    this.selectedId = id;
  }
}
