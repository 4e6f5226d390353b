// The pieces behind a run folder: the training-curve recorder, the pictures, atomic writes.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pngjs from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../cli/src/atomic.js";
import { CurveRecorder } from "../../cli/src/curve-recorder.js";
import { CliError } from "../../cli/src/errors.js";
import { niceTicks } from "../../cli/src/pictures/curve.js";
import { gridPng, pairsPng } from "../../cli/src/pictures/grid.js";

const dir = mkdtempSync(join(tmpdir(), "ws-outputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CurveRecorder", () => {
  it("turns running epoch means into means of the rows between points", () => {
    // Two epochs of 100 rows; rows cost 10 bits in epoch 1 and 4 bits in epoch 2; reports every 25 rows.
    const rec = new CurveRecorder(1, 200, 8);
    for (const [epoch, bits] of [[1, 10], [2, 4]]) {
      for (let done = 25; done <= 100; done += 25) rec.add({ epoch, epochs: 2, rowsDone: done, rows: 100, descriptionLength: bits, epochEnd: done === 100 });
    }
    expect(rec.points).toEqual([
      { epoch: 0.25, bits: 10 },
      { epoch: 0.5, bits: 10 },
      { epoch: 0.75, bits: 10 },
      { epoch: 1, bits: 10 },
      { epoch: 1.25, bits: 4 },
      { epoch: 1.5, bits: 4 },
      { epoch: 1.75, bits: 4 },
      { epoch: 2, bits: 4 },
    ]);
  });

  it("recovers each chunk's mean from the running mean, and spans epoch ends", () => {
    // One epoch, chunks of 10 rows costing 1, 3, 5 bits: running means 1, 2, 3. Bins of 20 rows.
    const rec = new CurveRecorder(3, 30, 2);
    rec.add({ epoch: 1, epochs: 1, rowsDone: 10, rows: 30, descriptionLength: 1, epochEnd: false });
    rec.add({ epoch: 1, epochs: 1, rowsDone: 20, rows: 30, descriptionLength: 2, epochEnd: false });
    rec.add({ epoch: 1, epochs: 1, rowsDone: 30, rows: 30, descriptionLength: 3, epochEnd: true });
    expect(rec.points.map((p) => p.bits)).toEqual([2, 5]);
    expect(rec.points[0].epoch).toBeCloseTo(2 + 20 / 30, 12);
    expect(rec.points[1].epoch).toBe(3);
  });
});

describe("pictures", () => {
  it("draws a grid with 1 = white, 0 = black, grey gaps, at the given scale", () => {
    // Two 2x3 images, 2 columns, scale 2.
    const values = Uint8Array.of(1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0);
    const img = pngjs.PNG.sync.read(gridPng(values, 2, [2, 3], 2, 2));
    expect([img.width, img.height]).toEqual([2 * (3 * 2 + 1) + 1, 2 * 2 + 2]);
    const at = (x: number, y: number) => img.data[4 * (y * img.width + x)];
    expect(at(0, 0)).toBe(96); // gap
    expect([at(1, 1), at(2, 2), at(3, 1), at(5, 3), at(6, 3)]).toEqual([255, 255, 0, 255, 255]);
    expect([at(8, 1), at(10, 1), at(8, 3), at(9, 4)]).toEqual([0, 255, 255, 255]);
  });

  it("draws pairs with the reconstruction's probabilities as grey levels", () => {
    const img = pngjs.PNG.sync.read(pairsPng(Uint8Array.of(1), Float32Array.of(0.5), 1, [1, 1], 1, 1));
    expect([img.width, img.height]).toEqual([2 + 1 + 8 + 8, 1 + 8 + 8]);
    expect(img.data[4 * (8 * img.width + 8)]).toBe(255);
    expect(img.data[4 * (8 * img.width + 10)]).toBe(128);
  });

  it("puts curve ticks on round numbers", () => {
    expect(niceTicks(0, 60)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(niceTicks(146.3, 186.9)).toEqual([150, 160, 170, 180]);
    expect(niceTicks(3.76, 7.85)).toEqual([4, 5, 6, 7]);
  });
});

describe("writeFileAtomic", () => {
  it("replaces a file whole and leaves no temporary file", () => {
    const p = join(dir, "m.bin");
    writeFileAtomic(p, Uint8Array.of(1, 2, 3));
    writeFileAtomic(p, "second");
    expect(readFileSync(p, "utf8")).toBe("second");
    expect(readdirSync(dir)).toEqual(["m.bin"]);
  });

  it("fails with one line naming the path, and cleans up", () => {
    const target = join(dir, "a-directory");
    mkdirSync(target);
    expect(() => writeFileAtomic(target, "x")).toThrow(CliError);
    expect(() => writeFileAtomic(target, "x")).toThrow(/^cannot write .*a-directory: /);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
