// The one place that finds, compiles and instantiates the wasm module, and owns its memory.
import { instantiate } from "../build/wake-sleep.js";

export type Kernels = Awaited<ReturnType<typeof instantiate>>;
/** Where the .wasm comes from: a compiled module, its bytes, a URL or path, or a fetch response. */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response | Promise<Response>;

const ABI_VERSION = 15;
/** Wasm32 linear memory holds at most 65,536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES = 65536 * 65536;
const PAGE = 65536;
// i32.const 0; i8x16.splat; i8x16.popcnt: validates only where WebAssembly SIMD is supported.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
// Three of (i32.const 0; i8x16.splat), then f32x4.relaxed_madd: validates only with relaxed SIMD.
const RELAXED_SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11]);
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Which SIMD build the default module is: "plain" (the default) computes bit for bit alike in every
 * runtime; "relaxed" uses relaxed-SIMD fused multiply-adds in exp and log1p (faster; results differ
 * from "plain" in the last bits and may differ between runtimes); "auto" is "relaxed" where the
 * runtime has relaxed SIMD and "plain" elsewhere.
 */
export type Simd = "plain" | "relaxed" | "auto";

// The default builds, beside this file (scripts/build-web.js rewrites these four expressions).
const PLAIN_WASM: URL | Uint8Array = new URL("../build/wake-sleep.wasm", import.meta.url);
const RELAXED_WASM: URL | undefined = new URL("../build/wake-sleep.relaxed.wasm", import.meta.url);
const THREADS_WASM: URL | undefined = new URL("../build/wake-sleep.threads.wasm", import.meta.url);
const THREADS_RELAXED_WASM: URL | undefined = new URL("../build/wake-sleep.threads.relaxed.wasm", import.meta.url);

type Flavours = { plain?: Promise<WebAssembly.Module>; relaxed?: Promise<WebAssembly.Module> };
let compiled: Promise<WebAssembly.Module> | undefined;
// The threads build given to initThreadsWasm(source), else the default of each SIMD build; the
// default builds are compiled once each.
let customThreads: Promise<WebAssembly.Module> | undefined;
const defaultMain: Flavours = {};
const defaultThreads: Flavours = {};
let defaultRelaxed = false;

/**
 * Compiles the module once per process (later calls return the same promise). Pass a source to
 * load the .wasm from somewhere other than beside this file, or `{ simd }` to choose the SIMD build
 * beside it (see Simd); machines created afterwards use the new module.
 */
export function initWasm(source?: WasmSource | { simd: Simd }): Promise<WebAssembly.Module> {
  if (isSimdChoice(source)) {
    let relaxed: boolean;
    try {
      relaxed = chooseRelaxed(source.simd);
    } catch (e) {
      return Promise.reject(e);
    }
    defaultRelaxed = relaxed;
    compiled = relaxed ? (defaultMain.relaxed ??= compileFrom(RELAXED_WASM!)) : (defaultMain.plain ??= compileFrom(PLAIN_WASM));
    return compiled;
  }
  if (source !== undefined) compiled = compileFrom(source);
  compiled ??= defaultMain.plain ??= compileFrom(PLAIN_WASM);
  return compiled;
}

function isSimdChoice(source: unknown): source is { simd: Simd } {
  return typeof source === "object" && source !== null && Object.getPrototypeOf(source) === Object.prototype && "simd" in source;
}

// Whether `choice` selects the relaxed-SIMD build here; throws if it cannot be had.
function chooseRelaxed(choice: unknown): boolean {
  if (choice !== "plain" && choice !== "relaxed" && choice !== "auto") {
    throw new RangeError(`simd must be "plain", "relaxed" or "auto", got ${JSON.stringify(choice) ?? String(choice)}`);
  }
  if (choice === "plain") return false;
  const missing = relaxedUnavailable();
  if (choice === "relaxed" && missing) throw new Error(`wake-sleep: simd: "relaxed" is not available: ${missing}`);
  return missing === undefined;
}

/** Why the relaxed-SIMD build cannot be used here, or undefined if it can. */
export function relaxedUnavailable(): string | undefined {
  requireSimd();
  if (RELAXED_WASM === undefined) return "this bundle (wake-sleep/inline) has only the plain build";
  if (!WebAssembly.validate(RELAXED_SIMD_PROBE)) return "this runtime lacks WebAssembly relaxed SIMD (Chrome 114+; Node 20 needs --experimental-wasm-relaxed-simd)";
  return undefined;
}

/**
 * The build for threaded training (imported shared memory), compiled once per process from
 * beside this file, or from `source` if given (call before the first threaded fit()). Without a
 * source, the SIMD build matches the default module's (initWasm({ simd })).
 */
export function initThreadsWasm(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source !== undefined) customThreads = compileFrom(source);
  return customThreads ?? threadsBuild(defaultRelaxed);
}

// The default threads build of one SIMD flavour.
function threadsBuild(relaxed: boolean): Promise<WebAssembly.Module> {
  const where = relaxed ? THREADS_RELAXED_WASM : THREADS_WASM;
  if (where === undefined) {
    throw new Error("wake-sleep: this bundle (wake-sleep/inline) has no threads build; pass its .wasm to initThreadsWasm()");
  }
  return (defaultThreads[relaxed ? "relaxed" : "plain"] ??= compileFrom(where!));
}

