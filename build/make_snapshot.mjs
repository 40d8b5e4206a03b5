/**
 * Build step: start Python the way the worker does, import the core, read one sample file,
 * and save the interpreter's memory (Pyodide's private `_makeSnapshot`, 0.27.x).
 *
 *     node build/make_snapshot.mjs RUNTIME_DIR STDLIB_ZIP SITE_PACKAGES_TGZ SAMPLE_DCM OUT
 *
 * The worker restores it (`_loadSnapshot`) instead of starting the interpreter and importing
 * pydicom, which is most of its start-up. Driven by build/snapshot.py.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bootPyodide } from './pyodide_node.mjs';
import { gunzip, unpackSitePackages } from '../web/app/worker/site-packages.js';

const [runtimeDir, stdlib, sitePackages, sample, out] = process.argv.slice(2);

// The snapshot is Python's memory, so anything drawn from the clock or from entropy while it
// is made would change its bytes from build to build. A fixed clock and a fixed pseudo-random
// stream make the build reproducible; the worker re-seeds Python's `random` after restoring
// (dicomtab.worker_api.resume_after_snapshot), and os.urandom always asks the browser anew.
let state = 0x2545f491;
/** @param {ArrayBufferView} view */
function getRandomValues(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return view;
}
// Emscripten draws entropy from globalThis.crypto when there is one (Node 19+), else from
// node:crypto; providing the global covers both.
Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues }, configurable: true });
Date.now = () => 1577836800000; // 2020-01-01T00:00:00Z

const pyodide = await bootPyodide(runtimeDir, { stdLibURL: stdlib, _makeSnapshot: true });
// Unpacked only now, not in fsInit as the worker does: at boot Pyodide lists the .dist-info
// in site-packages as loaded packages, and a snapshot must be taken with that list empty.
// The worker's boot lists them again after restoring, so it ends up in the same state.
const site = pyodide.runPython('import site; site.getsitepackages()[0]');
unpackSitePackages(pyodide.FS, site, await gunzip(readFileSync(sitePackages)));
pyodide.FS.writeFile('/tmp/warm-up.dcm', readFileSync(sample));
pyodide.runPython(`
import gc
import importlib
import os

importlib.invalidate_caches()  # the clock is fixed, so site-packages' mtime did not change
import dicomtab.worker_api as api

# Reading one file imports what reading needs beyond the module imports (codecs, UID tables).
with open("/tmp/warm-up.dcm", "rb") as f:
    opened = api.open_file(f.read(), "warm-up.dcm")
    assert '"status": "success"' in opened
# The tag inspector too (imported on first use otherwise, ~0.8 s in the browser): listing a
# file's tags then takes what parsing it takes.
for result in (api.phi_summary("i1"), api.tree("i1")):
    assert '"status": "success"' in result
del opened, result
os.remove("/tmp/warm-up.dcm")
api.SESSION = api.Session()
del api, f
gc.collect()
`);
writeFileSync(out, pyodide.makeMemorySnapshot());
