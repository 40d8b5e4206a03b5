/**
 * Starts the worker (and so Python's start-up) as soon as the page begins. index.html loads
 * this module on its own (async), ahead of main.js, whose larger module graph would otherwise
 * hold the worker back until all of it had been fetched (~0.3 s of a cold start, measured);
 * it imports nothing, so it runs as soon as it arrives. main.js takes the worker over with
 * {@link takeOver}, and gets the messages that came before it.
 * @module start-worker
 */

const worker = new Worker(new URL('../worker/worker.js', import.meta.url), { type: 'module', name: 'dicomtab' });
/** @type {any[]} messages received before the page took the worker over */
const early = [];
/** @param {MessageEvent} event */
const keep = (event) => { early.push(event.data); };
worker.addEventListener('message', keep);

/**
 * The worker, and the messages it sent so far (no longer kept from now on).
 * @returns {{worker: Worker, early: any[]}}
 */
export function takeOver() {
  worker.removeEventListener('message', keep);
  return { worker, early: early.splice(0) };
}
