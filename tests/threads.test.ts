import { afterEach, describe, expect, it, vi } from "vitest";
// The built package: worker threads load dist/thread-worker.js, which exists only after the build.
import { HelmholtzMachine } from "../dist/index.js";
import { ReferenceMachine, Xoshiro4 } from "./helpers/reference.js";
import { randomBinary } from "./helpers/models.js";

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe("fit({ threads })", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  // B = 70 has passes enough for grouped generative passes (assembly/groups.ts): the wake phase
  // runs on tables built before the batch, the sleep phase on the tables the threads built again
  // as they stepped Gw.
  // B = 150 gives each thread 75 contributions, more than its accumulator holds (64), so each
  // shard flushes into its own gradient block once before the threads gather the gradients.
  // [12, 80, 4] with B = 128 gives each shard 64 contributions, which its owner tables as subset
  // sums (assembly/subsets.ts) for the threads to gather from.
  it.each([
    [7, [9, 5, 3]],
    [70, [9, 5, 3]],
    [150, [9, 5, 3]],
    [128, [12, 80, 4]],
  ])("each shard (one per thread, whichever thread runs it) takes a fixed slice of a batch of %i with its own stream; the update is their sum (layers %j)", async (B, layers) => {
    const eps = 0.3, T = 2, n0 = layers[0];
    const m = await HelmholtzMachine.create({ layers, seed: 11, initScale: 0.5 });
    const ref = new ReferenceMachine(m.save());
    const data = randomBinary(B, n0, 5, 0.4);
    const [stats] = await m.fit(data, { batchSize: B, learningRate: eps, shuffle: false, threads: T });
    expect(stats.threads).toBe(T);
    // Shard t's stream: splitmix64 of one block of the machine's stream; t takes rows
    // [floor(B t / T), floor(B (t + 1) / T)) for its wake steps and as many fantasies.
    const streams = Array.from({ length: T }, () => {
      const [lo, hi] = ref.rng.raw();
      return Xoshiro4.seeded(lo, hi);
    });
    const slices = streams.map((_, t) => [Math.floor((B * t) / T), Math.floor((B * (t + 1)) / T)]);
    const wake = ref.zeroGradient();
    streams.forEach((rng, t) => {
      ref.rng = rng;
      for (let b = slices[t][0]; b < slices[t][1]; b++) {
        for (const [name, g] of ref.wakeGradient(Array.from(data.subarray(b * n0, b * n0 + n0))).grad) g.forEach((v, i) => (wake.get(name)![i] += v));
      }
    });
    ref.apply(wake, eps / B);
    const sleep = ref.zeroGradient();
    streams.forEach((rng, t) => {
      ref.rng = rng;
      for (let b = slices[t][0]; b < slices[t][1]; b++) for (const [name, g] of ref.sleepGradient()) g.forEach((v, i) => (sleep.get(name)![i] += v));
    });
    ref.apply(sleep, eps / B);
    for (const [name, t] of m.parameters()) expect(maxDiff(t.data, ref.parameters().get(name)!), name).toBeLessThan(1e-5);
    m.dispose();
  });

  it("is deterministic for a seed and thread count, with Adam and with RWS", async () => {
    const data = randomBinary(300, 16, 2);
    for (const opts of [{ optimizer: "adam" as const }, { algorithm: "rws" as const, samples: 3 }]) {
      const run = async (threads: number) => {
        const m = await HelmholtzMachine.create({ layers: [16, 8, 4], seed: 5 });
        const stats = await m.fit(data, { batchSize: 20, epochs: 3, threads, ...opts });
        const bytes = m.save();
        m.dispose();
        return { bytes: Buffer.from(bytes), dl: stats.at(-1)!.descriptionLength };
      };
      const a = await run(2), b = await run(2), c = await run(3), one = await run(1);
      expect(a.bytes.equals(b.bytes)).toBe(true);
      expect(a.bytes.equals(c.bytes)).toBe(false);
      // Different slices and streams, the same algorithm: the description lengths agree closely.
      expect(Math.abs(a.dl - one.dl)).toBeLessThan(0.05 * one.dl);
      expect(Math.abs(c.dl - one.dl)).toBeLessThan(0.05 * one.dl);
    }
  });

  it("descriptionLength: false trains on threads bit for bit as with it, and reports NaN", async () => {
    const data = randomBinary(200, 16, 7);
    const run = async (descriptionLength: boolean) => {
      const m = await HelmholtzMachine.create({ layers: [16, 40, 6], seed: 4 });
      const [stats] = await m.fit(data, { batchSize: 20, threads: 2, descriptionLength });
      const params = [...m.parameters()].map(([name, t]) => [name, Array.from(t.data)]);
      m.dispose();
      return { params, stats };
    };
    const on = await run(true), off = await run(false);
    expect(on.stats.threads).toBe(2);
    expect(off.params).toEqual(on.params);
    expect(on.stats.descriptionLength).toBeGreaterThan(0);
    expect(off.stats.descriptionLength).toBeNaN();
  });

  // Each thread steps its slice of every tensor, in 16 KB tiles; the wake update of Q follows the
  // one of P with no barrier between them. Rw[0]'s rows of 1,024 floats make 4-row tiles, so its
  // 64 rows are 16 tiles: each row of a pixel that is on in some row of the batch must move (its
  // wake-Q delta is nonzero), each other row stay.
  it("applies every tile of the wake-Q step after the wake-P step (RWS on 2 threads)", async () => {
    const layers = [64, 1024, 8], B = 20;
    const data = randomBinary(B, 64, 4, 0.05);
    const m = await HelmholtzMachine.create({ layers, seed: 3 });
    const before = m.parameters();
    await m.fit(data, { batchSize: B, threads: 2, algorithm: "rws", samples: 2, sleepQ: false, learningRates: { p: 0.1, wakeQ: 0.1 } });
    const after = m.parameters();
    const w0 = before.get("rec.0.weight")!.data, w1 = after.get("rec.0.weight")!.data;
    const n1 = layers[1];
    for (let i = 0; i < 64; i++) {
      const on = Array.from({ length: B }, (_, r) => data[r * 64 + i]).some((v) => v === 1);
      const moved = w1.subarray(i * n1, (i + 1) * n1).some((v, j) => v !== w0[i * n1 + j]);
      expect(moved, `Rw[0] row ${i} (pixel on in the batch: ${on})`).toBe(on);
    }
    for (const name of ["rec.0.bias", "rec.1.bias", "gen.0.bias"]) {
      const a = before.get(name)!.data, b = after.get(name)!.data;
      expect(b.every((v, j) => v !== a[j]), name).toBe(true);
    }
    m.dispose();
  });

  it("a machine keeps training on one thread after a threaded fit, and saves and loads as before", async () => {
    const data = randomBinary(200, 16, 3);
    const m = await HelmholtzMachine.create({ layers: [16, 8], seed: 2 });
    await m.fit(data, { batchSize: 10, threads: 2 });
    const copy = await HelmholtzMachine.load(m.save());
    await m.fit(data, { batchSize: 10 });
    await copy.fit(data, { batchSize: 10 });
    expect(Buffer.from(m.save()).equals(Buffer.from(copy.save()))).toBe(true);
    m.dispose();
    copy.dispose();
  });

  it("rejects bad thread counts with the value, and threads beyond the batch size", async () => {
    const m = await HelmholtzMachine.create({ layers: [4, 2], seed: 1 });
    const data = randomBinary(10, 4, 1);
    await expect(m.fit(data, { threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 64\] or "auto", got 0/);
    await expect(m.fit(data, { threads: 1.5 })).rejects.toThrow(/threads must be an integer .* got 1\.5/);
    await expect(m.fit(data, { threads: "all" as never })).rejects.toThrow(/threads .* "auto", got "all"/);
    await expect(m.fit(data, { threads: 2 })).rejects.toThrow(/threads \(2\) must not exceed batchSize \(1\)/);
    const [stats] = await m.fit(data, { threads: "auto" });
    expect(stats.threads).toBe(1); // batchSize 1: nothing to split
  });

  it("falls back to one thread, and says so, where shared memory is unavailable", async () => {
    vi.stubGlobal("SharedArrayBuffer", undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = await HelmholtzMachine.create({ layers: [4, 2], seed: 1 });
    const [stats] = await m.fit(randomBinary(20, 4, 1), { batchSize: 4, threads: 2 });
    expect(stats.threads).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/trains on 1 thread instead of 2: SharedArrayBuffer is not available/));
  });
});

