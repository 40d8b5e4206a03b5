/**
 * The entries of a ZIP archive the user opened, read with zip.js (pinned in build/pins.json,
 * shipped in dist/zip/, loaded on the first archive) by slices of the archive's File: the
 * central directory (ZIP64 included), then each entry's local header when it is opened; the
 * archive is never read whole. A stored entry is a slice of the archive (no copy: the worker
 * reads it by slices like any file); a deflated entry is inflated with the browser's
 * DecompressionStream only when it is opened, streamed into a Blob (which the browser may keep
 * on disk), up to {@link INFLATED_LIMIT}.
 * @module zip-entries
 */

/** Where zip.js is loaded from, on the first archive opened. */
const ZIP_JS_URL = new URL('../../zip/zip-core-external.min.js', import.meta.url).href;

/**
 * The largest inflated size of a deflated entry (1 GiB): it becomes one Blob, and the worker
 * may read a damaged file whole. A stored entry has no limit (it is a slice of the archive).
 */
export const INFLATED_LIMIT = 2 ** 30;

const STORED = 0;
const DEFLATED = 8;
/** The first bytes of a local file header ("PK\x03\x04") or of an empty archive's end record. */
const ZIP_HEADS = new Set([0x04034b50, 0x06054b50]);

/** An archive or entry that cannot be read: `message` is for the user, `code` for the page. */
export class ArchiveError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * One file of an archive, opened on demand.
 * @typedef {Object} ArchiveEntry
 * @property {string} path  its path inside the archive
 * @property {function(): Promise<File>} open  the entry as a File (named by its base name);
 *   rejects with an {@link ArchiveError} when it cannot be read
 */

/** @type {?Promise<typeof import('../../zip/zip-core-external.min.js')>} */
let loading = null;

/** zip.js, configured; when it cannot be loaded, the next archive tries again. */
function zipJs() {
  loading ||= import(ZIP_JS_URL).then((/** @type {typeof import('../../zip/zip-core-external.min.js')} */ lib) => {
    // The page's thread and the browser's own inflater: zip.js's worker and zlib WebAssembly
    // are not shipped.
    lib.configure({ useWebWorkers: false, useCompressionStream: true });
    return lib;
  }, (error) => {
    loading = null;
    throw error;
  });
  return loading;
}

/**
 * @param {File} file
 * @returns {Promise<boolean>} whether it starts like a ZIP archive
 */
async function startsLikeZip(file) {
  if (file.size < 4) return false;
  return ZIP_HEADS.has(new DataView(await file.slice(0, 4).arrayBuffer()).getUint32(0, true));
}

/**
 * @param {number} bytes
 * @returns {string}
 */
function sizeText(bytes) {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/**
 * The data of a stored entry: a slice of the archive, after its local header (read by zip.js,
 * which checks it lies within the archive).
 * @param {File} archive
 * @param {import('../../zip/zip-core-external.min.js').Entry} entry
 * @param {string} baseName
 * @returns {Promise<File>}
 */
async function storedData(archive, entry, baseName) {
  await entry.getData(undefined, { checkOverlappingEntryOnly: true });
  const start = /** @type {import('../../zip/zip-core-external.min.js').LocalDirectory} */ (
    entry.localDirectory).dataOffset;
  return new File([archive.slice(start, start + entry.compressedSize)], baseName);
}

/**
 * A deflated entry inflated into a Blob, refused past {@link INFLATED_LIMIT} (whatever its
 * header says: the bytes are counted as they come).
 * @param {import('../../zip/zip-core-external.min.js').Entry} entry
 * @param {string} name  its name as shown
 * @param {string} baseName
 * @returns {Promise<File>}
 */
async function inflatedData(entry, name, baseName) {
  const tooLarge = () => new ArchiveError('archive-entry-too-large',
    `${name} would be ${sizeText(entry.uncompressedSize)} once inflated, more than the `
    + `${sizeText(INFLATED_LIMIT)} this page inflates from an archive: extract the archive and open the file itself.`);
  if (entry.uncompressedSize > INFLATED_LIMIT) throw tooLarge();
  let total = 0;
  const counter = new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > INFLATED_LIMIT) controller.error(tooLarge());
      else controller.enqueue(chunk);
    },
  });
  const blob = new Response(counter.readable).blob();
  blob.catch(() => {});  // its failure is getData's, reported below
  await entry.getData(counter.writable);
  return new File([await blob], baseName);
}

/**
 * The entries of `archive` (folders skipped), each opened on demand, or null when the file
 * is no ZIP archive at all (let the core say what it is).
 * Encrypted entries and compression methods other than stored and deflated are counted in
 * `unsupported`.
 * @param {File} archive
 * @param {string} archiveName  its name as shown
 * @returns {Promise<?{entries: ArchiveEntry[], unsupported: number}>}
 * @throws {ArchiveError} when it is a ZIP archive whose central directory cannot be read, or
 *   when zip.js cannot be loaded
 */
export async function readArchive(archive, archiveName) {
  /** @type {typeof import('../../zip/zip-core-external.min.js')} */
  let lib;
  try {
    lib = await zipJs();
  } catch {
    throw new ArchiveError('zip-reader-unavailable', `${archiveName} cannot be opened: the page `
      + 'could not load its ZIP reader (reload the page and try again).');
  }
  const { BlobReader, ZipReader } = lib;
  const reader = new ZipReader(new BlobReader(archive));
  /** @type {import('../../zip/zip-core-external.min.js').Entry[]} */
  let listed;
  try {
    listed = await reader.getEntries();
  } catch {
    // Not even the start of a ZIP archive: a file only named *.zip (let the core say what it is).
    if (!await startsLikeZip(archive)) return null;
    throw new ArchiveError('damaged-archive', `${archiveName} is a damaged or incomplete ZIP archive `
      + '(its central directory cannot be read): none of its files were opened.');
  }
  /** @type {ArchiveEntry[]} */
  const entries = [];
  let unsupported = 0;
  for (const entry of listed) {
    if (entry.directory) continue;
    const method = entry.compressionMethod;
    if (entry.encrypted || (method !== STORED && method !== DEFLATED)) { unsupported++; continue; }
    const path = entry.filename;
    const name = `${archiveName}/${path}`;
    const baseName = path.split('/').pop() || path;
    const open = async () => {
      try {
        return method === STORED ? await storedData(archive, entry, baseName)
          : await inflatedData(entry, name, baseName);
      } catch (error) {
        if (error instanceof ArchiveError) throw error;
        throw new ArchiveError('damaged-archive-entry',
          `${name} is damaged in its archive (its data cannot be read or inflated).`);
      }
    };
    entries.push({ path, open });
  }
  return { entries, unsupported };
}
