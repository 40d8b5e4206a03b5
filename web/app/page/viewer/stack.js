/**
 * The series stack of the shown instance: its series' instances in slice order, as the
 * worker sorts them (along the slice normal from Image Position/Orientation, else by
 * Instance Number). Orders are kept per set of instances.
 * @module viewer/stack
 */
import { Request } from '../../shared/protocol.js';

/**
 * @param {import('../../shared/protocol.js').InstanceSummary[]} all
 * @param {string} instanceId
 * @returns {string[]} the ids of the instance's series (with pixels), in opening order
 */
export function seriesOf(all, instanceId) {
  const shown = all.find((s) => s.instanceId === instanceId);
  if (!shown || !shown.series.uid) return [instanceId];
  return all.filter((s) => s.series.uid === shown.series.uid && s.study.uid === shown.study.uid
    && (s.rows || s.instanceId === instanceId)).map((s) => s.instanceId);
}

/** How each way of sorting is named to the user. */
const SORTED_BY = { position: 'by slice position', 'instance-number': 'by instance number' };

/**
 * The shown instance's series in stack order (the one writer of `ids` and `sortedBy`), and the
 * orders of the series seen so far.
 */
export class Stack {
  /** @param {import('../worker-client.js').WorkerClient} client */
  constructor(client) {
    this.client = client;
    /** @type {Map<string, Promise<{order: string[], sortedBy: string}>>} */
    this.orders = new Map();
    /** @type {string[]} the shown instance's series, in stack order */
    this.ids = [];
    this.sortedBy = 'as-given';
  }

  /**
   * Follow the shown instance: its series, in order.
   * @param {import('../../shared/protocol.js').InstanceSummary[]} all the open instances
   * @param {string} instanceId
   * @param {function(): boolean} current whether the instance is still the one to show
   * @returns {Promise<boolean>} whether the stack was set (false: another instance came first)
   */
  async follow(all, instanceId, current) {
    const { order, sortedBy } = await this.order(seriesOf(all, instanceId));
    if (!current()) return false;
    this.ids = order.includes(instanceId) ? order : [instanceId];
    this.sortedBy = sortedBy;
    return true;
  }

  /**
   * The first image (in stack order) of an instance's series.
   * @param {import('../../shared/protocol.js').InstanceSummary[]} all
   * @param {string} instanceId
   */
  async first(all, instanceId) {
    const { order } = await this.order(seriesOf(all, instanceId));
    return order[0] || instanceId;
  }

  /**
   * The instance `delta` images away from `instanceId` (clamped to the ends), or null when
   * that is the instance itself.
   * @param {string} instanceId @param {number} delta
   * @returns {?string}
   */
  neighbour(instanceId, delta) {
    const index = this.ids.indexOf(instanceId);
    const next = Math.min(this.ids.length - 1, Math.max(0, index + delta));
    return next === index ? null : this.ids[next];
  }

  /**
   * Where the instance is in its series, for the status line ('' for a single image).
   * @param {string} instanceId
   */
  describe(instanceId) {
    const n = this.ids.length;
    const by = /** @type {Object<string, string>} */ (SORTED_BY)[this.sortedBy] || 'in opening order';
    return n > 1 ? `Image ${this.ids.indexOf(instanceId) + 1} of ${n} in the series (${by}); wheel or ↑ ↓ to scroll` : '';
  }

  /**
   * Drop the orders of series a closed instance was in (the next ask is for those left), and
   * the closed ones from the shown series.
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    const gone = new Set(instanceIds);
    for (const key of [...this.orders.keys()]) {
      if (key.split(',').some((id) => gone.has(id))) this.orders.delete(key);
    }
    this.ids = this.ids.filter((id) => !gone.has(id));
  }

  /**
   * Whether the shown series holds one of `instanceIds`.
   * @param {string[]} instanceIds
   */
  holdsAny(instanceIds) {
    return this.ids.some((id) => instanceIds.includes(id));
  }

  /**
   * The series' order, asked of the worker once per set of ids; in opening order if it fails.
   * @param {string[]} ids
   * @returns {Promise<{order: string[], sortedBy: string}>}
   */
  order(ids) {
    const key = ids.join(',');
    let promise = this.orders.get(key);
    if (!promise) {
      promise = ids.length < 2 || !Request.STACK
        ? Promise.resolve({ order: ids, sortedBy: 'as-given' })
        : this.client.request(Request.STACK, { instanceIds: ids })
          .catch(() => ({ order: ids, sortedBy: 'as-given' }));
      this.orders.set(key, promise);
    }
    return promise;
  }
}
