/**
 * What every codec module shares: the types of the codec interface, loading an emscripten
 * module from the codecs folder, running one of its embind decoders on a frame, and
 * describing the output the way the Python pipeline expects it.
 *
 * @module codecs/common
 */

/**
 * One frame's image pixel module, as `dicomtab.pixels.decoders.FrameInfo.to_dict()` gives it.
 * @typedef {{transfer_syntax: string, index: number, rows: number, columns: number,
 *   samples_per_pixel: number, bits_allocated: number, bits_stored: number,
 *   pixel_representation: number, photometric_interpretation: string,
 *   planar_configuration: number, number_of_frames: number, pixel_keyword: string,
 *   pixel_vr: string}} FrameInfo
 */

/**
 * A decoded frame: stored values, samples interleaved, little endian. `dtype` (a numpy dtype
 * string) is given only when it differs from the default (BitsAllocated wide, signed by Pixel
 * Representation); `photometric` only when the codec converted the colour space.
 * @typedef {{data: Uint8Array, dtype?: string, photometric?: string}} DecodedFrame
 */

/**
 * @typedef {{name: string, transferSyntaxes: string[],
 *   decode: function(Uint8Array, FrameInfo): DecodedFrame}} JsCodec
 */

/**
 * What an embind decoder reports about the codestream.
 * @typedef {{width: number, height: number, bitsPerSample: number, componentCount: number,
 *   isSigned?: boolean}} CodestreamInfo
 */

/**
 * A heap this large after a decode is given back by starting the codec afresh: a WebAssembly
 * memory never shrinks, and one huge (or hostile) frame would otherwise keep it for good.
 */
const RENEW_ABOVE_BYTES = 512 * 1024 * 1024;

/**
 * An emscripten codec module that is made anew, synchronously, after a decode fails (or
 * leaves a huge heap): a codec that throws or aborts mid-decode may leave leaked memory or
 * broken state behind. bench/codec_fuzz.py found OpenJPEG failing on intact frames after a few
 * dozen corrupt ones. The compiled WebAssembly module is kept, so a fresh instance costs
 * milliseconds and needs no fetch.
 */
export class RenewableModule {
  /** @param {function(): any} make a fresh, ready module */
  constructor(make) {
    this.make = make;
    /** @type {any} the current emscripten module */
    this.module = make();
  }

  /**
   * Run `use` with the current module; if it throws, the module is replaced before the error
   * is passed on.
   * @template T
   * @param {function(any): T} use
   * @returns {T}
   */
  use(use) {
    let result;
    try {
      result = use(this.module);
    } catch (error) {
      this.module = this.make();
      throw error;
    }
    if ((this.module.HEAP8?.length || 0) > RENEW_ABOVE_BYTES) this.module = this.make();
    return result;
  }
}

/**
 * Import an emscripten factory (an ES module made by the builder, see build/pins.json) from
 * `baseUrl`, compile its `.wasm` (same folder, same name) once, and instantiate it. The
 * instance is made synchronously (emscripten's `instantiateWasm` hook with an already
 * compiled module), which is what lets `decode` be synchronous, and the module be renewed
 * inside a decode call.
 * @param {string|URL} baseUrl the URL of dist/codecs/ (ending in a slash)
 * @param {string} glue the factory's file name
 * @returns {Promise<RenewableModule>}
 */
export async function loadEmscripten(baseUrl, glue) {
  const factory = (await import(new URL(glue, baseUrl).href)).default;
  const response = await fetch(new URL(glue.replace(/\.js$/, '.wasm'), baseUrl));
  if (!response.ok) throw new Error(`${glue}: its WebAssembly could not be fetched`);
  const compiled = await WebAssembly.compile(await response.arrayBuffer());
  return new RenewableModule(() => {
    const module = {
      // Silence the glue's own console output (abort texts, codec warnings): failures reach
      // the caller as exceptions, and loadCodecs names a codec that did not load.
      print: () => {},
      printErr: () => {},
      /**
       * @param {WebAssembly.Imports} imports
       * @param {function(WebAssembly.Instance, WebAssembly.Module): any} receive
       */
      instantiateWasm: (imports, receive) => receive(new WebAssembly.Instance(compiled, imports), compiled),
    };
    // With the instance given synchronously the glue runs to completion inside this call;
    // its promise is only the notice of it.
    factory(module).catch(() => {});
    if (!(/** @type {any} */ (module)).calledRun) throw new Error(`${glue}: the codec did not start`);
    return module;
  });
}

