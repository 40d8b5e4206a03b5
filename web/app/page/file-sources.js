/**
 * Where files come from: the file and folder pickers, drag and drop (files and whole folders),
 * and ZIP archives, whose entries are read by slices in the page (zip-entries.js): nothing
 * sent anywhere. Every source ends up as a flat list of {@link Source}.
 * @module file-sources
 */

import { ArchiveError, readArchive } from './zip-entries.js';

/**
 * @typedef {Object} SourceFile
 * @property {File} file
 * @property {string} name      the name shown: the relative path inside a folder or archive
 * @property {boolean} fromCollection  true when it came out of a folder or an archive: such a
 *   file that is not DICOM is skipped and counted, not reported as a problem
 */

/**
 * A file inside an archive, read only when it is opened: {@link readySource}.
 * @typedef {Object} EntrySource
 * @property {string} name  the archive's name, then the entry's path inside it
 * @property {boolean} fromCollection  always true
 * @property {function(): Promise<File>} open
 */

/** @typedef {SourceFile|EntrySource} Source */

/**
 * An archive none of whose files could be opened.
 * @typedef {Object} ArchiveProblem
 * @property {string} fileName  the archive's name
 * @property {string} code
 * @property {string} message  for the user
 */

/**
 * Files picked with an <input type=file> (with or without webkitdirectory).
 * @param {FileList|File[]} files
 * @returns {SourceFile[]}
 */
export function fromFileList(files) {
  return Array.from(files).map((file) => ({
    file,
    name: file.webkitRelativePath || file.name,
    fromCollection: Boolean(file.webkitRelativePath),
  }));
}

/**
 * Sources that arrive over time: a dropped folder is listed as it is opened, so its first files
 * are read while the rest are still being found, and no task waits for the whole listing (a
 * folder input's FileList, by contrast, is built by the browser in one go before the page gets
 * it). `items` only grows; `done` once the list is complete.
 */
export class GrowingSources {
  /** @param {Source[]} [items] @param {boolean} [done] */
  constructor(items = [], done = false) {
    /** @type {Source[]} */
    this.items = items;
    this.done = done;
    /** true when listing stopped on an error: `items` holds what was found before it */
    this.incomplete = false;
    /** @type {function(): void} */
    this.wake = () => {};
    /** @type {Promise<void>} */
    this.moved = this.nextMove();
  }

  /** A complete list. @param {Source[]} items */
  static of(items) {
    return new GrowingSources(items, true);
  }

  /** @returns {Promise<void>} */
  nextMove() {
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /** @param {Source[]} found */
  push(found) {
    if (found.length === 0) return;
    this.items.push(...found);
    this.wakeWaiting();
  }

  finish() {
    this.done = true;
    this.wakeWaiting();
  }

  /** @private */
  wakeWaiting() {
    const wake = this.wake;
    this.moved = this.nextMove();
    wake();
  }

  /**
   * Resolves once there are more than `count` items, or the list is complete.
   * @param {number} count
   * @returns {Promise<void>}
   */
  async beyond(count) {
    while (this.items.length <= count && !this.done) await this.moved;
  }
}

/**
 * One directory's entries (readEntries gives them in batches of ~100).
 * @param {FileSystemDirectoryEntry} directory
 * @returns {Promise<FileSystemEntry[]>}
 */
function readAll(directory) {
  const reader = directory.createReader();
  /** @type {FileSystemEntry[]} */
  const entries = [];
  return new Promise((resolve, reject) => {
    const next = () => reader.readEntries((batch) => {
      if (batch.length === 0) resolve(entries);
      else { entries.push(...batch); next(); }
    }, reject);
    next();
  });
}

/**
 * A folder's entries in name order, numbers by value (file-2 before file-10). One collator:
 * localeCompare with options makes one per comparison (~100 ms to sort 1,000 names).
 */
const BY_NAME = new Intl.Collator(undefined, { numeric: true });

/**
 * Files of a folder asked for their File at once: each is a round trip to the browser, and
 * each answer blocks the page for a registration in the browser (1-7 ms when the browser is
 * busy reading files): 64 answers in a row made frames of 80 ms and more.
 */
const FILES_AT_ONCE = 16;

/**
 * @param {FileSystemFileEntry} entry
 * @returns {Promise<File>}
 */
const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));

