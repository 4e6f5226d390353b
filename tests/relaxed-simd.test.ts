import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelmholtzMachine, initWasm } from "../src/index.js";
import { relaxedUnavailable } from "../src/wasm.js";

type Library = { HelmholtzMachine: typeof HelmholtzMachine };
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

// Trains a fresh machine (seed 3) for two epochs of fixed 16-pixel rows and reports its build, its
// last description length and the SHA-256 of save(). Self-contained: the child process runs its source.
async function train(lib: Library, hash: typeof sha256, fit: object = {}) {
  const data = new Uint8Array(400 * 16).map((_, i) => (Math.imul(i + 1, 2654435761) >>> 28) & 1);
  const m = await lib.HelmholtzMachine.create({ layers: [16, 8, 4], seed: 3 });
  const stats = await m.fit(data, { epochs: 2, ...fit });
  const out = { simd: m.simd, dl: stats[1].descriptionLength, sha: hash(m.save()) };
  m.dispose();
  return out;
}

// Node 20 has relaxed SIMD behind a flag; later runtimes may have it without one.
const FLAGS = relaxedUnavailable() ? ["--experimental-wasm-relaxed-simd"] : [];

function inChild(body: string): Record<string, Awaited<ReturnType<typeof train>> | string> {
  const script = `import * as lib from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
    import { createHash } from "node:crypto";
    const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
    const train = (lib, fit) => (${train.toString()})(lib, sha256, fit);
    ${body}`;
  // A file, not --eval: worker threads inherit the process's flags, and --input-type is eval-only.
  const file = join(mkdtempSync(join(tmpdir(), "ws-relaxed-")), "child.mjs");
  writeFileSync(file, script);
  const out = execFileSync(process.execPath, [...FLAGS, file], { encoding: "utf8", timeout: 60_000 });
  return JSON.parse(out);
}

describe("initWasm({ simd })", () => {
  it("rejects an unknown choice, and a relaxed build the runtime cannot run, and keeps the module it had", async () => {
    const before = await train({ HelmholtzMachine }, sha256);
    await expect(initWasm({ simd: "fast" as never })).rejects.toThrow(/simd must be "plain", "relaxed" or "auto", got "fast"/);
    if (relaxedUnavailable()) {
      await expect(initWasm({ simd: "relaxed" })).rejects.toThrow(/simd: "relaxed" is not available: this runtime lacks WebAssembly relaxed SIMD \(.*--experimental-wasm-relaxed-simd\)/);
      expect(await train({ HelmholtzMachine }, sha256)).toEqual(before);
    }
    expect(before.simd).toBe("plain");
  });

  it("chooses the relaxed build where the runtime has it: deterministic, on one thread and on two, and plain stays bit-identical", async () => {
    const plainHere = await train({ HelmholtzMachine }, sha256);
    const r = inChild(`
      const result = { plainDefault: await train(lib) };
      await lib.initWasm({ simd: "auto" });
      result.auto = await train(lib);
      result.autoAgain = await train(lib);
      result.threads = await train(lib, { batchSize: 20, threads: 2 });
      result.threadsAgain = await train(lib, { batchSize: 20, threads: 2 });
      await lib.initWasm({ simd: "plain" });
      result.plain = await train(lib);
      result.plainThreads = await train(lib, { batchSize: 20, threads: 2 });
      console.log(JSON.stringify(result));`) as Record<string, Awaited<ReturnType<typeof train>>>;
    // The default is the plain build, in a runtime with relaxed SIMD too: the same bits as here.
    expect(r.plainDefault).toEqual(plainHere);
    expect(r.plain).toEqual(plainHere);
    expect(r.plainThreads.simd).toBe("plain");
    expect(r.auto.simd).toBe("relaxed");
    expect(r.threads.simd).toBe("relaxed");
    expect(r.autoAgain).toEqual(r.auto);
    expect(r.threadsAgain).toEqual(r.threads);
    // The same algorithm with other roundings: the description lengths agree closely.
    expect(Math.abs(r.auto.dl - plainHere.dl)).toBeLessThan(0.05 * plainHere.dl);
    expect(Math.abs(r.threads.dl - r.plainThreads.dl)).toBeLessThan(0.05 * r.plainThreads.dl);
  });
});