/**
 * Decode one codestream with an embind decoder class (J2KDecoder, JpegLSDecoder, ...) of a
 * renewable module, all of which share this interface, and copy the result out of the
 * WebAssembly memory (the next decode reuses it, and memory growth detaches views of it).
 * @param {RenewableModule} renewable
 * @param {string} className the embind class, e.g. `J2KDecoder`
 * @param {Uint8Array} encoded
 * @param {function(any): void} [run] decodes (default `decoder.decode()`)
 * @returns {{data: Uint8Array, frame: CodestreamInfo}}
 */
export function runDecoder(renewable, className, encoded, run = (decoder) => decoder.decode()) {
  return renewable.use((module) => {
    const decoder = new module[className]();
    try {
      decoder.getEncodedBuffer(encoded.length).set(encoded);
      run(decoder);
      const frame = decoder.getFrameInfo();
      const data = decoder.getDecodedBuffer().slice();
      return { data, frame };
    } finally {
      decoder.delete();
    }
  });
}

/**
 * Check what the codestream says against the data set, so that a mismatch is reported as
 * such rather than as a wrong byte count later.
 * @param {string} codec
 * @param {CodestreamInfo} frame
 * @param {FrameInfo} info
 */
export function checkGeometry(codec, frame, info) {
  if (frame.width !== info.columns || frame.height !== info.rows
      || frame.componentCount !== info.samples_per_pixel) {
    throw new Error(
      `${codec}: the codestream is ${frame.width}×${frame.height}×${frame.componentCount}, `
      + `the data set says ${info.columns}×${info.rows}×${info.samples_per_pixel}`);
  }
}

/**
 * The numpy dtype of samples `bytes` wide, signed by Pixel Representation, or undefined when
 * that is the pipeline's default (BitsAllocated wide). Codecs size their output by the
 * codestream's precision, as pylibjpeg does, so 8-bit data in a 16-bit container comes back
 * one byte a sample; the sign comes from the data set, whose Bits Stored the pipeline then
 * masks and sign-extends (frames.mask_stored), exactly as for pydicom's output.
 * @param {number} bytes 1 or 2
 * @param {FrameInfo} info
 * @returns {string|undefined}
 */
export function dtypeFor(bytes, info) {
  if (bytes * 8 === info.bits_allocated) return undefined;
  const kind = info.pixel_representation ? 'i' : 'u';
  return `${bytes === 1 ? '|' : '<'}${kind}${bytes}`;
}

/**
 * Samples stored one plane after another (R…RG…GB…B) interleaved to RGBRGB…
 * @param {Uint8Array} planar
 * @param {number} pixels
 * @param {number} samples
 * @param {number} bytes bytes per sample
 * @returns {Uint8Array}
 */
export function interleave(planar, pixels, samples, bytes) {
  const out = new Uint8Array(planar.length);
  for (let s = 0; s < samples; s += 1) {
    for (let p = 0; p < pixels; p += 1) {
      const from = (s * pixels + p) * bytes;
      const to = (p * samples + s) * bytes;
      for (let b = 0; b < bytes; b += 1) out[to + b] = planar[from + b];
    }
  }
  return out;
}

/**
 * A typed array's bytes as a Uint8Array (no copy), little endian on every platform that
 * runs this (WebAssembly and all browsers' typed arrays are little endian in practice).
 * @param {ArrayBufferView} view
 * @returns {Uint8Array}
 */
export function bytesOf(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
