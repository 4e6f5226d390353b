import { describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../src/index.js";
import { randomBinary } from "./helpers/models.js";

describe("bad input is rejected at the boundary, naming the argument and the value", () => {
  it.each([
    [{ layers: [784, 0] }, RangeError, /layers\[1\] must be an integer in \[1, 16777216\], got 0/],
    [{ layers: [784, -3] }, RangeError, /layers\[1\] .* got -3/],
    [{ layers: [784, 2.5] }, TypeError, /layers\[1\] must be an integer, got 2.5/],
    [{ layers: [784, NaN] }, TypeError, /layers\[1\] must be an integer, got NaN/],
    [{ layers: [784] }, RangeError, /layers must list 2 to 65 layer sizes .* got 1/],
    [{ layers: "784,200" }, TypeError, /layers must be an array .* got "784,200"/],
    [{ layers: [4, 2], seed: -1 }, RangeError, /seed .* got -1/],
    [{ layers: [4, 2], learningRate: 0 }, RangeError, /learningRate must be a finite number > 0, got 0/],
    [{ layers: [4, 2], learningRate: NaN }, RangeError, /learningRate .* got NaN/],
    [{ layers: [4, 2], lr: 0.1 }, TypeError, /unknown option "lr"/],
    [{ layers: [100000, 100000] }, RangeError, /need \d+ bytes of wasm memory, more than the limit of 4294967296/],
  ])("create(%j)", async (opts, type, message) => {
    const attempt = HelmholtzMachine.create(opts as never);
    await expect(attempt).rejects.toThrow(type);
    await expect(attempt).rejects.toThrow(message);
  });

  describe("on a machine, a failed call leaves it exactly as it was", () => {
    const bad: [string, (m: HelmholtzMachine) => unknown, ErrorConstructor, RegExp][] = [
      ["wake with the wrong length", (m) => m.wake(new Uint8Array(5)), RangeError, /x must have length layers\[0\] = 6, got 5/],
      ["wake with a byte other than 0/1", (m) => m.wake(new Uint8Array([0, 1, 2, 0, 0, 0])), RangeError, /x\[2\] must be 0 or 1, got 2/],
      ["wake with NaN", (m) => m.wake(new Float32Array([0, NaN, 0, 0, 0, 0])), RangeError, /x\[1\] must be a probability in \[0, 1\], got NaN/],
      ["wake with a value outside [0, 1]", (m) => m.wake([0, 0, 1.5, 0, 0, 0]), RangeError, /x\[2\] must be a probability in \[0, 1\], got 1.5/],
      ["wake with a string", (m) => m.wake("010101" as never), TypeError, /x must be a Uint8Array, a Float32Array or an array of numbers, got "010101"/],
      ["fit with a ragged length", (m) => m.fit(new Uint8Array(13)), RangeError, /data must have a length that is a positive multiple of layers\[0\] = 6, got 13/],
      ["fit with a bad row", (m) => m.fit([[0, 0, 0, 0, 0, 0], [0, 1, 0]]), RangeError, /data\[1\] must have length layers\[0\] = 6, got 3/],
      ["fit with a bad value late in the data", (m) => m.fit(Uint8Array.from({ length: 600 }, (_, i) => (i === 599 ? 9 : 0))), RangeError, /data\[599\] must be 0 or 1, got 9/],
      ["fit with a bad value inside a 32-byte block", (m) => m.fit(Uint8Array.from({ length: 600 }, (_, i) => (i === 37 || i === 300 ? 255 : i % 2))), RangeError, /data\[37\] must be 0 or 1, got 255/],
      ["fit with a bad value in unaligned data", (m) => m.fit(unaligned(600, 70, 2)), RangeError, /data\[70\] must be 0 or 1, got 2/],
      ["fit with epochs 0", (m) => m.fit(new Uint8Array(6), { epochs: 0 }), RangeError, /epochs must be an integer in \[1, 1000000000\], got 0/],
      ["fit with a bad learning rate", (m) => m.fit(new Uint8Array(6), { learningRate: -1 }), RangeError, /learningRate must be a finite number > 0, got -1/],
      ["fit with a Float64Array", (m) => m.fit(new Float64Array(6) as never), TypeError, /data must be a Uint8Array .* got a Float64Array of length 6/],
      ["dream of 0", (m) => m.dream(0), RangeError, /count must be an integer in \[1, 2147483647\], got 0/],
      ["recognize with NaN", (m) => m.recognize([0, 0, 0, NaN, 0, 0]), RangeError, /x\[3\] must be a probability in \[0, 1\], got NaN/],
      ["reconstruct with the wrong length", (m) => m.reconstruct(new Float32Array(7)), RangeError, /x must have length layers\[0\] = 6, got 7/],
      ["logLikelihood with samples 0", (m) => m.logLikelihood(new Uint8Array(6), { samples: 0 }), RangeError, /samples must be an integer in \[1, 1048576\], got 0/],
      ["descriptionLength with 2.5 samples", (m) => m.descriptionLength(new Uint8Array(6), { samples: 2.5 }), TypeError, /samples must be an integer, got 2.5/],
      ["setting learningRate to Infinity", (m) => (m.learningRate = Infinity), RangeError, /learningRate must be a finite number > 0, got Infinity/],
    ];
    for (const [what, call, type, message] of bad) {
      it(what, async () => {
        const m = await HelmholtzMachine.create({ layers: [6, 4, 2], seed: 1 });
        await m.fit(randomBinary(20, 6, 1), { epochs: 1 });
        const before = m.save();
        let thrown: unknown;
        try {
          await call(m);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(type);
        expect((thrown as Error).message).toMatch(message);
        expect(m.save()).toEqual(before);
      });
    }
  });

  it("exact log-likelihood refuses models with more than 20 latent units", async () => {
    const m = await HelmholtzMachine.create({ layers: [4, 15, 6] });
    expect(() => m.logLikelihood(new Uint8Array(4), { exact: true })).toThrow(/at most 20 latent units are allowed, got 21/);
  });

  it("refuses every call after dispose", async () => {
    const m = await HelmholtzMachine.create({ layers: [4, 2] });
    m.dispose();
    expect(m.disposed).toBe(true);
    for (const call of [() => m.wake([0, 1, 0, 1]), () => m.sleep(), () => m.dream(1), () => m.save(), () => m.recognize([0, 0, 0, 0])]) {
      expect(call).toThrow(/has been disposed/);
    }
    await expect(m.fit(new Uint8Array(4))).rejects.toThrow(/has been disposed/);
  });

  it("refuses other calls while fit() runs", async () => {
    const m = await HelmholtzMachine.create({ layers: [6, 3] });
    const running = m.fit(randomBinary(50_000, 6, 1));
    expect(() => m.sleep()).toThrow(/busy in fit\(\)/);
    await running;
    expect(() => m.sleep()).not.toThrow();
  });
});

// A view at byte offset 1 (not 4-byte aligned) of `length` ones with `value` at `at`.
function unaligned(length: number, at: number, value: number): Uint8Array {
  const bytes = new Uint8Array(length + 1).fill(1);
  bytes[at + 1] = value;
  return bytes.subarray(1);
}