/**
 * Walk `entry` depth first, each folder's entries in name order (numbers by value), pushing
 * its files into `out` as they are found.
 * @param {FileSystemEntry} entry
 * @param {string} prefix
 * @param {GrowingSources} out
 * @param {boolean} inFolder
 */
async function walk(entry, prefix, out, inFolder) {
  if (entry.isFile) {
    const file = await fileOf(/** @type {FileSystemFileEntry} */ (entry));
    out.push([{ file, name: prefix + entry.name, fromCollection: inFolder }]);
    return;
  }
  if (!entry.isDirectory) return;
  const children = await readAll(/** @type {FileSystemDirectoryEntry} */ (entry));
  children.sort((a, b) => BY_NAME.compare(a.name, b.name));
  const folder = `${prefix}${entry.name}/`;
  for (let i = 0; i < children.length;) {
    if (children[i].isDirectory) { await walk(children[i++], folder, out, true); continue; }
    // A run of files, in order, their File objects asked for together.
    let end = i;
    while (end < children.length && !children[end].isDirectory && end - i < FILES_AT_ONCE) end++;
    const files = children.slice(i, end).filter((child) => child.isFile);
    const read = await Promise.all(files.map((child) => fileOf(/** @type {FileSystemFileEntry} */ (child))));
    out.push(read.map((file, k) => ({ file, name: folder + files[k].name, fromCollection: true })));
    i = end;
  }
}

/**
 * Files and folders dropped on the page. Folders are walked recursively, and their files
 * come as they are found (see {@link GrowingSources}). A folder that cannot be listed ends
 * the list where it stopped, marked incomplete.
 * @param {DataTransfer} transfer
 * @returns {GrowingSources}
 */
export function fromDataTransfer(transfer) {
  // Entries must be taken now: a DataTransfer is emptied once its drop event is over.
  const entries = Array.from(transfer.items || [])
    .map((item) => (item.kind === 'file' && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((entry) => !entry)) {
    return GrowingSources.of(fromFileList(transfer.files));
  }
  const out = new GrowingSources();
  (async () => {
    for (const entry of entries) await walk(/** @type {FileSystemEntry} */ (entry), '', out, false);
  })().catch(() => { out.incomplete = true; }).finally(() => out.finish());
  return out;
}

/**
 * Replace every ZIP archive in `sources` (a file named *.zip that is one) by its entries, each
 * still to be opened ({@link readySource}). An archive whose central directory cannot be read
 * is a problem of its own; the other sources go on.
 * @param {SourceFile[]} sources
 * @returns {Promise<{files: Source[], unsupported: number, problems: ArchiveProblem[]}>}
 */
export async function expandArchives(sources) {
  /** @type {Source[]} */
  const files = [];
  /** @type {ArchiveProblem[]} */
  const problems = [];
  let unsupported = 0;
  for (const source of sources) {
    if (!/\.zip$/i.test(source.name)) { files.push(source); continue; }
    try {
      const archive = await readArchive(source.file, source.name);
      if (!archive) { files.push(source); continue; }  // no ZIP: the core says what it is
      for (const entry of archive.entries) {
        files.push({ name: `${source.name}/${entry.path}`, fromCollection: true, open: entry.open });
      }
      unsupported += archive.unsupported;
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      problems.push({ fileName: source.name, code: error.code, message: error.message });
    }
  }
  return { files, unsupported, problems };
}

/**
 * The source as a File the worker can read: an archive entry is opened (sliced or inflated)
 * now, only when its turn comes.
 * @param {Source} source
 * @returns {Promise<SourceFile>}
 * @throws {ArchiveError} when an archive entry cannot be read
 */
export async function readySource(source) {
  if ('file' in source) return source;
  return { file: await source.open(), name: source.name, fromCollection: source.fromCollection };
}
