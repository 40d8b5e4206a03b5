/**
 * Decode frames with the site's JS codecs under Node, for tests/build/test_codecs.py.
 *
 *   node decode_frames.mjs <codecs dir> <jobs dir>
 *
 * `<jobs dir>/jobs.json` lists `{id, info}` (info: a FrameInfo dict); `<id>.in` holds the
 * frame's codestream. Each decoded frame is written to `<id>.out`; stdout's last line is a
 * JSON object `{codecs: {name: [syntaxes]}, warnings: [text], results: {id: {codec, dtype,
 * photometric} or {codec, error}}}`. web/app/worker/codecs/index.js is imported as the worker imports it; the codecs are
 * loaded from the given folder (dist/codecs/ of a build) by file: URL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [codecsDir, jobsDir] = process.argv.slice(2).map((p) => resolve(p));

// The emscripten glue is UMD turned into ES modules by the builder; under Node it takes its
// Node branch, which uses CommonJS's require and __dirname (locateFile overrides the folder
// it derives from the latter). A browser never gets here.
globalThis.require = createRequire(import.meta.url);
globalThis.__dirname = codecsDir;
// The loader fetches each codec's .wasm (a browser fetches it from the site); Node's fetch
// has no file: URLs, so those are read from disk here.
const fetchUrl = globalThis.fetch;
globalThis.fetch = async (url, init) => (String(url).startsWith('file:')
  ? new Response(readFileSync(fileURLToPath(String(url)))) : fetchUrl(url, init));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const { loadCodecs } = await import(pathToFileURL(join(root, 'web/app/worker/codecs/index.js')).href);

const warnings = [];
console.warn = (message) => warnings.push(String(message));
const codecs = await loadCodecs(pathToFileURL(codecsDir + '/').href);
const bySyntax = new Map();
for (const codec of codecs) for (const uid of codec.transferSyntaxes) bySyntax.set(uid, codec);

const results = {};
for (const { id, info } of JSON.parse(readFileSync(join(jobsDir, 'jobs.json'), 'utf8'))) {
  const codec = bySyntax.get(info.transfer_syntax);
  if (!codec) { results[id] = { error: 'no codec' }; continue; }
  try {
    const encoded = new Uint8Array(readFileSync(join(jobsDir, `${id}.in`)));
    const out = codec.decode(encoded, info);
    writeFileSync(join(jobsDir, `${id}.out`), out.data);
    results[id] = { codec: codec.name, dtype: out.dtype ?? null, photometric: out.photometric ?? null };
  } catch (error) {
    results[id] = { codec: codec.name, error: String(error?.message ?? error) };
  }
}
const names = Object.fromEntries(codecs.map((c) => [c.name, c.transferSyntaxes]));
console.log(JSON.stringify({ codecs: names, warnings, results }));
