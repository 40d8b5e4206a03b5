/**
 * What a de-identification run takes (minimum necessary): every open instance unless the
 * user unticks it, or the patient, study or series it belongs to, in the study tree.
 * @module deid/scope
 */

export class Scope {
  /** @param {function(): void} onChange called after every change */
  constructor(onChange) {
    /** @type {Set<string>} instances left out; new ones are in, so "everything open" is the default */
    this.excluded = new Set();
    this.onChange = onChange;
  }

  /** @param {string} instanceId */
  includes(instanceId) {
    return !this.excluded.has(instanceId);
  }

  /**
   * @param {string[]} instanceIds
   * @returns {'all'|'some'|'none'}
   */
  state(instanceIds) {
    const chosen = instanceIds.filter((id) => this.includes(id)).length;
    return chosen === instanceIds.length ? 'all' : chosen === 0 ? 'none' : 'some';
  }

  /**
   * @param {string[]} instanceIds
   * @param {boolean} include
   */
  set(instanceIds, include) {
    for (const id of instanceIds) {
      if (include) this.excluded.delete(id); else this.excluded.add(id);
    }
    this.onChange();
  }

  /**
   * Forget closed instances (an id is never reused, so this only frees memory).
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    for (const id of instanceIds) this.excluded.delete(id);
  }

  /**
   * @param {string[]} instanceIds every instance that could be chosen
   * @returns {string[]} those chosen, in the same order
   */
  chosen(instanceIds) {
    return instanceIds.filter((id) => this.includes(id));
  }
}
