import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HelmholtzMachine, initWasm } from "../src/index.js";

const wasmUrl = new URL("../build/wake-sleep.wasm", import.meta.url);

describe("loading the wasm module", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    initWasm(wasmUrl);
  });

  it("accepts bytes, a path, a URL or a compiled module", async () => {
    const bytes = readFileSync(wasmUrl);
    for (const source of [bytes, wasmUrl.pathname, wasmUrl, await WebAssembly.compile(bytes)]) {
      await initWasm(source);
      const m = await HelmholtzMachine.create({ layers: [4, 2], seed: 1 });
      expect(m.dream(2).length).toBe(8);
    }
  });

  it("says so when the bytes are HTML rather than wasm", async () => {
    const html = new TextEncoder().encode("<!DOCTYPE html><html>Not found</html>");
    await expect(initWasm(html)).rejects.toThrow(/not a WebAssembly module: expected magic word 00 61 73 6d, got "<!DOCTYPE html><".*HTML instead of the .wasm/);
    await expect(HelmholtzMachine.create({ layers: [4, 2] })).rejects.toThrow(/not a WebAssembly module/);
  });

  it("names the supported runtimes when WebAssembly SIMD is missing", async () => {
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    await expect(initWasm(wasmUrl)).rejects.toThrow(/lacks WebAssembly SIMD .*Chrome 91\+, Firefox 89\+ or Safari 16.4\+/);
  });

  it("says so when WebAssembly is missing altogether", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    try {
      await expect(initWasm(wasmUrl)).rejects.toThrow(/WebAssembly is not available/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("every export the TypeScript side calls exists in the module", async () => {
    const names = WebAssembly.Module.exports(await initWasm(wasmUrl)).map((e) => e.name);
    const used = new Set<string>();
    for (const file of ["machine.ts", "wasm.ts", "thread-worker.ts"]) {
      const text = readFileSync(new URL(`../src/${file}`, import.meta.url), "utf8");
      for (const [, name] of text.matchAll(/\bk(?:ernels)?\.([a-z_0-9]+)\(/g)) used.add(name);
    }
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(names, name).toContain(name);
  });
});
