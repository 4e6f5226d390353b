// The data parsers on small files written here: IDX (gzipped and not), CSV, and the shifter generator.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { encodeIdx, parseIdx, readIdx } from "../../cli/src/data/idx.js";
import { formatCsv, parseCsv } from "../../cli/src/data/csv.js";
import { shifterSample, SHIFTER_COLS, SHIFTER_P_ON } from "../../cli/src/data/shifter.js";
import { CliError } from "../../cli/src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "ws-parsers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 3 images of 2x5 (width 10 > one SIMD-ish stride, odd sizes on purpose), values 0..255.
const dims = [3, 2, 5];
const values = Uint8Array.from({ length: 30 }, (_, i) => (i * 37) % 256);

function idxError(bytes: Uint8Array): string {
  try {
    parseIdx(bytes, "x.idx");
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error("parseIdx accepted a bad file");
}

describe("IDX", () => {
  it("writes the documented header: 00 00 08 rank, big-endian dimensions", () => {
    const bytes = encodeIdx(dims, values);
    expect([...bytes.subarray(0, 16)]).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 5]);
    expect(bytes.length).toBe(16 + 30);
  });

  it("parses dimensions and values", () => {
    const idx = parseIdx(encodeIdx(dims, values), "x.idx");
    expect(idx.dims).toEqual(dims);
    expect([...idx.data]).toEqual([...values]);
  });

  it("parses large dimensions (60000 x 28 x 28 header) by big-endian order", () => {
    const header = encodeIdx([60000, 28, 28], new Uint8Array(0));
    expect(idxError(header)).toBe("x.idx: truncated IDX file: dimensions 60000x28x28 need 47040000 bytes of data, the file has 0");
  });

  it("reads plain and gzipped files to the same result", () => {
    const plain = join(dir, "images-idx3-ubyte");
    const gz = join(dir, "images-idx3-ubyte.gz");
    writeFileSync(plain, encodeIdx(dims, values));
    writeFileSync(gz, gzipSync(encodeIdx(dims, values)));
    expect(readIdx(gz)).toEqual(readIdx(plain));
    expect(readIdx(gz).dims).toEqual(dims);
  });

  it("detects gzip by its magic, not the file name", () => {
    const p = join(dir, "no-extension");
    writeFileSync(p, gzipSync(encodeIdx([4], Uint8Array.of(1, 2, 3, 4))));
    expect([...readIdx(p).data]).toEqual([1, 2, 3, 4]);
  });

  it("rejects a wrong magic number", () => {
    expect(idxError(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 1, 9))).toMatch(/^x\.idx: not an IDX file: wrong magic number 50 4b 03 04/);
    expect(idxError(Uint8Array.of(0, 0, 8, 0))).toMatch(/wrong magic number 00 00 08 00/);
  });

  it("rejects value types other than unsigned bytes", () => {
    expect(idxError(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0))).toMatch(/type float \(0x0d\) are not supported/);
  });

  it("rejects files truncated in the magic, the header or the data", () => {
    const full = encodeIdx(dims, values);
    expect(idxError(full.subarray(0, 3))).toMatch(/3 bytes, too short/);
    expect(idxError(full.subarray(0, 10))).toMatch(/truncated IDX file: 10 bytes, but the header of 3 dimensions needs 16/);
    expect(idxError(full.subarray(0, full.length - 1))).toBe("x.idx: truncated IDX file: dimensions 3x2x5 need 30 bytes of data, the file has 29");
  });

  it("rejects bytes after the data", () => {
    const full = encodeIdx(dims, values);
    const longer = new Uint8Array(full.length + 2);
    longer.set(full);
    expect(idxError(longer)).toMatch(/corrupt IDX file: 2 bytes after the 3x2x5 values/);
  });

  it("rejects a truncated gzip stream with a one-line message", () => {
    const p = join(dir, "cut.gz");
    const gz = gzipSync(encodeIdx(dims, values));
    writeFileSync(p, gz.subarray(0, gz.length - 8));
    expect(() => readIdx(p)).toThrow(/cut\.gz: corrupt gzip data: unexpected end of file/);
  });

  it("names a missing file", () => {
    expect(() => readIdx(join(dir, "absent"))).toThrow(/^cannot read .*absent: ENOENT/);
  });
});

describe("CSV", () => {
  it("parses 0/1 rows, allowing spaces and CRLF, skipping blank lines", () => {
    const t = parseCsv("0,1,1\r\n\n 1 , 0 ,0\n", "d.csv");
    expect(t).toEqual({ values: Uint8Array.of(0, 1, 1, 1, 0, 0), rows: 2, width: 3 });
  });

  it("round-trips through formatCsv", () => {
    const v = Uint8Array.of(1, 0, 0, 1, 1, 1, 0, 0);
    expect(parseCsv(formatCsv(v, 4), "d.csv").values).toEqual(v);
  });

  it("rejects a row of the wrong length, naming the line", () => {
    expect(() => parseCsv("0,1,1\n1,0,0\n1,0\n", "d.csv")).toThrow("d.csv:3: row has 2 values, expected 3 like line 1");
  });

  it("rejects values that are not 0 or 1, naming line and column", () => {
    expect(() => parseCsv("0,1\n1,0.5\n", "d.csv")).toThrow('d.csv:2: value "0.5" in column 2 is not 0 or 1');
    expect(() => parseCsv("a,b\n", "d.csv")).toThrow('d.csv:1: value "a" in column 1 is not 0 or 1');
    expect(() => parseCsv("1,,0\n", "d.csv")).toThrow('d.csv:1: value "" in column 2 is not 0 or 1');
  });

  it("rejects an empty file", () => {
    expect(() => parseCsv("\n\n", "d.csv")).toThrow("d.csv: no rows");
  });
});

describe("shifter generator", () => {
  const n = 4000;
  const { values, labels } = shifterSample(n, 7);
  const C = SHIFTER_COLS;

  it("duplicates the outer rows and shifts the bottom by one place with wraparound", () => {
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      const img = values.subarray(i * 32, (i + 1) * 32);
      for (let j = 0; j < C; j++) {
        const from = labels[i] === 1 ? (j + C - 1) % C : (j + 1) % C;
        if (img[C + j] !== img[j] || img[2 * C + j] !== img[3 * C + j] || img[3 * C + j] !== img[from]) wrong.push(`row ${i} column ${j}`);
      }
    }
    expect(wrong).toEqual([]);
    // Left shift: bottom[j] = top[j + 1]; one hand-checked row.
    const left = labels.indexOf(0);
    const img = values.subarray(left * 32, left * 32 + 32);
    expect([...img.subarray(24, 32)]).toEqual([...img.subarray(1, 8), img[0]]);
  });

  // Binomial bounds: 5 standard deviations, so a correct generator fails about once in 3 million runs.
  it("fires top-row pixels at P_ON and picks each direction half the time", () => {
    let on = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < C; j++) on += values[i * 32 + j];
    const trials = n * C;
    expect(Math.abs(on - trials * SHIFTER_P_ON)).toBeLessThan(5 * Math.sqrt(trials * SHIFTER_P_ON * (1 - SHIFTER_P_ON)));
    const right = labels.reduce((s, v) => s + v, 0);
    expect(Math.abs(right - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
  });

  it("is reproducible from its seed", () => {
    expect(shifterSample(50, 7).values).toEqual(values.subarray(0, 50 * 32));
    expect(shifterSample(50, 8).values).not.toEqual(values.subarray(0, 50 * 32));
  });
});
