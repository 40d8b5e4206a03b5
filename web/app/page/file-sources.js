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
 * @param {FileSystemEntry} entry
 * @param {string} prefix
 * @param {SourceFile[]} out
 * @param {boolean} inFolder
 */
async function walk(entry, prefix, out, inFolder) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => (
      /** @type {FileSystemFileEntry} */ (entry)).file(resolve, reject));
    out.push({ file, name: prefix + entry.name, fromCollection: inFolder });
  } else if (entry.isDirectory) {
    const children = await readAll(/** @type {FileSystemDirectoryEntry} */ (entry));
    children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    for (const child of children) await walk(child, `${prefix}${entry.name}/`, out, true);
  }
}

/**
 * Files and folders dropped on the page. Folders are walked recursively.
 * @param {DataTransfer} transfer
 * @returns {Promise<SourceFile[]>}
 */
export async function fromDataTransfer(transfer) {
  const entries = Array.from(transfer.items || [])
    .map((item) => (item.kind === 'file' && item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((entry) => !entry)) return fromFileList(transfer.files);
  /** @type {SourceFile[]} */
  const out = [];
  for (const entry of entries) await walk(/** @type {FileSystemEntry} */ (entry), '', out, false);
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
