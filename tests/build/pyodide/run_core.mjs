/**
 * Test driver: run Python in the site's own shipped runtime, as the worker has it.
 *
 *     node run_core.mjs DIST_DIR SCRIPT.py INPUT_FILE
 *
 * Boots dist/pyodide with the shipped bytecode stdlib, unpacks the shipped site-packages
 * archive with the worker's own code (app/worker/site-packages.js), writes INPUT_FILE to
 * /tmp/input.dcm, places the free-text vocabulary where the core reads it (as the worker does
 * before the first de-identification), installs numpy's files as the worker does right after
 * start-up (without re-importing the core with it: pixels stay unavailable, as before a pixel
 * request), runs SCRIPT.py and prints what it prints. No snapshot.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const [dist, script, input] = process.argv.slice(2);
const runtime = path.resolve(dist, 'pyodide') + path.sep;
const named = (prefix) => readdirSync(runtime).find((f) => f.startsWith(prefix));
const { loadPyodide } = await import(pathToFileURL(runtime + 'pyodide.mjs').href);
const { unpackSitePackages } = await import(pathToFileURL(path.resolve(dist, 'app/worker/site-packages.js')).href);
const archive = gunzipSync(readFileSync(runtime + named('site-packages-')));
let sitePackagesDir = '';
const pyodide = await loadPyodide({
  indexURL: runtime,
  stdLibURL: runtime + named('python_stdlib-'),
  fsInit: (FS, { sitePackages }) => {
    sitePackagesDir = sitePackages;
    unpackSitePackages(FS, sitePackages, archive);
  },
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
});
pyodide.FS.writeFile('/tmp/input.dcm', readFileSync(input));
const data = pyodide.runPython('import dicomtab, os; os.path.join(os.path.dirname(dicomtab.__file__), "data")');
pyodide.FS.writeFile(`${data}/text_vocabulary.txt.gz`, readFileSync(runtime + named('text_vocabulary-')));
// As app/worker/worker.js preparePixels does: numpy's files written, its libraries loaded (verification's
// byte scan, dicomtab.deid.bytescan, imports numpy; a run in the tab waits for it too).
const numpyArchive = gunzipSync(readFileSync(runtime + named('numpy-')));
const written = unpackSitePackages(pyodide.FS, sitePackagesDir, numpyArchive);
for (const library of written.filter((file) => file.endsWith('.so'))) {
  await pyodide._api.loadDynlib(library, false, []);
}
pyodide.runPython('import importlib; importlib.invalidate_caches()');
pyodide.runPython(readFileSync(script, 'utf8'));
