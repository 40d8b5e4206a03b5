// The part of zip.js (dist/zip/zip-core-external.min.js, pinned in build/pins.json) the page uses:
// its reader over a Blob. After the package's own index.d.ts (BSD-3-Clause), trimmed to what we call.

/** Options shared by the whole library. */
export declare function configure(options: { useWebWorkers?: boolean, useCompressionStream?: boolean }): void;

/** Reads a Blob (a File) by slices: `blob.slice(offset, offset + length)`, never whole. */
export declare class BlobReader {
  constructor(blob: Blob);
}

/** The local file header's fields, read by {@link Entry.getData}. */
export interface LocalDirectory {
  /** Where the entry's data starts in the archive. */
  dataOffset: number;
}

/** One entry of the central directory. */
export interface Entry {
  filename: string;
  directory: boolean;
  encrypted: boolean;
  compressionMethod: number;
  compressedSize: number;
  uncompressedSize: number;
  zip64: boolean;
  /** Set once getData has read the local file header. */
  localDirectory?: LocalDirectory;
  /**
   * Inflates the entry into `writer` (closed at the end). With `checkOverlappingEntryOnly`
   * only the local file header is read (and checked against the archive's bounds), the data
   * is not: `writer` is not used.
   */
  getData(
    writer: WritableStream<Uint8Array> | undefined,
    options?: { checkOverlappingEntryOnly?: boolean, checkOverlappingEntry?: boolean, signal?: AbortSignal },
  ): Promise<unknown>;
}

/** A ZIP archive's reader: `getEntries` reads the central directory (ZIP64 included). */
export declare class ZipReader {
  constructor(reader: BlobReader, options?: { useWebWorkers?: boolean });
  getEntries(): Promise<Entry[]>;
  close(): Promise<void>;
}
