/**
 * Build step: compile Python sources to CPython 3.12 bytecode with the site's own Pyodide.
 *
 *     node build/compile_bytecode.mjs RUNTIME_DIR JOB_ZIP OUT_ZIP
 *
 * JOB_ZIP holds `job.json` ({"groups": {"name": "prefix"}}) and the sources as
 * `name/relative/path.py`; OUT_ZIP receives `name/relative/path.pyc`. The work itself is done
 * by build/pyc_compiler.py, inside Pyodide. Driven by build/bytecode.py.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bootPyodide } from './pyodide_node.mjs';

const [runtimeDir, jobZip, outZip] = process.argv.slice(2);
const pyodide = await bootPyodide(runtimeDir);
pyodide.FS.writeFile('/tmp/job.zip', readFileSync(jobZip));
pyodide.runPython(readFileSync(fileURLToPath(new URL('./pyc_compiler.py', import.meta.url)), 'utf8'));
pyodide.runPython("compile_job('/tmp/job.zip', '/tmp/out.zip')");
writeFileSync(outZip, pyodide.FS.readFile('/tmp/out.zip'));
