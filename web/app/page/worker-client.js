/**
 * The page's side of the protocol: sends requests, matches responses, relays events.
 * @module worker-client
 */
import { isResponse, makeRequest } from '../shared/protocol.js';

/** A failure reported by the worker, carrying its user-facing message. */
export class WorkerError extends Error {
  /** @param {import('../shared/protocol.js').ProtocolError} error */
  constructor(error) {
    super(error.message);
    this.name = 'WorkerError';
    /** @type {string} */
    this.code = error.code;
    /** whether the file can still be opened for inspection (Request.OPEN_DAMAGED) */
    this.inspectable = Boolean(error.inspectable);
  }
}

export class WorkerClient {
  /**
   * @param {Worker} worker the running worker (see start-worker.js)
   * @param {any[]} [early] messages it sent before this client listened: handled once the
   *   caller has registered its listeners (after the current task's synchronous code)
   */
  constructor(worker, early = []) {
    this.worker = worker;
    this.nextId = 1;
    /** @type {Map<number, {resolve: Function, reject: Function}>} */
    this.pending = new Map();
    /** @type {Map<string, Array<function(*): void>>} */
    this.listeners = new Map();
    this.worker.addEventListener('message', (event) => this.receive(event.data));
    if (early.length) queueMicrotask(() => early.forEach((message) => this.receive(message)));
  }

  /**
   * Call `callback(payload)` for every event of `type`.
   * @param {string} type
   * @param {function(*): void} callback
   */
  on(type, callback) {
    const list = this.listeners.get(type) || [];
    list.push(callback);
    this.listeners.set(type, list);
  }

  /**
   * Send a request; resolves with the payload, rejects with a {@link WorkerError}. Both are
   * typed by the request's type (protocol.js's RequestMap).
   * @template {import('../shared/protocol.js').RequestType} T
   * @param {T} type
   * @param {import('../shared/protocol.js').PayloadOf<T>} payload
   * @param {Transferable[]} [transfer] buffers to move (not copy) to the worker
   * @param {Worker} [via] a helper worker that passes the request on to the worker (which
   *   answers as always)
   * @returns {Promise<import('../shared/protocol.js').ResponseOf<T>>}
   */
  request(type, payload, transfer = [], via = this.worker) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      via.postMessage(makeRequest(id, type, payload), transfer);
    });
  }

  /** @param {*} message */
  receive(message) {
    if (isResponse(message)) {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.status === 'success') waiting.resolve(message.payload);
      else waiting.reject(new WorkerError(message.error));
      return;
    }
    for (const callback of this.listeners.get(message.type) || []) callback(message.payload);
  }
}
