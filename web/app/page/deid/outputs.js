/**
 * Where a de-identification run puts its files: one ZIP streamed into a download, or a
 * folder the user picked. Both take files one at a time (never the whole batch in memory),
 * and both leave nothing half-written: a file is added only after it was de-identified and
 * verified, and a cancelled or failed run leaves no ZIP and removes what it wrote to a folder.
 * @module deid/outputs
 */

/** The output folder's or ZIP's release record, written last: its name marks a used folder. */
export const RECORD_JSON = 'release-record.json';

/**
 * @typedef {Object} Output
 * @property {string} kind                     'zip' or 'folder'
 * @property {function(string, BufferSource): Promise<void>} add  store one file at a path
 * @property {function(): Promise<?Blob>} close  finish (the ZIP's Blob; null for a folder)
 * @property {function(): Promise<void>} abort   drop everything this run wrote
 */

/** Where client-zip (pinned, dist/zip/) is loaded from, on the first ZIP written. */
const CLIENT_ZIP_URL = new URL('../../../zip/client-zip.js', import.meta.url).href;

/**
 * A ZIP written as a stream (client-zip, stored entries, ZIP64 past 4 GB) into a Blob, which
 * the browser keeps outside the page's heap (on disk when large). `add` resolves once the
 * entry's bytes were taken by the writer, so at most one file waits in memory.
 */
export class ZipOutput {
  constructor() {
    this.kind = 'zip';
    /** @type {Array<{name: string, input: BufferSource, lastModified: Date}>} */
    this.queue = [];
    /** @type {?function(): void} wakes the writer when a file or the end arrives */
    this.wake = null;
    /** @type {?function(): void} wakes `add` when the writer took its file */
    this.taken = null;
    this.ended = false;
    this.aborted = false;
    this.started = new Date();
    /** @type {Promise<Blob>} */
    this.blob = this.start();
    this.blob.catch(() => {}); // awaited by close(); an abort's rejection is expected
  }

  async start() {
    const { makeZip } = /** @type {import('../../../zip/client-zip.js')} */ (await import(CLIENT_ZIP_URL));
    return new Response(makeZip(this.entries())).blob();
  }

  /** @returns {AsyncGenerator<{name: string, input: BufferSource, lastModified: Date}>} */
  async* entries() {
    for (;;) {
      if (this.aborted) throw new Error('cancelled');
      const next = this.queue.shift();
      if (next) {
        this.taken?.();
        yield next;
      } else if (this.ended) {
        return;
      } else {
        await new Promise((resolve) => { this.wake = () => resolve(undefined); });
      }
    }
  }

  /** @param {string} path @param {BufferSource} bytes */
  async add(path, bytes) {
    const taken = new Promise((resolve) => { this.taken = () => resolve(undefined); });
    this.queue.push({ name: path, input: bytes, lastModified: this.started });
    this.wake?.();
    // A writer that failed (or was aborted) takes nothing more: fail instead of waiting.
    await Promise.race([taken, this.blob.then(() => { throw new Error('The ZIP was closed.'); })]);
  }

  async close() {
    this.ended = true;
    this.wake?.();
    return this.blob;
  }

  async abort() {
    this.aborted = true;
    this.queue = [];
    this.wake?.();
    await this.blob.catch(() => null);
  }
}

/**
 * A folder the user picked (File System Access API). Each file is written through a
 * writable stream, which Chromium keeps in a temporary file and moves into place only when
 * closed; a failed write is aborted, and `abort` removes every file this run wrote and every
 * folder it created.
 */
export class FolderOutput {
  /** @param {FileSystemDirectoryHandle} root */
  constructor(root) {
    this.kind = 'folder';
    this.root = root;
    /** @type {string[]} paths of the files written so far */
    this.written = [];
    /** @type {string[]} folders created, outermost first */
    this.created = [];
  }

  /**
   * Check the folder can be written to and holds no earlier release; a user-facing message
   * otherwise.
   * @param {FileSystemDirectoryHandle} root
   * @returns {Promise<FolderOutput>}
   */
  static async open(root) {
    const handle = /** @type {any} */ (root);
    if (handle.queryPermission && (await handle.queryPermission({ mode: 'readwrite' })) !== 'granted'
        && (await handle.requestPermission({ mode: 'readwrite' })) !== 'granted') {
      throw new Error(`The browser does not allow writing to the folder "${root.name}". Choose another folder.`);
    }
    if (await has(root, RECORD_JSON, 'file')) {
      throw new Error(`The folder "${root.name}" already holds a release (${RECORD_JSON}): `
        + 'one record documents one batch, so choose an empty folder.');
    }
    return new FolderOutput(root);
  }

  /** @param {string} path @param {BufferSource} bytes */
  async add(path, bytes) {
    const parts = path.split('/');
    const name = /** @type {string} */ (parts.pop());
    let folder = this.root;
    let walked = '';
    for (const part of parts) {
      walked += `${part}/`;
      if (!this.created.includes(walked) && !(await has(folder, part, 'directory'))) this.created.push(walked);
      folder = await folder.getDirectoryHandle(part, { create: true });
    }
    const file = await folder.getFileHandle(name, { create: true });
    const writable = await file.createWritable();
    try {
      await writable.write(bytes);
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => {});
      await folder.removeEntry(name).catch(() => {});
      throw error;
    }
    this.written.push(path);
  }

  async close() {
    return null;
  }

  async abort() {
    for (const path of this.written.splice(0)) await this.remove(path);
    for (const path of this.created.splice(0).reverse()) await this.remove(path.slice(0, -1));
  }

  /** @param {string} path a file's or (empty) folder's, inside the root */
  async remove(path) {
    const parts = path.split('/');
    const name = /** @type {string} */ (parts.pop());
    try {
      let folder = this.root;
      for (const part of parts) folder = await folder.getDirectoryHandle(part);
      await folder.removeEntry(name);
    } catch {
      // Already gone, or not empty because something else was put there: leave it.
    }
  }
}

/**
 * Whether ``folder`` holds an entry ``name`` of this kind (asked without creating it).
 * @param {FileSystemDirectoryHandle} folder
 * @param {string} name
 * @param {'file'|'directory'} kind
 */
async function has(folder, name, kind) {
  try {
    await (kind === 'file' ? folder.getFileHandle(name) : folder.getDirectoryHandle(name));
    return true;
  } catch {
    return false;
  }
}
