/**
 * Helper worker: reads the first and last bytes of each file the page opens, and passes the
 * OPEN request on to the Python worker, through the port the page gave it (READER_PORT).
 *
 * Taking a slice of a File blocks the thread that takes it for a round trip to the browser
 * (~0.2 ms, two a file). In the Python worker, that held the thread parsing the files for
 * about a quarter of its time; in the page, it held the thread that draws. Here it holds only
 * this thread, which does nothing else.
 * @module head-reader
 */
import { OPEN_HEAD_BYTES, READER_PORT, openTailStart } from '../shared/protocol.js';

/** @type {?MessagePort} */
let python = null;
/** The requests passed on so far: the next one goes after them. */
/** @type {Promise<unknown>} */
let passed = Promise.resolve();

/**
 * A file's head and tail (see OpenFile), or the name of the browser's error if it cannot read
 * the file (changed or deleted since it was chosen).
 * @param {import('../shared/protocol.js').OpenFile} given
 * @returns {Promise<import('../shared/protocol.js').OpenFile>}
 */
async function withEnds(given) {
  const { file } = given;
  try {
    // A file deleted since it was chosen says it has 0 bytes, and a slice of it reads as
    // empty: only reading all of it tells it from an empty file.
    if (file.size === 0) return { ...given, head: await file.arrayBuffer(), tail: null };
    const [head, tail] = await Promise.all([
      file.slice(0, OPEN_HEAD_BYTES).arrayBuffer(),
      file.size > OPEN_HEAD_BYTES ? file.slice(openTailStart(file.size)).arrayBuffer() : null,
    ]);
    return { ...given, head, tail };
  } catch (error) {
    return { ...given, unreadable: error instanceof Error ? error.name : 'Error' };
  }
}

self.addEventListener('message', ({ data, ports }) => {
  if (data?.type === READER_PORT) {
    python = ports[0];
    return;
  }
  const read = Promise.all(data.payload.files.map(withEnds));
  // Passed on in the order they came: the worker numbers the instances in that order.
  passed = passed.then(async () => {
    const files = await read;
    /** @type {Transferable[]} */
    const buffers = files.flatMap(({ head, tail }) => [head, tail].filter((b) => b instanceof ArrayBuffer));
    /** @type {MessagePort} */ (python).postMessage({ ...data, payload: { files } }, buffers);
  }).catch(() => {
    // Passed on as it came (the worker then reads the files itself), so that this request is
    // answered and the chain goes on for the next ones.
    /** @type {MessagePort} */ (python).postMessage(data);
  });
});
