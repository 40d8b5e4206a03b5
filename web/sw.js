/**
 * Service worker: serves the app's own files from a versioned cache so the tool starts with
 * the network unplugged. It only ever caches the files of this build (listed at build time);
 * nothing derived from a user's file is ever stored. Every response it serves carries the
 * site's Content-Security-Policy, so the worker is confined even on a server that sends none.
 */
/* The builder replaces these three placeholders. */
const BUILD_ID = "__BUILD_ID__";
/** @type {string[]} paths relative to this file */
const PRECACHE = "__PRECACHE__";
const CSP = "__CSP__";

const CACHE = `dicomtab-${BUILD_ID}`;
const scope = self.registration.scope;
const APP_FILES = new Set(PRECACHE.map((path) => new URL(path, scope).href));

/**
 * Fetch one file of the build and store it with the policy header already added, ready to be
 * served as it is: a response handed over straight from the cache reaches the page without
 * passing through this worker's JavaScript (measured: a warm start is ready ~0.05-0.1 s sooner
 * than when every response was rebuilt here, which streamed the 10 MB wasm through this thread).
 * @param {Cache} cache
 * @param {string} path
 */
async function store(cache, path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', CSP);
  await cache.put(path, new Response(response.body, {
    status: response.status, statusText: response.statusText, headers,
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    // The only writes to Cache Storage: the build's own files, listed at build time.
    const cache = await caches.open(CACHE);
    await Promise.all(PRECACHE.map((path) => store(cache, path)));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('dicomtab-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  const key = request.mode === 'navigate' && url.href === new URL('index.html', scope).href
    ? scope : url.href;
  if (!APP_FILES.has(key) || (request.method !== 'GET' && request.method !== 'HEAD')) return;
  event.respondWith(serve(key, request));
});

/**
 * @param {string} key the cached URL
 * @param {Request} request
 */
async function serve(key, request) {
  // Read only: a response fetched here (a build file not yet cached) is passed on, not stored.
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached && request.method === 'GET') return cached; // stored with the policy (see store)
  const response = cached || (await fetch(request));
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', CSP);
  const body = request.method === 'HEAD' ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
