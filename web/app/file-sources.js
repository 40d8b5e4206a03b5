/**
 * Where files come from: the file and folder pickers, drag and drop (files and whole folders),
 * and ZIP archives, which are unpacked here in the page with the browser's own inflater
 * (DecompressionStream 'deflate-raw'): no library, nothing sent anywhere.
 * Every source ends up as a flat list of {@link SourceFile}.
 * @module file-sources
 */

/**
 * @typedef {Object} SourceFile
 * @property {File} file
 * @property {string} name      the name shown: the relative path inside a folder or archive
 * @property {boolean} fromCollection  true when it came out of a folder or an archive: such a
 *   file that is not DICOM is skipped and counted, not reported as a problem
 */

const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;

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
 * @param {File} file
 * @returns {Promise<boolean>} whether the file starts like a ZIP archive
 */
async function looksLikeZip(file) {
  if (file.size < 22) return false;
  const head = new DataView(await file.slice(0, 4).arrayBuffer());
  return head.getUint32(0, true) === ZIP_LOCAL || head.getUint32(0, true) === ZIP_END;
}

/**
 * The entries of a ZIP archive as files (stored and deflated entries; folders skipped).
 * An entry with another compression method, or encrypted, is returned as an empty-named
 * problem via `skipped`.
 * @param {File} archive
 * @param {string} archiveName
 * @returns {Promise<{files: SourceFile[], unsupported: number}>}
 */
export async function unzip(archive, archiveName) {
  const buffer = await archive.arrayBuffer();
  const view = new DataView(buffer);
  let end = -1;
  for (let at = buffer.byteLength - 22; at >= Math.max(0, buffer.byteLength - 22 - 65535); at--) {
    if (view.getUint32(at, true) === ZIP_END) { end = at; break; }
  }
  if (end < 0) throw new Error('not a zip');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  /** @type {SourceFile[]} */
  const files = [];
  let unsupported = 0;
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== ZIP_CENTRAL) throw new Error('bad central directory');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const name = decoder.decode(new Uint8Array(buffer, at + 46, nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if ((flags & 1) || (method !== 0 && method !== 8)) { unsupported++; continue; }
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true)
      + view.getUint16(localOffset + 28, true);
    const raw = new Blob([new Uint8Array(buffer, dataStart, compressedSize)]);
    const data = method === 0 ? raw
      : await new Response(raw.stream().pipeThrough(new DecompressionStream('deflate-raw'))).blob();
    const baseName = name.split('/').pop() || name;
    files.push({ file: new File([data], baseName), name: `${archiveName}/${name}`, fromCollection: true });
  }
  return { files, unsupported };
}

/**
 * Replace every ZIP archive in `sources` by its entries.
 * @param {SourceFile[]} sources
 * @returns {Promise<{files: SourceFile[], unsupported: number}>}
 */
export async function expandArchives(sources) {
  /** @type {SourceFile[]} */
  const files = [];
  let unsupported = 0;
  for (const source of sources) {
    if (/\.zip$/i.test(source.name) && await looksLikeZip(source.file)) {
      try {
        const unpacked = await unzip(source.file, source.name);
        files.push(...unpacked.files);
        unsupported += unpacked.unsupported;
        continue;
      } catch {
        // Not a readable archive after all: let the core report it like any other file.
      }
    }
    files.push(source);
  }
  return { files, unsupported };
}
