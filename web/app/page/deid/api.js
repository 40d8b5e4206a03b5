/**
 * `window.dicomtab.deidentify`: the panel's run, called with options instead of clicks.
 * @module deid/api
 */
import { FolderOutput, ZipOutput } from './outputs.js';

/**
 * @typedef {Object} DeidentifyRequest
 * @property {string|Object} profile  a built-in profile's name, or a profile object (the CLI's JSON)
 * @property {ArrayBuffer|ArrayBufferView|string} key  the key file's bytes (or its text)
 * @property {string[]} [instanceIds]  default: every open instance
 * @property {'zip'|FileSystemDirectoryHandle} output
 * @property {boolean} [crosswalk]
 * @property {boolean} [allowDamaged]  also damaged files, what could be read (refused otherwise)
 * @property {import('../../shared/protocol.js').RegionsFile[]} [regions]  redaction templates: boxes of
 *   burned-in text to blank in the images they match
 * @property {string} [operator]
 * @property {string} [purpose]
 */

/**
 * Check the options (a message naming the problem otherwise) and run.
 * @param {DeidentifyRequest} request
 * @param {import('./panel.js').DeidPanel} panel  runs it, showing its progress
 * @param {string[]} open  the ids of the open instances
 * @returns {Promise<{counts: Object, verification: Object, record: Object, crosswalk: ?string}>}
 */
export async function deidentify(request, panel, open) {
  const { profile, key, output } = request || /** @type {any} */ ({});
  const choice = profileChoice(profile);
  if (key === undefined || key === null) throw new Error("deidentify: key is required (the key file's bytes).");
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key)
    : ArrayBuffer.isView(key) ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength) : new Uint8Array(key);
  const instanceIds = request.instanceIds ? [...request.instanceIds] : [...open];
  const unknown = instanceIds.filter((id) => !open.includes(id));
  if (unknown.length) throw new Error(`deidentify: no open instance has the id ${unknown[0]}.`);
  if (instanceIds.length === 0) throw new Error('deidentify: no instances to de-identify.');
  const result = await panel.run({
    instanceIds, output: await outputFor(output), profile: choice,
    key: { name: 'key', bytes: bytes.slice().buffer },
    options: {
      crosswalk: Boolean(request.crosswalk), allowDamaged: Boolean(request.allowDamaged),
      operator: request.operator, purpose: request.purpose, regions: regionsOf(request.regions),
    },
  });
  if (result.status === 'cancelled') throw new Error('deidentify: the run was cancelled; nothing was kept.');
  const record = /** @type {any} */ (result.record);
  return { counts: record.files, verification: record.verification, record, crosswalk: result.crosswalk };
}

/**
 * @param {unknown} regions
 * @returns {import('../../shared/protocol.js').RegionsFile[]}
 */
function regionsOf(regions) {
  if (regions === undefined || regions === null) return [];
  if (!Array.isArray(regions) || !regions.every((r) => r && typeof r.text === 'string')) {
    throw new Error('deidentify: regions must be a list of {name, text} redaction template files.');
  }
  return regions.map((r, i) => ({ name: String(r.name || `regions-${i + 1}.json`), text: r.text }));
}

/**
 * @param {unknown} profile
 * @returns {import('../../shared/protocol.js').ProfileChoice}
 */
function profileChoice(profile) {
  if (typeof profile === 'string') return { builtin: profile };
  if (profile && typeof profile === 'object') return { name: 'profile object', json: JSON.stringify(profile) };
  throw new Error('deidentify: profile must be a built-in profile name or a profile object.');
}

/**
 * @param {unknown} output
 * @returns {Promise<import('./outputs.js').Output>}
 */
async function outputFor(output) {
  if (output === 'zip') return new ZipOutput();
  if (output && typeof output === 'object' && /** @type {any} */ (output).kind === 'directory') {
    return FolderOutput.open(/** @type {FileSystemDirectoryHandle} */ (output));
  }
  throw new Error("deidentify: output must be 'zip' or a FileSystemDirectoryHandle.");
}
