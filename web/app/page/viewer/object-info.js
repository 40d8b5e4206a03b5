/**
 * What kind of object each instance is (OBJECT_INFO: an image and its frames, a PDF, a
 * report, a waveform), asked of the worker once per instance.
 * @module viewer/object-info
 */
import { Request } from '../../shared/protocol.js';

/** OBJECT_INFO's answers, kept per instance (an instance's kind does not change). */
export class InfoCache {
  /** @param {import('../worker-client.js').WorkerClient} client */
  constructor(client) {
    this.client = client;
    /** @type {Map<string, Promise<import('./model.js').ObjectInfo>>} */
    this.infos = new Map();
  }

  /** @param {string} instanceId @returns {Promise<import('./model.js').ObjectInfo>} */
  get(instanceId) {
    let info = this.infos.get(instanceId);
    if (!info) {
      info = this.client.request(Request.OBJECT_INFO, { instanceId });
      // A failed answer is not kept: asking again may work (e.g. after a worker restart).
      info.catch(() => this.infos.delete(instanceId));
      this.infos.set(instanceId, info);
    }
    return info;
  }

  /** @param {string[]} instanceIds closed instances */
  forget(instanceIds) {
    for (const id of instanceIds) this.infos.delete(id);
  }
}
