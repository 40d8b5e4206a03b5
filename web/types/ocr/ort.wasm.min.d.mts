// The part of onnxruntime-web (dist/ocr/ort.wasm.min.mjs, pinned in build/pins.json) the
// worker uses, after the package's own types (MIT), trimmed to what we call.

export declare const env: {
  wasm: {
    numThreads?: number,
    proxy?: boolean,
    wasmPaths?: string,
    wasmBinary?: ArrayBuffer | Uint8Array,
  },
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal',
};

export declare class Tensor {
  constructor(type: 'float32', data: Float32Array, dims: readonly number[]);
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export declare class InferenceSession {
  static create(model: Uint8Array, options?: { executionProviders?: string[] }): Promise<InferenceSession>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}
