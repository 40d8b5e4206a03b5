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
  /**
   * payload: {name: string, bytes: ArrayBuffer} → {@link InstanceSummary} & {problem: Object}
   * for a file OPEN refused as truncated or damaged (inspection only; ids `d1`, `d2`, …)
   */
  OPEN_DAMAGED: 'open-damaged',
  /** payload: {instanceId: string, phiOnly?: boolean} → {@link TagTree} */
  TREE: 'tree',
  /**
   * payload: {instanceId: string, binary?: 'inline'|'omit', includeMeta?: boolean,
   * phiOnly?: boolean} → the instance in the DICOM JSON model (PS3.18 F)
   */
  TAGS: 'tags',
  /** payload: {instanceId: string} → {@link PhiSummary} */
  PHI_SUMMARY: 'phi-summary',
  /**
   * payload: {instanceId: string, path: string} → {path, tag, vr, vm, value: string,
   * values: string[], truncated: boolean}: an element's full value
   */
  VALUE_OF: 'value-of',
  /**
   * payload: {instanceId: string, query: string} → {query, tag: ?string, total: number,
   * truncated: boolean, matches: Array<{path, tag, keyword, name, matched: string[],
   * expand: string[]}>}
   */
  SEARCH: 'search',
  /**
   * payload: {a: string, b: string} (instance ids) → {changes: Array<{change:
   * 'added'|'removed'|'changed', path, tag, keyword, name, vr, a: ?string, b: ?string}>,
   * counts: {added, removed, changed}}
   */
  DIFF: 'diff',
  /**
   * payload: {instanceIds: string[]} → {instanceIds, instances: number, constant:
   * Array<{path, tag, keyword, name, value}>, varying: Array<{path, tag, keyword, name,
   * present, distinct, values: Array<?string>}>}
   */
  SERIES_DIFF: 'series-diff',
  /** payload: {instanceId: string, phiOnly?: boolean} → string (CSV text) */
  EXPORT_CSV: 'export-csv',
  /** payload: {instanceId: string, phiOnly?: boolean} → string (dcmdump-style text) */
  EXPORT_DUMP: 'export-dump',
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
 * One row of the tag tree, in file order (see py_core/dicomtab/inspect/tree.py).
 * @typedef {Object} TagRow
 * @property {'element'|'sequence'|'item'|'problem'} kind
 * @property {?string} path    e.g. `00081115/0/0020000E`; null for a problem row
 * @property {?string} parent  the containing sequence or item's path
 * @property {number} depth
 * @property {string} tag      `(gggg,eeee)`
 * @property {string} [keyword]
 * @property {string} [name]
 * @property {string} [vr]
 * @property {number} [vm]
 * @property {?number} [length]
 * @property {boolean} [private]
 * @property {boolean} [isPrivateCreator]
 * @property {?string} [privateCreator]
 * @property {{category: string, identifying: boolean, action: string, source: string}} [phi]
 * @property {boolean} [binary]
 * @property {number} [size]   bytes of a binary value
 * @property {boolean} [damaged]
 * @property {?string} [note]
 * @property {string} [value]  text, clipped (see truncated); hex preview for binary values
 * @property {boolean} [truncated]
 * @property {number} [items]  items of a sequence
 * @property {number} [number] item number (from 1)
 * @property {number} [offset] byte offset where parsing stopped (problem rows)
 * @property {string} [message] problem rows: user-facing sentence
 */

/**
 * @typedef {Object} TagTree
 * @property {string} fileName
 * @property {?string} transferSyntax
 * @property {TagRow[]} rows
 * @property {?{kind: string, tag: string, offset: number, detail: string, message: string}} problem
 * @property {string[]} notes
 */

/**
 * @typedef {Object} PhiSummary
 * @property {number} total
 * @property {number} identifying
 * @property {number} dates
 * @property {number} uids
 * @property {number} private
 * @property {number} freeText
 * @property {Array<{code: string, message: string, reasons: string[]}>} warnings  pixel
 *   warnings (burned-in annotation): user-facing message and the reasons for it
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
