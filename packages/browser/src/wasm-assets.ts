/**
 * Default locations of onnxruntime-web's WebAssembly files. The build copies them
 * next to this package's `dist/` files, and the `new URL('./file', import.meta.url)`
 * form lets bundlers (Vite, webpack 5, Rollup, esbuild with a plugin) find and emit
 * them without hand-copying. Pass `wasmPaths` to the detector to serve them elsewhere.
 */

/** File URLs of one onnxruntime-web build. */
export interface WasmFileUrls {
  /** The Emscripten loader module. */
  mjs: string;
  /** The WebAssembly binary. */
  wasm: string;
}

/** The CPU build (`ort-wasm-simd-threaded.{mjs,wasm}`), used by the `wasm` provider. */
export function cpuWasmFiles(): WasmFileUrls {
  return {
    mjs: new URL('./ort-wasm-simd-threaded.mjs', import.meta.url).href,
    wasm: new URL('./ort-wasm-simd-threaded.wasm', import.meta.url).href,
  };
}

/** The WebGPU build (`ort-wasm-simd-threaded.asyncify.{mjs,wasm}`), used by the `webgpu` provider. */
export function webgpuWasmFiles(): WasmFileUrls {
  return {
    mjs: new URL('./ort-wasm-simd-threaded.asyncify.mjs', import.meta.url).href,
    wasm: new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url).href,
  };
}
