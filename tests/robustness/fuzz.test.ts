// Hostile model files: a short seeded fuzz run of HelmholtzMachine.load (the long one is
// `node scripts/fuzz.js --cases 100000 --seed 1`), checks that the oracle itself catches a
// lenient loader, and the hostile files the fuzzer makes only by chance.
// The mutators and the oracle live in fuzz-core.js; its opening comment defines the oracle.
import { describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../../src/index.js";
import { decodeModel, MAX_FILE_BYTES } from "../../src/model-file.js";
import { mulberry32 } from "../../src/problems/random.js";
import { join, KINDS, makeBases, makeCase, referenceDecode, runCase, runFuzz, split } from "./fuzz-core.js";

const lib = { HelmholtzMachine, mulberry32 };

// Per-case time limit. The slowest legitimate work is parsing a header at the 1 MiB limit (a
// json-bomb case nesting arrays 500,000 deep): 0.6 s measured alone on this 2-core machine, and
// 3.5 s in the 100,000-case run with the load average at 11. 15 s leaves room for a machine that
// busy; a hang, or work that grows faster than the header, goes past any such bound.
const CASE_LIMIT_MS = 15000;

describe("fuzzing load() with mutated model files", () => {
  it("1,000 seeded cases: every bad file is rejected with a clear Error, every good one loads exactly what it says", async () => {
    const stats = await runFuzz(lib, { cases: 1000, seed: 1 });
    expect(stats.failures, JSON.stringify(stats.failures, null, 1)).toEqual([]);
    expect(stats.cases).toBe(1000);
    // Both sides of the oracle are exercised: most mutations break the file, but a good share
    // (float flips that stay finite, re-indented JSON, reordered keys or data) must still load.
    expect(stats.rejected).toBeGreaterThan(500);
    expect(stats.accepted).toBeGreaterThan(100);
    for (const kind of KINDS) expect(stats.byKind[kind]?.rejected ?? 0, kind).toBeGreaterThan(0);
    expect(stats.maxMs, JSON.stringify(stats.slowest)).toBeLessThan(CASE_LIMIT_MS);
  });

  it("the cases are repeatable: the same seed and index give the same bytes", async () => {
    const bases = await makeBases(lib);
    const again = await makeBases(lib);
    expect(again.map((b) => b.bytes)).toEqual(bases.map((b) => b.bytes));
    for (const i of [0, 17, 999]) expect(makeCase(lib, again, 1, i).bytes).toEqual(makeCase(lib, bases, 1, i).bytes);
    expect(makeCase(lib, bases, 2, 17).bytes).not.toEqual(makeCase(lib, bases, 1, 17).bytes);
  });
});

describe("the oracle catches a loader that does the wrong thing", () => {
  // Each fake loader is wrong in one way; runCase must report a problem for it.
  async function problems(load: (bytes: Uint8Array) => Promise<unknown>, bytes: Uint8Array): Promise<string[]> {
    return (await runCase({ HelmholtzMachine: { load }, mulberry32 }, bytes)).problems;
  }

  it("accepting bad data, loading other values, rejecting good files, or failing without a clear message", async () => {
    const [base] = await makeBases(lib);
    const nan = base.bytes.slice();
    new DataView(nan.buffer).setFloat32(nan.length - 4, NaN, true);
    const changed = base.bytes.slice();
    new DataView(changed.buffer).setFloat32(changed.length - 4, 0.25, true);
    expect(referenceDecode(nan).ok).toBe(false);
    expect(referenceDecode(changed).ok).toBe(true);

    // Accepts the NaN file (by loading the original instead).
    expect(await problems(() => HelmholtzMachine.load(base.bytes), nan)).toEqual([expect.stringMatching(/accepted a file the oracle rejects \(non-finite value\)/)]);
    // Loads a valid file but with the values of another (the original, before the change).
    expect(await problems(() => HelmholtzMachine.load(base.bytes), changed)).toEqual(["parameter rec.1.bias differs from the file"]);
    // Rejects a valid file.
    expect(await problems(async () => { throw new Error("model file: no"); }, changed)).toEqual([expect.stringMatching(/rejected a file the oracle accepts/)]);
    // Fails with an error that says nothing about the file, or with a non-Error.
    expect(await problems(async () => { throw new TypeError("Cannot read properties of undefined"); }, nan)).toEqual([expect.stringMatching(/message does not say what is wrong/)]);
    expect(await problems(async () => { throw "model file: a string"; }, nan)).toEqual([expect.stringMatching(/non-Error/)]);
    expect(await problems(async () => { throw new Error("model file: " + "x".repeat(5000)); }, nan)).toEqual([expect.stringMatching(/message is 5012 characters long/)]);
  });

  it("tells a learning rate, random state and optimiser that differ from the file", async () => {
    const bases = await makeBases(lib);
    const adam = bases.find((b) => b.name.startsWith("adam"))!;
    const s = split(adam.bytes)!;
    const json = s.json as Record<string, any>;
    json.__metadata__.learning_rate = "0.125";
    json.__metadata__.optimizer_steps = "[7,8,9]";
    const edited = join(JSON.stringify(json), s.data);
    const found = await problems(() => HelmholtzMachine.load(adam.bytes), edited);
    expect(found).toContain("learningRate 0.05, file says 0.125");
    expect(found).toContainEqual(expect.stringMatching(/^optimizer_steps \[\d+,\d+,\d+\], file says \[7,8,9\]/));
  });
});

describe("hostile headers get a short message that says what is wrong", () => {
  async function rejection(bytes: Uint8Array): Promise<{ error: Error; ms: number }> {
    const t0 = performance.now();
    const error = await HelmholtzMachine.load(bytes).then(() => undefined, (e: Error) => e);
    if (!error) throw new Error("load() accepted a hostile file");
    return { error, ms: performance.now() - t0 };
  }
  const file = (header: string, data = new Uint8Array(0)) => join(header, data);
  const META = '"__metadata__":{"format":"wake-sleep","format_version":"1","layers":"[2,1]"}';
  const deep = "[".repeat(20000) + "]".repeat(20000);

  it("arrays nested 20,000 deep, where JSON.stringify of them in a message would overflow the stack", async () => {
    for (const header of [`{${META},"t":{"dtype":${deep}}}`, `{${META},"t":{"dtype":"F32","shape":${deep},"data_offsets":[0,0]}}`, `{"__metadata__":{"a":${deep}}}`]) {
      const { error } = await rejection(file(header));
      expect(error.message).toMatch(/^safetensors: .*nested too deep to show/);
    }
  });

  it("a 500,000-character tensor name or metadata value is quoted in at most 80 characters", async () => {
    const long = "n".repeat(500000);
    for (const header of [`{${META},"${long}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`, `{${META},"${long}":{"dtype":"F16"}}`,
      `{"__metadata__":{"format":"${long}"}}`, `{"__metadata__":{"format":"wake-sleep","format_version":"1","layers":"[\\"${long}\\",1]"}}`]) {
      const { error } = await rejection(file(header));
      expect(error.message).toMatch(/(safetensors|model file|the file's layers)/);
      expect(error.message).toMatch(/\(\d{6} characters\)/);
      expect(error.message.length).toBeLessThan(500);
    }
  });

  it("a header that asks for [60000, 60000] (~29 GB) is rejected at once, without allocating it", async () => {
    // Shapes and offsets agree with each other for 14.4 GB of data; the file holds 0 bytes of it.
    const header: Record<string, unknown> = { __metadata__: { format: "wake-sleep", format_version: "1", layers: "[60000,60000]" } };
    let at = 0;
    for (const [name, shape] of [["gen.top.bias", [60000]], ["gen.0.weight", [60000, 60000]], ["gen.0.bias", [60000]], ["rec.0.weight", [60000, 60000]], ["rec.0.bias", [60000]]] as const) {
      const bytes = 4 * shape.reduce((a: number, b: number) => a * b, 1);
      header[name] = { dtype: "F32", shape, data_offsets: [at, at + bytes] };
      at += bytes;
    }
    const rss = process.memoryUsage().rss;
    const { error, ms } = await rejection(file(JSON.stringify(header)));
    expect(error.message).toBe("safetensors: the tensors cover 28800720000 bytes of data but the file holds 0");
    // Checks only, on a header of under 1 KB: a few ms (1 s allows for a busy machine), and no
    // allocation of the 29 GB (64 MiB of RSS is room for the collector's own churn; the smallest
    // tensor asked for is 240 KB, the largest 14.4 GB).
    expect(ms).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 2 ** 20);
  });

  it("metadata numbers only in the decimal form save() writes", async () => {
    const [base] = await makeBases(lib);
    const s = split(base.bytes)!;
    const meta = (s.json as Record<string, any>).__metadata__;
    const withMeta = (key: string, value: string) => join(JSON.stringify({ ...s.json, __metadata__: { ...meta, [key]: value } }), s.data);
    for (const v of ["", " 0.5", "0x10", "Infinity", "1e400", "0", "+1"]) {
      await expect(HelmholtzMachine.load(withMeta("learning_rate", v)), v).rejects.toThrow(/^model file: learning_rate must be a finite decimal number > 0/);
    }
    for (const v of ["", " 3", "0x1f", "1e3", "1.5", "-1", "9007199254740993"]) {
      await expect(HelmholtzMachine.load(withMeta("epochs_trained", v)), v).rejects.toThrow(/^model file: epochs_trained must be a non-negative integer in decimal digits/);
    }
    expect((await HelmholtzMachine.load(withMeta("learning_rate", "2.5e-1"))).learningRate).toBe(0.25);
    expect((await HelmholtzMachine.load(withMeta("epochs_trained", "0012"))).epochsTrained).toBe(12);
  });

  it("a file in shared memory is copied before it is checked, and loads", async () => {
    const [base] = await makeBases(lib);
    const shared = new Uint8Array(new SharedArrayBuffer(base.bytes.length));
    shared.set(base.bytes);
    expect((await HelmholtzMachine.load(shared)).save()).toEqual((await HelmholtzMachine.load(base.bytes)).save());
  });

  it("a file over 4 GiB (more than wasm memory can hold) is refused before it is read", () => {
    // A stand-in that has only a length: allocating 4 GiB for the test is not an option, and the
    // size check must come before any byte is looked at.
    const huge = { length: MAX_FILE_BYTES + 1 } as Uint8Array;
    expect(() => decodeModel(huge, (l) => l as number[])).toThrow(/^model file: 4294967297 bytes is more than the 4294967296-byte limit/);
  });
});
