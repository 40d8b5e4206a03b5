/**
 * Boots the site's Pyodide under Node for a build step (see build/node_runner.py).
 * @module pyodide_node
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';

/**
 * Load Pyodide from a folder holding the runtime exactly as the site ships it.
 * @param {string} runtimeDir folder with pyodide.mjs, pyodide.asm.*, the lock and a stdlib
 * @param {Object} [options] extra loadPyodide options (stdLibURL, fsInit, _makeSnapshot, ...)
 * @returns {Promise<any>} the Pyodide API
 */
export async function bootPyodide(runtimeDir, options = {}) {
  const indexURL = path.resolve(runtimeDir) + path.sep;
  const { loadPyodide } = await import(pathToFileURL(indexURL + 'pyodide.mjs').href);
  return loadPyodide({
    indexURL,
    // Otherwise Emscripten takes sys.executable (and $_) from this script's path on the build
    // machine; the browser's value keeps a snapshot free of build paths and equal everywhere.
    _sysExecutable: './this.program',
    // Emscripten takes LANG from navigator.language, which Node has only from version 21 on;
    // fixed, so the snapshot does not depend on the Node that made it.
    env: { LANG: 'C.UTF-8' },
    stdout: (line) => process.stderr.write(`[python] ${line}\n`),
    stderr: (line) => process.stderr.write(`[python] ${line}\n`),
    ...options,
  });
}