/** True when no threads build can be found: the inline bundle, before initThreadsWasm(source). */
export function threadsBuildMissing(): boolean {
  return customThreads === undefined && THREADS_WASM === undefined;
}

function requireSimd(): void {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
    throw new Error("wake-sleep: WebAssembly is not available in this runtime");
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new Error("wake-sleep: this runtime lacks WebAssembly SIMD (needs Node 16.4+, Chrome 91+, Firefox 89+ or Safari 16.4+)");
  }
}

async function compileFrom(source: WasmSource): Promise<WebAssembly.Module> {
  requireSimd();
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(toBytes(source), "the source given");
  if (typeof source === "string" || source instanceof URL) return compileBytes(await readSource(source), String(source));
  const response = await source;
  if (!response.ok) throw new Error(`wake-sleep: fetching ${response.url} failed with HTTP ${response.status}`);
  return compileBytes(new Uint8Array(await response.arrayBuffer()), response.url);
}

function checked(kernels: Kernels): Kernels {
  if (kernels.abi_version() !== ABI_VERSION) {
    throw new Error(`wake-sleep: the .wasm is ABI version ${kernels.abi_version()} but this JavaScript expects ${ABI_VERSION}; the two come from different builds`);
  }
  return kernels;
}

function toBytes(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  return source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

async function readSource(where: string | URL): Promise<Uint8Array> {
  const isUrl = where instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(where);
  if (isNode() && (!isUrl || new URL(where).protocol === "file:")) {
    const { readFile } = await import("node:fs/promises");
    return readFile(isUrl ? new URL(where) : where);
  }
  const url = new URL(where, globalThis.location?.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`wake-sleep: fetching ${url} failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function isNode(): boolean {
  return typeof process === "object" && typeof process.versions?.node === "string";
}

async function compileBytes(bytes: Uint8Array, where: string): Promise<WebAssembly.Module> {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    const start = new TextDecoder().decode(bytes.subarray(0, 16)).replace(/\s+/g, " ");
    throw new Error(`wake-sleep: ${where} is not a WebAssembly module: expected magic word 00 61 73 6d, got "${start}" (a server returning HTML instead of the .wasm file?)`);
  }
  return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}

/** One instance and its linear memory. Every view is made afresh, so none outlives a memory.grow. */
export class WasmMemory {
  private constructor(readonly kernels: Kernels, readonly memory: WebAssembly.Memory, readonly module: WebAssembly.Module) {}

  static async create(): Promise<WasmMemory> {
    const module = await initWasm();
    const kernels = checked(await instantiate(module, {}));
    return new WasmMemory(kernels, kernels.memory, module);
  }

  /**
   * A copy of `from` in shared memory on the threads build, for worker threads: same bytes at the
   * same addresses (the two builds lay out the same static data; checked), growable to 4 GiB.
   */
  static async shared(from: WasmMemory): Promise<WasmMemory> {
    const module = await (customThreads ?? threadsBuild(from.relaxed));
    const pages = from.memory.buffer.byteLength / PAGE;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_MEMORY_BYTES / PAGE, shared: true });
    const kernels = checked(await instantiate(module, { env: { memory } }));
    if (kernels.heap_base() !== from.heapBase) {
      throw new Error(`wake-sleep: the threads build's static data ends at ${kernels.heap_base()} but the main build's at ${from.heapBase}; the two come from different builds`);
    }
    new Uint8Array(memory.buffer).set(new Uint8Array(from.memory.buffer));
    return new WasmMemory(kernels, memory, module);
  }

  get shareable(): boolean {
    return typeof SharedArrayBuffer === "function" && this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** Whether this is a relaxed-SIMD build (see Simd). */
  get relaxed(): boolean {
    return this.kernels.relaxed_simd() === 1;
  }

  get heapBase(): number {
    return this.kernels.heap_base();
  }

  /** Grows memory so that bytes [0, end) exist; throws a RangeError naming `what` if it cannot. */
  ensure(end: number, what: string): void {
    if (end > MAX_MEMORY_BYTES) {
      throw new RangeError(`${what} needs ${end} bytes of wasm memory, more than the limit of ${MAX_MEMORY_BYTES}`);
    }
    const memory = this.memory;
    const have = memory.buffer.byteLength;
    if (end <= have) return;
    try {
      memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      throw new RangeError(`${what} needs ${end} bytes of wasm memory, which this runtime could not allocate`);
    }
  }

  writeBytes(ptr: number, src: Uint8Array): void {
    new Uint8Array(this.memory.buffer, ptr, src.length).set(src);
  }
  writeF32(ptr: number, src: Float32Array): void {
    new Float32Array(this.memory.buffer, ptr, src.length).set(src);
  }
  writeI32(ptr: number, src: ArrayLike<number>): void {
    new Int32Array(this.memory.buffer, ptr, src.length).set(src);
  }
  /** Copies bytes [ptr, ptr + length) out of wasm memory. */
  readBytes(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length).slice();
  }
  /** Copies bytes [ptr, ptr + out.length) out of wasm memory into `out`. */
  readBytesInto(ptr: number, out: Uint8Array): Uint8Array {
    out.set(new Uint8Array(this.memory.buffer, ptr, out.length));
    return out;
  }
  readF32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, length).slice();
  }
  readF64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length).slice();
  }
}
