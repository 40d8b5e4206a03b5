/**
 * Helper worker: downloads the gzip'd start-up files and inflates them off the Python
 * worker's thread. That thread is meanwhile feeding Pyodide's WebAssembly to the compiler and
 * starting the interpreter; inflating the 25 MB snapshot there (~0.1 s) held all of it up
 * (measured: a warm start is ready ~0.1 s sooner with this helper).
 *
 * Request: {files: [{key, url, integrity}], later?: [the same]}: `later` once `files` are done.
 * Replies, per file as it is ready: {key, buffer} (transferred) or {key, error}; then
 * {requests}: this worker's own network requests, so the page's count of requests stays
 * complete.
 */
self.addEventListener('message', async ({ data }) => {
  const one = async (
    /** @type {{key: string, url: string, integrity: string}} */ { key, url, integrity },
  ) => {
    try {
      const response = await fetch(url, { integrity });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      // A successful GET's body is never null.
      const inflated = /** @type {ReadableStream<Uint8Array>} */ (response.body)
        .pipeThrough(new DecompressionStream('gzip'));
      const buffer = await new Response(inflated).arrayBuffer();
      self.postMessage({ key, buffer }, [buffer]);
    } catch (error) {
      self.postMessage({ key, error: String(error) });
    }
  };
  await Promise.all(data.files.map(one));
  // Then the files needed after start-up, so that they do not slow it down.
  await Promise.all((data.later || []).map(one));
  const requests = performance.getEntriesByType('resource').map((entry) => ({
    url: entry.name, time: performance.timeOrigin + entry.startTime,
  }));
  self.postMessage({ requests });
});
