/**
 * The series stack of the shown instance: its series' instances in slice order, as the
 * worker sorts them (along the slice normal from Image Position/Orientation, else by
 * Instance Number). Orders are kept per set of instances.
 * @module viewer/stack
 */
import { Request } from '../protocol.js';

/**
 * @param {import('../protocol.js').InstanceSummary[]} all
 * @param {string} instanceId
 * @returns {string[]} the ids of the instance's series (with pixels), in opening order
 */
export function seriesOf(all, instanceId) {
  const shown = all.find((s) => s.instanceId === instanceId);
  if (!shown || !shown.series.uid) return [instanceId];
  return all.filter((s) => s.series.uid === shown.series.uid && s.study.uid === shown.study.uid
    && (s.rows || s.instanceId === instanceId)).map((s) => s.instanceId);
}

export class Stack {
  /** @param {import('../worker-client.js').WorkerClient} client */
  constructor(client) {
    this.client = client;
    /** @type {Map<string, Promise<{order: string[], sortedBy: string}>>} */
    this.orders = new Map();
  }

  /**
   * Drop the orders of series a closed instance was in (the next ask is for those left).
   * @param {string[]} instanceIds
   */
  forget(instanceIds) {
    const gone = new Set(instanceIds);
    for (const key of [...this.orders.keys()]) {
      if (key.split(',').some((id) => gone.has(id))) this.orders.delete(key);
    }
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