describe("logLikelihoodAsync({ threads })", () => {
  it("cuts the rows into one slice per thread, each sampled from its own stream seeded from the machine's", async () => {
    const layers = [9, 5, 3], K = 50, rows = 7, T = 2;
    const m = await HelmholtzMachine.create({ layers, seed: 8, initScale: 0.7 });
    const data = randomBinary(rows, 9, 3, 0.4);
    // Slice t = rows [floor(rows t / T), floor(rows (t + 1) / T)) on stream t; a one-thread estimate
    // of that slice from a machine whose stream is stream t must give the same numbers.
    const ref = new ReferenceMachine(m.save());
    const streams = Array.from({ length: T }, () => ref.rng.raw());
    const threaded = await m.logLikelihoodAsync(data, { samples: K, threads: T });
    for (let t = 0; t < T; t++) {
      const [lo, hi] = [Math.floor((rows * t) / T), Math.floor((rows * (t + 1)) / T)];
      const copy = await HelmholtzMachine.load(withStream(m.save(), streams[t]));
      const single = copy.logLikelihood(data.subarray(lo * 9, hi * 9), { samples: K });
      expect(Array.from(threaded.subarray(lo, hi))).toEqual(Array.from(single));
    }
  });

  it("is deterministic for a seed and thread count, equals logLikelihood's exact values, and checks its options", async () => {
    const data = randomBinary(40, 9, 2, 0.3);
    const run = async (opts: object) => (await HelmholtzMachine.create({ layers: [9, 4, 2], seed: 3, initScale: 0.5 })).logLikelihoodAsync(data, opts);
    expect(await run({ samples: 30, threads: 2 })).toEqual(await run({ samples: 30, threads: 2 }));
    const m = await HelmholtzMachine.create({ layers: [9, 4, 2], seed: 3, initScale: 0.5 });
    expect(await m.logLikelihoodAsync(data, { exact: true, threads: 2 })).toEqual(m.logLikelihood(data, { exact: true }));
    await expect(m.logLikelihoodAsync(data, { threads: 0 })).rejects.toThrow(/threads must be an integer in \[1, 64\] or "auto", got 0/);
    await expect(m.logLikelihoodAsync(data, { samples: 0 })).rejects.toThrow(/samples must be an integer in \[1, /);
    await expect(m.logLikelihoodAsync(data, { thread: 2 } as never)).rejects.toThrow(/unknown option "thread"/);
  });

  it("an idle thread pool does not keep Node running after fit() and logLikelihoodAsync()", async () => {
    const { execFileSync } = await import("node:child_process");
    const script = `import { HelmholtzMachine } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      const m = await HelmholtzMachine.create({ layers: [6, 3], seed: 1 });
      const data = new Uint8Array(6 * 40).map((_, i) => (i * 7) % 3 === 0 ? 1 : 0);
      await m.fit(data, { batchSize: 10, threads: 2 });
      await m.logLikelihoodAsync(data, { samples: 5, threads: 2 });
      console.log("done");`;
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const file = join(mkdtempSync(join(tmpdir(), "ws-exit-")), "exit.mjs");
    writeFileSync(file, script);
    const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 30_000 });
    expect(out.trim()).toBe("done");
  });
});

// A model file whose random state is the xoshiro state seeded from one raw block (as seed_shard
// seeds a shard): rng_state is rewritten in the safetensors header, which keeps its length.
function withStream(bytes: Uint8Array, [lo, hi]: number[]): Uint8Array {
  const hex = Array.from(Xoshiro4.seeded(lo, hi).words(), (w) => w.toString(16).padStart(8, "0")).join("");
  const headerBytes = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerBytes));
  const patched = new TextEncoder().encode(header.replace(/"rng_state":"[0-9a-f]{128}"/, `"rng_state":"${hex}"`));
  expect(patched.length).toBe(headerBytes);
  const out = bytes.slice();
  out.set(patched, 8);
  return out;
}
