/**
 * One de-identification run, driven from the page: the worker de-identifies and verifies each
 * selected instance in turn (py_core/dicomtab/deid/tab.py), the page stores the output and
 * tells the worker, and the release record goes into the output last. The De-identify panel
 * and `window.dicomtab.deidentify` both run this.
 * @module deid/run
 */
import { Request } from '../../shared/protocol.js';
import { RECORD_JSON } from './outputs.js';

/**
 * @typedef {Object} RunSettings
 * @property {import('../../shared/protocol.js').ProfileChoice} profile
 * @property {import('../../shared/protocol.js').KeyFile} key
 * @property {string[]} instanceIds       what to de-identify, in order
 * @property {Object<string, number>} sizes  bytes of each instance's file (for progress)
 * @property {import('./outputs.js').Output} output
 * @property {{crosswalk?: boolean, operator?: string, purpose?: string, allowDamaged?: boolean,
 *   regions?: import('../../shared/protocol.js').RegionsFile[]}} [options]
 * @property {AbortSignal} [signal]       Cancel: stops after the file under way
 * @property {function(Progress): void} [onProgress]
 */

/**
 * @typedef {Object} Progress
 * @property {number} done   files done (written or failed)
 * @property {number} total
 * @property {number} bytesDone  input bytes done
 * @property {number} bytes      input bytes in all
 * @property {number} elapsedMs
 * @property {?number} leftMs    estimated from the bytes' pace (null before the first file)
 * @property {Array<{instanceId: string, code: string, message: string}>} errors
 */

/**
 * @typedef {Object} RunResult
 * @property {'finished'|'cancelled'} status
 * @property {?Object} record   the release record (null when cancelled)
 * @property {?import('../../shared/protocol.js').DeidFinished} finished
 * @property {?string} crosswalk  the CSV, when asked for
 * @property {?Blob} zip          the ZIP, for a ZIP output
 * @property {Progress} progress
 */

/**
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {RunSettings} settings
 * @returns {Promise<RunResult>}
 */
export async function runDeidentification(client, settings) {
  const { instanceIds, sizes, output, signal, onProgress } = settings;
  const options = settings.options || {};
  const started = performance.now();
  /** @type {Progress} */
  const progress = {
    done: 0, total: instanceIds.length, bytesDone: 0, errors: [], elapsedMs: 0, leftMs: null,
    bytes: instanceIds.reduce((sum, id) => sum + (sizes[id] || 0), 0),
  };
  const report = () => {
    progress.elapsedMs = performance.now() - started;
    progress.leftMs = progress.bytesDone > 0
      ? (progress.elapsedMs / progress.bytesDone) * (progress.bytes - progress.bytesDone) : null;
    onProgress?.({ ...progress, errors: [...progress.errors] });
  };
  try {
    await client.request(Request.DEID_BEGIN, {
      profile: settings.profile, key: settings.key,
      options: {
        verify: true, crosswalk: Boolean(options.crosswalk), allowDamaged: Boolean(options.allowDamaged),
        operator: options.operator || null, purpose: options.purpose || null,
        regions: options.regions || [],
      },
    });
    report();
    for (const instanceId of instanceIds) {
      if (signal?.aborted) return await cancel(output, progress);
      const outcome = await client.request(Request.DEID_FILE, { instanceId });
      if (outcome.error) {
        progress.errors.push({ instanceId, ...outcome.error });
      } else {
        // Without an error, the output's bytes came with it.
        await store(client, output, /** @type {import('../../shared/protocol.js').DeidOutcome & {buffer: ArrayBuffer}} */ (outcome), instanceId, progress);
      }
      progress.done += 1;
      progress.bytesDone += sizes[instanceId] || 0;
      report();
    }
    if (signal?.aborted) return await cancel(output, progress);
    /** @type {import('../../shared/protocol.js').DeidFinished} */
    const finished = await client.request(Request.DEID_FINISH, {});
    const encoder = new TextEncoder();
    try {
      await output.add(RECORD_JSON, encoder.encode(finished.json));
      await output.add(finished.names[1], encoder.encode(finished.text));
    } catch (error) {
      // A release without its record is no release: say why, and take the files back.
      throw new Error(`The release record could not be written (${reasonOf(error)}), so the output was removed.`);
    }
    const zip = await output.close();
    const crosswalk = options.crosswalk ? await client.request(Request.DEID_CROSSWALK, {}) : null;
    return { status: 'finished', record: finished.record, finished, crosswalk, zip, progress };
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    await client.request(Request.DEID_END, {}).catch(() => {});
  }
}

/**
 * Store one output; a refusal fails that file (and the batch goes on).
 * @param {import('../worker-client.js').WorkerClient} client
 * @param {import('./outputs.js').Output} output
 * @param {import('../../shared/protocol.js').DeidOutcome & {buffer: ArrayBuffer}} outcome
 * @param {string} instanceId
 * @param {Progress} progress
 */
async function store(client, output, outcome, instanceId, progress) {
  const path = /** @type {string} */ (outcome.output);
  try {
    await output.add(path, outcome.buffer);
  } catch (error) {
    const failed = await client.request(Request.DEID_STORED, { path, ok: false, reason: reasonOf(error) });
    progress.errors.push({ instanceId, .../** @type {import('../../shared/protocol.js').ProtocolError} */ (failed.error) });
    return;
  }
  await client.request(Request.DEID_STORED, { path, ok: true });
}

/**
 * Why the browser did not store a file, in words (never a value from the file).
 * @param {any} error
 */
function reasonOf(error) {
  const name = (error && error.name) || 'error';
  if (name === 'QuotaExceededError') return 'the disk is full';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'the browser does not allow writing there';
  return `the browser could not write it (${name})`;
}

/**
 * @param {import('./outputs.js').Output} output
 * @param {Progress} progress
 * @returns {Promise<RunResult>}
 */
async function cancel(output, progress) {
  await output.abort();
  return { status: 'cancelled', record: null, finished: null, crosswalk: null, zip: null, progress };
}
