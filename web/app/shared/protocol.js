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
  /**
   * payload: {files: OpenFile[]} → {@link OpenOutcome}[], one per file in the order given:
   * its summary, or why it was refused. Several files go in one message because, opening a
   * folder of thousands, a message per file cost the page and the worker as much as parsing
   * it. The worker keeps each File and reads it again when it needs bytes it dropped
   * (py_core/dicomtab/file_bytes.py), or more of its header than the head reader gave it.
   */
  OPEN: 'open',
  /** payload: {} → InstanceSummary[] */
  INSTANCES: 'instances',
  /**
   * payload: {instanceIds: string[]} (a file, a series or a study; damaged ones too) →
   * {closed: string[]}: those instances are forgotten, their bytes, their File and all that
   * was parsed of them. An id not open fails with 'usage', and then none is closed.
   */
  CLOSE: 'close',
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
  /**
   * payload: {instanceId: string} (a DICOMDIR opened with OPEN) → {@link DicomdirTree}: the
   * patient/study/series/instance tree its directory records describe
   */
  DICOMDIR: 'dicomdir',
  /**
   * payload: {instanceIds?: ?string[], studyOf?: ?string} (all open files when no ids; the
   * study of `studyOf` only when given) → {@link StudyPhiReport}: counts, never a value
   */
  STUDY_PHI: 'study-phi',
  /**
   * payload: {row: string (a row's key), instanceIds?: ?string[], studyOf?: ?string} →
   * {@link StudyPhiValues}: the distinct values of one row of that report, asked for by the user
   */
  STUDY_PHI_VALUES: 'study-phi-values',
  /**
   * payload: {form: 'csv'|'html', values: boolean, instanceIds?: ?string[], studyOf?: ?string}
   * → string: that report as CSV or a standalone printable HTML page (values and file names
   * only when `values`)
   */
  STUDY_PHI_EXPORT: 'study-phi-export',

  // -- Image viewer. The first of these loads numpy and the image codecs (about a second);
  // the page asks for PREPARE_PIXELS once Python is up so that a user rarely waits for it.
  /** payload: {} → {@link DecoderStatus}[]: numpy and every codec loaded (idempotent) */
  PREPARE_PIXELS: 'prepare-pixels',
  /** payload: {} → {@link DecoderStatus}[] */
  DECODERS: 'decoders',
  /**
   * payload: {instanceId: string} → {kind: 'image'|'pdf'|'document'|'sr'|'waveform'|'none',
   * frames?: number, mimeType?: string, byteLength?: number, lines?: string[],
   * waveforms?: Object[], reason?: string}
   */
  OBJECT_INFO: 'object-info',
  /**
   * payload: {instanceId: string, index: number} → {description: FrameDescription,
   * buffer: ArrayBuffer} (transferred); see py_core/dicomtab/pixels/describe.py
   */
  FRAME: 'frame',
  /** payload: {instanceId: string, index: number} → {digest: string, codec: string} */
  FRAME_DIGEST: 'frame-digest',
  /** payload: {instanceId: string, index: number} → {mimeType, byteLength, buffer} (.npy) */
  FRAME_NPY: 'frame-npy',
  /**
   * payload: {instanceIds: string[], size: number} → {rows, columns, index, instanceId,
   * buffer}: a series' preview for the study tree, rows × columns RGBA bytes (at most `size`,
   * ≤ 96, on the longer side) of its middle image in its default window
   * (py_core/dicomtab/pixels/thumbnail.py)
   */
  SERIES_PREVIEW: 'series-preview',
  /**
   * payload: {instanceId: string, index: number, group: string} → overlay description
   * (py_core/dicomtab/pixels/overlays.py overlay_info) & {buffer}: rows × columns bytes 0/1
   */
  OVERLAY: 'overlay',
  /** payload: {instanceId: string} → {mimeType, byteLength, buffer}: the encapsulated document */
  DOCUMENT: 'document',
  /**
   * payload: {instanceId: string, index: number} → waveform description & {bufferType:
   * 'float32', shape: [samples, channels], buffer}
   */
  WAVEFORM: 'waveform',
  /**
   * payload: {instanceIds: string[]} → {order: string[], sortedBy: 'position'|
   * 'instance-number'|'as-given'}: the series as a stack of slices (py_core/dicomtab/stack.py)
   */
  STACK: 'stack',
  /**
   * payload: {} → {wasmMemory: number}: bytes of the worker's WebAssembly memory (it only
   * grows: its size after a file is shown tells how much that took)
   */
  MEMORY: 'memory',

  // -- De-identification (py_core/dicomtab/deid/tab.py). The key travels as a key file's
  // bytes ({@link KeyFile}) with each call that needs it; the worker keeps it only during a
  // run (DEID_BEGIN to DEID_END).
  /** payload: {} → {@link ProfileInfo}[]: the built-in profiles */
  DEID_PROFILES: 'deid-profiles',
  /** payload: {profile: {@link ProfileChoice}} → {name, summary, hipaa: ?string, options} */
  DEID_CHECK_PROFILE: 'deid-check-profile',
  /** payload: {} → {text: string, fingerprint: string}: a new key file (keygen's format) */
  DEID_NEW_KEY: 'deid-new-key',
  /** payload: {key: {@link KeyFile}} → {fingerprint: string} */
  DEID_KEY_INFO: 'deid-key-info',
  /** payload: {instanceIds: string[], profile} → Array<{instanceId, flags: string[], error?}> */
  DEID_FLAGS: 'deid-flags',
  /** payload: {instanceId, profile, key} → {@link DeidPreview}; nothing is stored */
  DEID_PREVIEW: 'deid-preview',
  /**
   * payload: {profile, key, options: {verify?: boolean, crosswalk?: boolean, operator?:
   * string, purpose?: string, allowDamaged?: boolean, regions?: {@link RegionsFile}[]}} →
   * {profile: string, hipaa: ?string, fingerprint: string}
   */
  DEID_BEGIN: 'deid-begin',
  /**
   * payload: {@link RegionsFile} → {name: string, templates: Array<{name: string, boxes:
   * number}>}: what a redaction template file holds (a failure names the problem)
   */
  DEID_REGIONS: 'deid-regions',
  /**
   * payload: {instanceId, boxes: Box[], scope: 'instance'|'series'|'device'} →
   * {@link RegionsFile}: a redaction template for boxes drawn on an open instance
   */
  REDACTION_TEMPLATE: 'redaction-template',
  /**
   * payload: {instanceId, index} → {boxes: Box[], detector: string}: where the text detector
   * finds text in that frame (from 0), as suggestions for the viewer's redaction boxes
   */
  DETECT_TEXT: 'detect-text',
  /**
   * payload: {instanceId} → {@link DeidOutcome} & {buffer?: ArrayBuffer} (transferred): the
   * output, de-identified and verified, to store at `output`; then say DEID_STORED
   */
  DEID_FILE: 'deid-file',
  /** payload: {path: string, ok: boolean, reason?: string} → {@link DeidOutcome} */
  DEID_STORED: 'deid-stored',
  /** payload: {} → {@link DeidFinished}: the release record */
  DEID_FINISH: 'deid-finish',
  /** payload: {} → string: the crosswalk CSV (id_old,id_new) of a finished run that asked */
  DEID_CROSSWALK: 'deid-crosswalk',
  /** payload: {} → null: the run, its key and its mappings are forgotten */
  DEID_END: 'deid-end',
  /**
   * payload: {instanceIds: ?string[], records: Array<{name: string, text: string}>} →
   * {@link Verification}: `dicomtab verify` on the open de-identified files (those given, or
   * all), against the open originals and the release records opened with them
   */
  VERIFY: 'verify',
});

