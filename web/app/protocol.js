/**
 * The page ⇄ worker protocol: every message either side sends is made here.
 *
 * - A request (page → worker): `{id, type, payload}`.
 * - Its response (worker → page): `{id, type, status: 'success', payload}` or
 *   `{id, type, status: 'failed', error: {code, message}}`. Failures are data, never thrown
 *   across the boundary; `message` is fit to show a user and quotes nothing from a file.
 * - An event (worker → page, unsolicited): `{type, payload}`: boot progress, readiness,
 *   and the worker's own network requests (so the page can count them).
 *
 * @module protocol
 */

/** Requests the page may send. */
export const Request = Object.freeze({
  /** payload: {name: string, bytes: ArrayBuffer} → {@link InstanceSummary} */
  OPEN: 'open',
  /** payload: {} → InstanceSummary[] */
  INSTANCES: 'instances',
});

/** Events the worker sends on its own. */
export const Event = Object.freeze({
  /** payload: {stage: string, label: string, fraction: number} */
  BOOT_PROGRESS: 'boot-progress',
  /**
   * payload: {version: string, timings: {runtime: number, import: number, snapshot: boolean}}
   * (milliseconds; snapshot: whether Python was restored from the build's memory snapshot)
   */
  BOOT_READY: 'boot-ready',
  /** payload: {code: string, message: string} */
  BOOT_FAILED: 'boot-failed',
  /** payload: {requests: Array<{url: string, time: number}>}; time is epoch milliseconds */
  NETWORK: 'network',
});

/**
 * Start-up stages in order, with the words shown to the user and the share of the progress
 * bar reached when the stage begins.
 * @type {ReadonlyArray<{stage: string, label: string, fraction: number}>}
 */
export const BOOT_STAGES = Object.freeze([
  { stage: 'runtime', label: 'Starting Python (WebAssembly)', fraction: 0.05 },
  { stage: 'import', label: 'Importing the DICOM core', fraction: 0.7 },
  { stage: 'ready', label: 'Ready', fraction: 1 },
]);

/**
 * @typedef {Object} ProtocolError
 * @property {string} code     stable machine-readable name (e.g. 'not-dicom', 'truncated')
 * @property {string} message  user-facing sentence naming the file
 */

/**
 * @typedef {Object} InstanceSummary
 * @property {string} instanceId
 * @property {string} fileName
 * @property {{name: ?string, id: ?string, birthDate: ?string, sex: ?string}} patient
 * @property {{uid: ?string, date: ?string, description: ?string, accessionNumber: ?string}} study
 * @property {{uid: ?string, number: ?number, description: ?string}} series
 * @property {{uid: ?string, number: ?number}} instance
 * @property {?string} modality
 * @property {{uid: ?string, name: ?string}} sopClass
 * @property {{uid: ?string, name: ?string}} transferSyntax
 * @property {?number} rows
 * @property {?number} columns
 * @property {number} frames
 * @property {number} fileSize
 * @property {boolean} hasFileMeta
 * @property {string[]} notes
 */

/**
 * @param {number} id
 * @param {string} type
 * @param {Object} payload
 */
export function makeRequest(id, type, payload) {
  return { id, type, payload };
}

/**
 * @param {{id: number, type: string}} request
 * @param {*} payload
 */
export function makeSuccess(request, payload) {
  return { id: request.id, type: request.type, status: 'success', payload };
}

/**
 * @param {{id: number, type: string}} request
 * @param {ProtocolError} error
 */
export function makeFailure(request, error) {
  return { id: request.id, type: request.type, status: 'failed', error };
}

/**
 * @param {string} type
 * @param {Object} payload
 */
export function makeEvent(type, payload) {
  return { type, payload };
}

/**
 * Whether a message from the worker answers a request (rather than being an event).
 * @param {{id?: number}} message
 */
export function isResponse(message) {
  return typeof message.id === 'number';
}
