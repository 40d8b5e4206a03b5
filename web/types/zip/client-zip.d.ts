// The part of client-zip (dist/zip/client-zip.js, pinned in build/pins.json) the page uses:
// its ZIP stream writer. After the package's own index.d.ts (MIT), trimmed to what we call.

type BufferLike = ArrayBuffer | string | ArrayBufferView | Blob;

/** One entry: its path inside the ZIP, its bytes, and the time it carries. */
type ZipEntry = { name: string, input: BufferLike, lastModified?: Date, size?: number | bigint };

/** A ZIP (stored entries, ZIP64 when needed) of `files`, taken one at a time as it is read. */
export declare function makeZip(
  files: AsyncIterable<ZipEntry> | Iterable<ZipEntry>,
  options?: { buffersAreUTF8?: boolean },
): ReadableStream<Uint8Array>;
