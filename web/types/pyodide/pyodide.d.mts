/**
 * What web/app/worker/worker.js uses of `../pyodide/pyodide.mjs`: Pyodide 0.27.7's module, which the
 * builder puts into dist/pyodide/ (pinned in build/pins.json), so web/ has no copy of it to
 * check against. The jsconfig's `rootDirs` makes the import find this file instead. Only the
 * options the worker passes are declared; the interpreter itself stays `any`.
 */
export function loadPyodide(options: {
  indexURL: string;
  stdLibURL: string;
  /** Called with Emscripten's file system before Python starts. */
  fsInit: (FS: any, info: { sitePackages: string }) => Promise<void>;
  /** The build's memory snapshot. */
  _loadSnapshot?: Promise<ArrayBuffer>;
  /** The snapshot's size in bytes: an option of the builder's patch of pyodide.mjs (pins.json). */
  _snapshotSize?: number;
  stderr?: (line: string) => void;
}): Promise<any>;