/** Events the worker sends on its own. */
export const Event = Object.freeze({
  /** payload: {stage: string, label: string, fraction: number} */
  BOOT_PROGRESS: 'boot-progress',
  /**
   * payload: {version: string, timings: {runtime: number, import: number, snapshot: boolean},
   * budgets: MemoryBudgets} (milliseconds; snapshot: whether Python was restored from the
   * build's memory snapshot)
   */
  BOOT_READY: 'boot-ready',
  /** payload: {code: string, message: string} */
  BOOT_FAILED: 'boot-failed',
  /**
   * payload: {requests?: Array<{url: string, time: number}>, blocked?: Array<{url: string,
   * directive: string, time: number}>}: requests made, and requests the Content Security
   * Policy refused (never sent); time is epoch milliseconds
   */
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
 * @typedef {Object} DecoderStatus
 * @property {string} transferSyntax UID
 * @property {string} name
 * @property {?string} codec  the codec that decodes it here, null when none can
 */

/**
 * @typedef {Object} ProtocolError
 * @property {string} code     stable machine-readable name (e.g. 'not-dicom', 'truncated')
 * @property {string} message  user-facing sentence naming the file
 * @property {boolean} [inspectable]  OPEN failed, but what precedes the problem can be shown
 *   for inspection (Request.OPEN_DAMAGED): the core decides
 */

/**
 * One file given to OPEN: its handle, and its first and last bytes, which the head reader
 * (app/worker/head-reader.js) adds on the request's way from the page to the Python worker.
 * Taking a slice of a File blocks the thread taking it for a round trip to the browser
 * (~0.2 ms): in the Python worker, the two slices of each file held the thread parsing the
 * files for about a quarter of its time. Without them (no head reader), the core reads what
 * it needs itself.
 * @typedef {Object} OpenFile
 * @property {string} name  the name shown (a relative path in a folder or an archive)
 * @property {File} file
 * @property {ArrayBuffer} [head]  its first {@link OPEN_HEAD_BYTES} (all of it, if shorter)
 * @property {?ArrayBuffer} [tail]  its bytes from {@link openTailStart}, null if the head is
 *   all of it: what may follow the pixel data (padding, a signature), which the core would
 *   otherwise read synchronously
 * @property {string} [unreadable]  instead of head and tail: the browser's error reading the
 *   file (NotFoundError: deleted since it was chosen, …)
 */

/**
 * The message that gives the Python worker, and the head reader, their ends of the channel
 * OPEN requests take between them: {type: READER_PORT}, with the port.
 */
export const READER_PORT = 'reader-port';

/** The first bytes of a file given with OPEN: most headers fit (the core reads on if not). */
export const OPEN_HEAD_BYTES = 64 * 1024;
/** The last bytes of a file given with OPEN, after its head. */
export const OPEN_TAIL_BYTES = 4 * 1024;

/**
 * Where the tail of a file given with OPEN starts.
 * @param {number} size the file's size
 */
export const openTailStart = (size) => Math.max(OPEN_HEAD_BYTES, size - OPEN_TAIL_BYTES);

/**
 * What OPEN says of one of its files: the file's summary, or why it was refused.
 * @typedef {{status: 'success', payload: InstanceSummary}
 *   | {status: 'failed', error: ProtocolError}} OpenOutcome
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
 * @property {{position: ?number[], orientation: ?number[]}} geometry  Image Position and
 *   Orientation (Patient), for stacking slices
 * @property {boolean} dicomdir  a DICOMDIR, whose records (Request.DICOMDIR) describe other
 *   files: the core decides (py_core/dicomtab/summary.py is_dicomdir)
 * @property {boolean} damaged   refused as truncated or damaged, opened for inspection only
 *   (Request.OPEN_DAMAGED): there is no image to show
 * @property {string} downloadName  what to name this instance's exports: a number in opening
 *   order (`instance-3`, `damaged-1`), never a value from the file
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
 * @property {boolean} [meta]  an element of the File Meta Information (group 0002)
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
 * @property {number} [elements] elements of an item
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
 * A DICOMDIR's records as a tree (py_core/dicomtab/inspect/dicomdir.py), in link order.
 * `key` is the record's byte offset ('none' for a missing level); `path` is the Referenced
 * File ID joined with '/', relative to the DICOMDIR's folder (null if absent or invalid).
 * @typedef {Object} DicomdirTree
 * @property {string} fileName
 * @property {boolean} standardName  named DICOMDIR, as PS3.10 requires (of several DICOMDIRs
 *   that name one file, such a one wins)
 * @property {number} records    items in the Directory Record Sequence
 * @property {number} instances  leaf records (records that name a file)
 * @property {Array<{key: string, name: ?string, id: ?string, studies: Array<{key: string,
 *   uid: ?string, date: ?string, description: ?string, studyId: ?string,
 *   accessionNumber: ?string, series: Array<{key: string, uid: ?string, number: ?number,
 *   modality: ?string, description: ?string, instances: Array<{key: string,
 *   recordType: ?string, path: ?string, sopInstanceUid: ?string, sopClassUid: ?string,
 *   number: ?number}>}>}>}>} patients
 * @property {string[]} notes  value-free sentences about broken record links
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
 * @property {?{method: string[], codes: Array<{value: string, scheme: string, meaning: string,
 *   option: ?string}>, safeHarbor: boolean, longitudinal: ?string}} deidentified  how the file
 *   says it was de-identified (Patient Identity Removed YES); null when it does not
 */

/**
 * One element of the study PHI report (py_core/dicomtab/inspect/study_phi.py): a tag, or a
 * private creator's element; `files` carry a value, `emptyFiles` only an empty one.
 * @typedef {Object} StudyPhiRow
 * @property {string} key   what Request.STUDY_PHI_VALUES takes
 * @property {string} tag
 * @property {string} keyword
 * @property {string} name
 * @property {?string} privateCreator
 * @property {string} vr
 * @property {string} action  Table E.1-1's code(s), e.g. 'X/Z/D'
 * @property {number} files
 * @property {number} emptyFiles
 * @property {number} occurrences
 * @property {number} distinct
 * @property {boolean} nested  found inside sequences too
 */

/**
 * @typedef {Object} StudyPhiCategory
 * @property {string} category  e.g. 'direct-identifier'
 * @property {string} label
 * @property {string} about
 * @property {number} files     files with a value in this category
 * @property {StudyPhiRow[]} rows
 */

/**
 * @typedef {Object} StudyPhiReport
 * @property {Array<{instanceId: string, label: string, fileName: string,
 *   status: 'read'|'damaged'|'doubtful'|'unreadable', problem: ?string, problemKind: ?string}>} files
 * @property {number} readable
 * @property {number} damaged
 * @property {StudyPhiCategory[]} categories
 * @property {Array<{creator: string, files: number, elements: number}>} privateCreators
 * @property {Array<{flag: string, label: string, about: string, files: Array<{instanceId:
 *   string, label: string, reasons: string[]}>}>} flags  burned-in text, face, voice
 * @property {Array<{code: string, meaning: string, used: boolean}>} legend  the action codes
 * @property {string} table  the edition of Table E.1-1
 */

/**
 * @typedef {Object} StudyPhiValues
 * @property {string} key
 * @property {string} tag
 * @property {number} distinct
 * @property {boolean} truncated  more distinct values than listed
 * @property {Array<{value: string, clipped: boolean, files: number, labels: string[]}>} values
 */

/**
 * A profile choice: a built-in one by name, or a profile file's text (the CLI's format).
 * @typedef {{builtin: string}|{name: string, json: string}} ProfileChoice
 */

/**
 * @typedef {Object} ProfileInfo
 * @property {string} name
 * @property {string} summary      one or two plain sentences
 * @property {string} description
 * @property {?string} hipaa       the HIPAA method it supports, if any
 * @property {string[]} options
 */

/**
 * A key file as the user chose or created it; held in the page's memory only.
 * @typedef {{name: string, bytes: ArrayBuffer}} KeyFile
 */

/**
 * A redaction template file (boxes of burned-in text to blank; `deid --regions` takes the
 * same files), as its name and JSON text.
 * @typedef {{name: string, text: string}} RegionsFile
 */

/**
 * The caches' byte budgets for this device (dicomtab.memory): the worker's file bytes and
 * parses, the page's decoded frames; deviceScale: their factor from navigator.deviceMemory.
 * @typedef {Object} MemoryBudgets
 * @property {number} fileBytes
 * @property {number} parsed
 * @property {number} frames
 * @property {number} deviceScale
 */

/**
 * A file the run will flag or check, found before the run (dicomtab.deid.tab.flags_before).
 * @typedef {Object} FlaggedBefore
 * @property {string} instanceId
 * @property {string[]} flags   what the run will flag, e.g. 'face-review'
 * @property {string[]} checks  what the run will look at first: 'pixel-check' (burned-in text found and blanked; flagged only if not shown gone)
 */

/**
 * One file's outcome in a run: never a value from the file.
 * @typedef {Object} DeidOutcome
 * @property {?string} output   `patient/study/series/instance.dcm` (pseudonym and new UIDs)
 * @property {?ProtocolError} error
 * @property {string[]} flags   e.g. 'pixel-review', 'face-review'
 * @property {?string} sha256
 * @property {?number} size
 * @property {string[]} findings what verification found (file, element path, kind)
 */

/**
 * @typedef {Object} DeidPreview
 * @property {string} instanceId
 * @property {string} profile
 * @property {string} output
 * @property {string[]} flags
 * @property {Array<{change: string, path: string, tag: string, keyword: ?string,
 *   name: ?string, a: ?string, b: ?string, action: string, rule: string}>} changes
 * @property {Object<string, number>} counts  per action (removed, emptied, replaced, …, kept)
 * @property {Array<{path: string, tag: string, keyword: ?string, name: ?string}>} kept
 */

/**
 * @typedef {Object} DeidFinished
 * @property {Object} record   the release record (py_core/dicomtab/deid/release.py)
 * @property {string} json     its JSON file's text
 * @property {string} text     its text file's text
 * @property {string[]} names  the two files' names
 * @property {{files: number, written: number, failed: number, actions: Object<string, number>,
 *   flags: Object<string, number>}} summary
 */

/**
 * What Request.VERIFY found (py_core/dicomtab/deid/verify_open.py): where, never what.
 * @typedef {Object} Verification
 * @property {'passed'|'not passed'|'nothing to verify'} result
 * @property {number} checked    de-identified files checked
 * @property {number} originals  open files that are not de-identified, whose values were searched for
 * @property {Array<{file: string, path: string, kind: string, what: string, offset?: number,
 *   region?: string}>} findings
 * @property {number} filesWithFindings
 * @property {Array<{record: string, listed: number, problems: Array<{path: string,
 *   kind: 'altered'|'missing'|'not-in-manifest'}>}>} manifests
 */

/**
 * Where a damaged file's parse stopped (py_core/dicomtab/inspect/partial.py).
 * @typedef {{kind: string, tag: string, offset: number, detail: string, message: string}} DamageProblem
 */

/**
 * @typedef {Object} Overlay
 * @property {string} group  e.g. '6000'
 * @property {number} rows
 * @property {number} columns
 * @property {number[]} origin  [row, column], 1-based
 * @property {string} type
 * @property {string} label
 * @property {string} description
 */

/**
 * An ultrasound region as the core reports it (bounds inclusive, in pixels).
 * @typedef {Object} UltrasoundRegion
 * @property {number} x0
 * @property {number} y0
 * @property {number} x1
 * @property {number} y1
 * @property {?number} unitsX  Physical Units X Direction (3: cm)
 * @property {?number} unitsY
 * @property {?number[]} pixelSpacing  [row, column] mm, for regions in cm; else null
 */

/**
 * A frame's description (py_core/dicomtab/pixels/describe.py).
 * @typedef {Object} FrameDescription
 * @property {number} index
 * @property {number} frames
 * @property {number} rows
 * @property {number} columns
 * @property {string} photometric
 * @property {?number[]} pixelSpacing  [row, column] mm
 * @property {?string} spacingSource  'patient' | 'detector'
 * @property {boolean} uncalibrated
 * @property {?number} frameTime ms
 * @property {?number} cineRate  frames per second
 * @property {Overlay[]} overlays
 * @property {UltrasoundRegion[]} [regions]  Sequence of Ultrasound Regions
 * @property {'int32'|'float32'|'rgb8'} bufferType
 * @property {?string} units
 * @property {?number} [min]
 * @property {?number} [max]
 * @property {{center: number, width: number}} [autoWindow]
 * @property {Array<{center: number, width: number, explanation: string}>} [windowPresets]
 * @property {'LINEAR'|'LINEAR_EXACT'|'SIGMOID'} [voiLutFunction]
 * @property {?{first: number, bits: number, data: number[], explanation?: string}} [voiLut]
 * @property {boolean} invert
 */

/**
 * One multiplex group of a waveform (py_core/dicomtab/pixels/objects.py waveforms).
 * @typedef {{index: number, samplingFrequency: number, channels: number,
 *   samplesPerChannel: number, labels: string[], units: string[]}} WaveformGroup
 */

/**
 * What an instance holds and how to show it (py_core/dicomtab/pixels/objects.py).
 * @typedef {{kind: 'image'|'pdf'|'document'|'sr'|'waveform'|'none', frames?: number,
 *   mimeType?: string, byteLength?: number, lines?: string[], waveforms?: WaveformGroup[],
 *   reason?: string}} ObjectInfo
 */

/**
 * One difference between two instances (Request.DIFF, py_core/dicomtab/inspect/diff.py);
 * `vr` is [VR in a, VR in b].
 * @typedef {{change: 'added'|'removed'|'changed', path: string, tag: string, keyword: ?string,
 *   name: ?string, vr: Array<?string>, a: ?string, b: ?string}} Change
 */

/**
 * Elements of a series (Request.SERIES_DIFF): the same in every instance, or varying, with
 * each instance's value (null where it lacks the element).
 * @typedef {{path: string, tag: string, keyword: ?string, name: ?string, value: ?string}} ConstantElement
 * @typedef {{path: string, tag: string, keyword: ?string, name: ?string, present: number,
 *   distinct: number, values: Array<?string>}} VaryingElement
 */

/**
 * A box as `deid --regions` takes it, in pixels; `frames` lists frame numbers from 1
 * (absent: every frame).
 * @typedef {{x: number, y: number, width: number, height: number, frames?: number[]}} Box
 */

/** Which open files the study PHI report covers (all when neither is given). */
/** @typedef {{instanceIds?: ?string[], studyOf?: ?string}} StudyScope */

/** A file's bytes moved to the page: `mimeType` and `byteLength` describe `buffer`. */
/** @typedef {{mimeType: string, byteLength: number, buffer: ArrayBuffer}} FileBytes */

/**
 * Every request's payload and the payload of its success, by request type: what
 * WorkerClient.request and the worker's handlers are typed by, so that tsc checks both
 * ends of each message.
 * @typedef {{
 *   'open': {payload: {files: OpenFile[]}, response: OpenOutcome[]},
 *   'instances': {payload: {}, response: InstanceSummary[]},
 *   'close': {payload: {instanceIds: string[]}, response: {closed: string[]}},
 *   'open-damaged': {payload: {name: string, bytes: ArrayBuffer},
 *     response: InstanceSummary & {problem: DamageProblem}},
 *   'tree': {payload: {instanceId: string, phiOnly?: boolean}, response: TagTree},
 *   'tags': {payload: {instanceId: string, binary?: 'inline'|'omit', includeMeta?: boolean,
 *     phiOnly?: boolean}, response: Object<string, unknown>},
 *   'phi-summary': {payload: {instanceId: string}, response: PhiSummary},
 *   'value-of': {payload: {instanceId: string, path: string}, response: {path: string,
 *     tag: string, vr: string, vm: number, value: string, values: string[], truncated: boolean}},
 *   'search': {payload: {instanceId: string, query: string}, response: {query: string,
 *     tag: ?string, total: number, truncated: boolean, matches: Array<{path: string,
 *     tag: string, keyword: string, name: string, matched: string[], expand: string[]}>}},
 *   'diff': {payload: {a: string, b: string}, response: {changes: Change[],
 *     counts: {added: number, removed: number, changed: number}}},
 *   'series-diff': {payload: {instanceIds: string[]}, response: {instanceIds: string[],
 *     instances: number, constant: ConstantElement[], varying: VaryingElement[]}},
 *   'export-csv': {payload: {instanceId: string, phiOnly?: boolean}, response: string},
 *   'export-dump': {payload: {instanceId: string, phiOnly?: boolean}, response: string},
 *   'dicomdir': {payload: {instanceId: string}, response: DicomdirTree},
 *   'study-phi': {payload: StudyScope, response: StudyPhiReport},
 *   'study-phi-values': {payload: StudyScope & {row: string}, response: StudyPhiValues},
 *   'study-phi-export': {payload: StudyScope & {form: 'csv'|'html', values: boolean},
 *     response: string},
 *   'prepare-pixels': {payload: {}, response: DecoderStatus[]},
 *   'decoders': {payload: {}, response: DecoderStatus[]},
 *   'object-info': {payload: {instanceId: string}, response: ObjectInfo},
 *   'frame': {payload: {instanceId: string, index: number},
 *     response: {description: FrameDescription, buffer: ArrayBuffer}},
 *   'frame-digest': {payload: {instanceId: string, index: number},
 *     response: {digest: string, codec: string}},
 *   'frame-npy': {payload: {instanceId: string, index: number}, response: FileBytes},
 *   'series-preview': {payload: {instanceIds: string[], size: number}, response: {rows: number,
 *     columns: number, index: number, instanceId: string, buffer: ArrayBuffer}},
 *   'overlay': {payload: {instanceId: string, index: number, group: string},
 *     response: Overlay & {frames: number, firstFrame: number, source: string,
 *       bitPosition: number, buffer: ArrayBuffer}},
 *   'document': {payload: {instanceId: string}, response: FileBytes},
 *   'waveform': {payload: {instanceId: string, index: number}, response: WaveformGroup &
 *     {bufferType: 'float32', shape: number[], buffer: ArrayBuffer}},
 *   'stack': {payload: {instanceIds: string[]}, response: {order: string[],
 *     sortedBy: 'position'|'instance-number'|'as-given'}},
 *   'memory': {payload: {}, response: {wasmMemory: number}},
 *   'deid-profiles': {payload: {}, response: ProfileInfo[]},
 *   'deid-check-profile': {payload: {profile: ProfileChoice}, response: {name: string,
 *     summary: string, hipaa: ?string, options: string[]}},
 *   'deid-new-key': {payload: {}, response: {text: string, fingerprint: string}},
 *   'deid-key-info': {payload: {key: KeyFile}, response: {fingerprint: string}},
 *   'deid-flags': {payload: {instanceIds: string[], profile: ProfileChoice},
 *     response: FlaggedBefore[]},
 *   'deid-preview': {payload: {instanceId: string, profile: ProfileChoice, key: KeyFile},
 *     response: DeidPreview},
 *   'deid-begin': {payload: {profile: ProfileChoice, key: KeyFile, options: {verify?: boolean,
 *     crosswalk?: boolean, operator?: ?string, purpose?: ?string, allowDamaged?: boolean,
 *     regions?: RegionsFile[]}}, response: {profile: string, hipaa: ?string, fingerprint: string}},
 *   'deid-regions': {payload: RegionsFile, response: {name: string,
 *     templates: Array<{name: string, boxes: number}>}},
 *   'redaction-template': {payload: {instanceId: string, boxes: Box[],
 *     scope: 'instance'|'series'|'device'}, response: RegionsFile},
 *   'detect-text': {payload: {instanceId: string, index: number},
 *     response: {boxes: Box[], detector: string}},
 *   'deid-file': {payload: {instanceId: string}, response: DeidOutcome & {buffer?: ArrayBuffer}},
 *   'deid-stored': {payload: {path: string, ok: boolean, reason?: string}, response: DeidOutcome},
 *   'deid-finish': {payload: {}, response: DeidFinished},
 *   'deid-crosswalk': {payload: {}, response: string},
 *   'deid-end': {payload: {}, response: null},
 *   'verify': {payload: {instanceIds: ?string[], records: Array<{name: string, text: string}>},
 *     response: Verification},
 * }} RequestMap
 */

/** @typedef {keyof RequestMap} RequestType */
/**
 * @template {RequestType} T
 * @typedef {RequestMap[T]['payload']} PayloadOf
 */
/**
 * @template {RequestType} T
 * @typedef {RequestMap[T]['response']} ResponseOf
 */

/**
 * @template {RequestType} T
 * @param {number} id
 * @param {T} type
 * @param {PayloadOf<T>} payload
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
