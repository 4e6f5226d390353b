// The wake-sleep command line, run as a user runs it: `node cli/dist/bin/wake-sleep.js ...`
// (build first: npm run build). Small data throughout (bars, a few hundred digits, 1 epoch).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import pngjs from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../../src/index.js";
import { encodeIdx } from "../../cli/src/data/idx.js";

const BIN = fileURLToPath(new URL("../../cli/dist/bin/wake-sleep.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function png(path: string): { width: number; height: number } {
  const image = pngjs.PNG.sync.read(readFileSync(path));
  return { width: image.width, height: image.height };
}

function metrics(folder: string): any {
  return JSON.parse(readFileSync(join(folder, "metrics.json"), "utf8"));
}

async function loadMachine(path: string): Promise<HelmholtzMachine> {
  return HelmholtzMachine.load(readFileSync(path));
}

const barsRun = join(dir, "bars-run");
let barsTrain: Result;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  barsTrain = await run(["train", "--data", "bars", "--epochs", "1", "--out", barsRun]);
});

// The tests below only read the bars run and write elsewhere, so they run side by side.
describe.concurrent("wake-sleep train, eval, dream, recognize on a short bars run", () => {
  it("trains and writes the model, three PNGs and metrics.json, with no temp files left", async () => {
    expect(barsTrain.stderr).not.toMatch(/Error|\n\s+at /);
    expect(barsTrain.code).toBe(0);
    expect(readdirSync(barsRun).sort()).toEqual(["curve.png", "dreams.png", "metrics.json", "model.safetensors", "reconstructions.png"]);
    // dreams: 8x8 grid of 4x4 images at 14x magnification with 1-pixel gaps; reconstructions: 5 pairs a row, 8 rows.
    expect(png(join(barsRun, "dreams.png"))).toEqual({ width: 8 * 57 + 1, height: 8 * 57 + 1 });
    expect(png(join(barsRun, "reconstructions.png"))).toEqual({ width: 5 * (2 * 56 + 9) + 8, height: 8 * 64 + 8 });
    expect(png(join(barsRun, "curve.png"))).toEqual({ width: 640, height: 400 });
    const machine = await loadMachine(join(barsRun, "model.safetensors"));
    expect(machine.layers).toEqual([16, 8, 1]);
    expect(machine.learningRate).toBe(0.02);
    machine.dispose();
  });

  it("prints and records the same numbers: log-likelihood with K, description length, exact KL", () => {
    const m = metrics(barsRun);
    expect(m.data).toMatchObject({ name: "bars", width: 16, trainRows: 10000, testRows: 2000 });
    expect(m.binarization).toEqual({ mode: "none" });
    expect(m.machine).toMatchObject({ layers: [16, 8, 1], learningRate: 0.02, resumedFrom: null });
    expect(m.training).toMatchObject({ epochsPlanned: 1, epochsThisRun: 1, epochsDone: 1, rowsThisRun: 10000, interrupted: false, recipe: "recruit" });
    // The 8 middle units start silent and waiting; each is initialised on one of the first unexplained rows.
    expect(m.training.unitsRecruited).toBeGreaterThanOrEqual(8);
    expect(m.training.epochStats).toHaveLength(1);
    expect(m.training.curve.length).toBeGreaterThan(1);
    expect(m.training.curve.at(-1).epoch).toBe(1);
    expect(m.test.logLikelihoodSamples).toBe(100);
    const out = barsTrain.stdout;
    expect(out).toContain(`test log-likelihood: ${m.test.logLikelihoodNats.toFixed(2)} nats per row (importance sampling, K = 100 samples`);
    expect(out).toContain(`test log-likelihood, exact: ${m.test.exactLogLikelihoodNats.toFixed(4)} nats per row`);
    expect(out).toContain(`test description length: ${m.test.descriptionLengthBits.toFixed(2)} bits per row`);
    expect(out).toContain(`KL(true || model): ${m.test.klTrueModelBits.toFixed(4)} bits, exact`);
    expect(out).toContain("binarization: none: the data are already 0/1");
    // Entropy of bars is about 3.43 bits = 2.38 nats, a floor for the exact test cross-entropy up to sampling of the test set.
    expect(-m.test.exactLogLikelihoodNats).toBeGreaterThan(2.2);
    expect(m.test.klTrueModelBits).toBeGreaterThan(0);
  });

  it("eval reproduces the exact log-likelihood and KL of the saved model, using the recorded data", async () => {
    const r = await run(["eval", join(barsRun, "model.safetensors"), "--samples", "20", "--json"]);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    const m = metrics(barsRun);
    expect(e.data).toBe("bars");
    expect(e.logLikelihood.samples).toBe(20);
    expect(e.exactLogLikelihood.nats).toBeCloseTo(m.test.exactLogLikelihoodNats, 12);
    expect(e.klBits).toBeCloseTo(m.test.klTrueModelBits, 12);
    const text = await run(["eval", join(barsRun, "model.safetensors"), "--samples", "7"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`data: bars (as recorded in ${join(barsRun, "metrics.json")})`);
    expect(text.stdout).toMatch(/test log-likelihood: -\d+\.\d\d nats per row \(importance sampling, K = 7 samples/);
  });

  it("dream writes a PNG grid, and CSV rows that the same model file reproduces", async () => {
    const r = await run(["dream", join(barsRun, "model.safetensors"), "--count", "9", "--out", "nine.png"]);
    expect(r.code).toBe(0);
    expect(png(join(dir, "nine.png"))).toEqual({ width: 3 * 57 + 1, height: 3 * 57 + 1 });
    const a = await run(["dream", join(barsRun, "model.safetensors"), "--count", "5", "--out", "-"]);
    const b = await run(["dream", join(barsRun, "model.safetensors"), "--count", "5", "--out", "-"]);
    expect(a.code).toBe(0);
    const lines = a.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^[01](,[01]){15}$/);
    expect(b.stdout).toBe(a.stdout);
  });

  it("recognize shows codes with labels and writes every test row's code", async () => {
    const r = await run(["recognize", join(barsRun, "model.safetensors"), "--count", "4", "--layer", "1", "--out", "codes.csv"]);
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").filter((l) => /^\s+\d+\s+[01]\s+[01]{8}$/.test(l));
    expect(rows).toHaveLength(4);
    const csv = readFileSync(join(dir, "codes.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(2000);
    for (const line of csv.slice(0, 50)) expect(line).toMatch(/^[01](,[01]){8}$/);
  });

  it("--resume continues the epoch count and the curve", async () => {
    const out = join(dir, "bars-resumed");
    const r = await run(["train", "--resume", join(barsRun, "model.safetensors"), "--epochs", "1", "--samples", "5", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(epochs 2..2)");
    const before = metrics(barsRun);
    const m = metrics(out);
    expect(m.machine.resumedFrom).toBe(join(barsRun, "model.safetensors"));
    expect(m.training.epochsDone).toBe(2);
    expect(m.training.epochStats.map((s: any) => s.epoch)).toEqual([1, 2]);
    expect(m.training.curve.slice(0, before.training.curve.length)).toEqual(before.training.curve);
    expect(m.training.curve.at(-1).epoch).toBeCloseTo(2, 9);
  });

  it("--recipe classic trains bars with the 1995 rule alone at rate 0.1, and says so", async () => {
    const out = join(dir, "bars-classic");
    const r = await run(["train", "--data", "bars", "--recipe", "classic", "--epochs", "1", "--samples", "5", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("training: classic online wake-sleep at a constant learning rate");
    const m = metrics(out);
    expect(m.machine.learningRate).toBe(0.1);
    expect(m.training.recipe).toBe("classic");
    expect(m.training.unitsRecruited).toBeUndefined();
  });

  it("Ctrl-C saves a loadable checkpoint, exits 130, and --resume continues it", async () => {
    const out = join(dir, "interrupted");
    let sent = false;
    const r = await run(["train", "--data", "bars", "--epochs", "100000", "--samples", "5", "--out", out], {}, (text, child) => {
      if (!sent && text.includes("run folder:")) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 300);
      }
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/interrupted after \d+ complete epochs?( and \d+ rows of the next)? \(\d+ rows in /);
    expect(r.stdout).toContain(`checkpoint saved: ${join(out, "model.safetensors")}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const m = metrics(out);
    expect(m.training.interrupted).toBe(true);
    expect(m.test).toBeNull();
    const machine = await loadMachine(join(out, "model.safetensors"));
    expect(machine.layers).toEqual([16, 8, 1]);
    machine.dispose();
    const resumed = await run(["train", "--resume", join(out, "model.safetensors"), "--epochs", "1", "--samples", "5", "--out", join(dir, "after-interrupt")]);
    expect(resumed.code).toBe(0);
    expect(metrics(join(dir, "after-interrupt")).training.epochsDone).toBe(m.training.epochsDone + 1);
  });

  it("SIGTERM saves a checkpoint too and exits 143", async () => {
    const out = join(dir, "terminated");
    let sent = false;
    const r = await run(["train", "--data", "shifter", "--epochs", "100000", "--out", out], {}, (text, child) => {
      if (!sent && text.includes("run folder:")) {
        sent = true;
        setTimeout(() => child.kill("SIGTERM"), 200);
      }
    });
    expect(r.code).toBe(143);
    expect(metrics(out).training.interrupted).toBe(true);
    const machine = await loadMachine(join(out, "model.safetensors"));
    expect(machine.layers).toEqual([32, 24, 1]);
    machine.dispose();
  });
});

describe.concurrent("other data", () => {
  it("trains on a few hundred MNIST digits with dynamic binarization, and records the choice", async () => {
    const out = join(dir, "digits");
    const r = await run(["train", "--limit", "300", "--epochs", "1", "--layers", "784,20,5", "--samples", "5", "--binarize", "dynamic", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("binarization: dynamic: each training pixel is sampled as Bernoulli(grey) afresh every time its row is shown; the test rows are sampled once with seed 12345");
    const m = metrics(out);
    expect(m.binarization).toEqual({ mode: "dynamic", testSeed: 12345 });
    expect(m.data).toMatchObject({ name: "mnist", trainRows: 300, testRows: 300, limit: 300 });
    expect(m.test.logLikelihoodSamples).toBe(5);
    expect(r.stdout).toContain(`K = 5 samples`);
    expect(png(join(out, "dreams.png"))).toEqual({ width: 8 * 57 + 1, height: 8 * 57 + 1 });
    expect(png(join(out, "reconstructions.png"))).toEqual({ width: 5 * (2 * 56 + 9) + 8, height: 8 * 64 + 8 });
  });

  it("trains on a directory of IDX files (gzipped and not) and on a CSV file, with their labels and splits", async () => {
    const idxDir = join(dir, "idx-set");
    mkdirSync(idxDir);
    const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => ((i + seed) * 97) % 256);
    writeFileSync(join(idxDir, "train-images-idx3-ubyte.gz"), gzipSync(encodeIdx([60, 4, 4], bytes(60 * 16, 1))));
    writeFileSync(join(idxDir, "train-labels-idx1-ubyte"), encodeIdx([60], bytes(60, 2).map((v) => v % 10)));
    writeFileSync(join(idxDir, "t10k-images-idx3-ubyte"), encodeIdx([20, 4, 4], bytes(20 * 16, 3)));
    writeFileSync(join(idxDir, "t10k-labels-idx1-ubyte.gz"), gzipSync(encodeIdx([20], Uint8Array.from({ length: 20 }, (_, i) => i % 10))));
    const out = join(dir, "idx-run");
    const r = await run(["train", "--data", idxDir, "--epochs", "1", "--layers", "16,4,1", "--threshold", "0.3", "--samples", "3", "--out", out]);
    expect(r.code).toBe(0);
    expect(metrics(out).data).toMatchObject({ trainRows: 60, testRows: 20, width: 16 });
    expect(metrics(out).binarization).toEqual({ mode: "threshold", threshold: 0.3 });
    const rec = await run(["recognize", join(out, "model.safetensors"), "--count", "20"]);
    expect(rec.code).toBe(0);
    const labels = rec.stdout.split("\n").filter((l) => /^\s+\d+\s+\d\s+[01]$/.test(l)).map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(labels).toEqual(Array.from({ length: 20 }, (_, i) => i % 10));

    const csv = join(dir, "rows.csv");
    writeFileSync(csv, Array.from({ length: 50 }, (_, i) => Array.from({ length: 6 }, (_, j) => ((i >> j) & 1)).join(",")).join("\n") + "\n");
    const c = await run(["train", "--data", csv, "--epochs", "2", "--layers", "6,3,1", "--out", join(dir, "csv-run")]);
    expect(c.code).toBe(0);
    expect(metrics(join(dir, "csv-run")).data).toMatchObject({ trainRows: 40, testRows: 10, width: 6 });
  });
});

describe.concurrent("help", () => {
  for (const command of ["train", "eval", "dream", "recognize"]) {
    it(`${command} --help`, async () => {
      const r = await run([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: wake-sleep ${command}`));
      expect(r.stdout).toContain("Examples:");
    });
  }
  it("no command lists the commands", async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/train .*\n\s+eval .*\n\s+dream .*\n\s+recognize /);
  });
});

// Every failure: exit code 2, exactly one line on stderr, nothing on stdout, no stack trace.
describe.concurrent("bad arguments and unreadable or corrupt files", () => {
  const model = () => join(barsRun, "model.safetensors");
  const file = (name: string, content: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const idx = encodeIdx([10, 4, 4], new Uint8Array(160));
  const cases: [string, () => string[], RegExp, Record<string, string>?][] = [
    ["unknown option", () => ["train", "--frob"], /^wake-sleep train: Unknown option '--frob' \(see wake-sleep train --help\)$/],
    ["option without its value", () => ["train", "--epochs"], /^wake-sleep train: Option '--epochs <value>' argument missing/],
    ["zero epochs", () => ["train", "--epochs", "0"], /^wake-sleep train: --epochs must be a whole number from 1 to 1000000000, got "0"$/],
    ["fractional epochs", () => ["train", "--epochs", "2.5"], /--epochs must be a whole number .* got "2\.5"$/],
    ["bad layers", () => ["train", "--layers", "784,abc"], /^wake-sleep train: --layers must be two or more unit counts .* got "784,abc"$/],
    ["layers not starting at the data width", () => ["train", "--data", "bars", "--layers", "10,4,1"], /--layers must start with the data's width 16, got 10,4,1$/],
    ["zero learning rate", () => ["train", "--learning-rate", "0"], /--learning-rate must be a number in \(0, 100\], got "0"$/],
    ["unknown binarization", () => ["train", "--binarize", "sometimes"], /--binarize must be threshold or dynamic, got "sometimes"$/],
    ["threshold out of range", () => ["train", "--threshold", "1.5"], /--threshold must be a number in \[0, 1\], got "1\.5"$/],
    ["unknown data", () => ["train", "--data", "nowhere"], /--data must be one of mnist, fashion-mnist, bars, shifter or a path .* "nowhere" is none of these/],
    ["unknown recipe", () => ["train", "--data", "bars", "--recipe", "magic"], /^wake-sleep train: --recipe must be one of classic, recruit, got "magic"$/],
    ["recruit recipe off bars", () => ["train", "--data", "shifter", "--recipe", "recruit"], /--recipe recruit is tuned for --data bars only, got --data shifter$/],
    ["stray argument", () => ["train", "--data", "bars", "stray"], /^wake-sleep train: unexpected argument "stray"/],
    ["unknown command", () => ["fly"], /^wake-sleep: unknown command "fly"; the commands are train, eval, dream, recognize/],
    ["eval without a model", () => ["eval"], /^wake-sleep eval: missing MODEL/],
    ["missing model file", () => ["eval", join(dir, "absent.safetensors")], /^wake-sleep eval: cannot read the model .*absent\.safetensors: ENOENT/],
    ["corrupt model file", () => ["eval", file("junk.safetensors", "this is not a model")], /^wake-sleep eval: .*junk\.safetensors is not a usable wake-sleep model: /],
    ["truncated model file", () => ["dream", file("half.safetensors", readFileSync(model()).subarray(0, 1000))], /^wake-sleep dream: .*half\.safetensors is not a usable wake-sleep model: /],
    ["model and data of different widths", () => ["eval", model(), "--data", "shifter"], /the model has 16 visible units but shifter rows have 32 values/],
    ["resume with other layers", () => ["train", "--resume", model(), "--layers", "16,4,1"], /--layers 16,4,1 does not match the resumed model's layers 16,8,1$/],
    ["resume with a seed", () => ["train", "--resume", model(), "--seed", "4"], /--seed cannot be combined with --resume/],
    ["dream to an unknown format", () => ["dream", model(), "--out", "x.gif"], /--out must name a \.png or \.csv file/],
    ["recognize a layer the model lacks", () => ["recognize", model(), "--layer", "5"], /--layer must be from 1 to 2 for a model with layers \[16, 8, 1\], got 5$/],
    ["Fashion-MNIST not installed", () => ["train", "--data", "fashion-mnist"], /Fashion-MNIST is not in .*\. Install it with: sudo apt-get install dataset-fashion-mnist/, { WAKE_SLEEP_FASHION_MNIST_DIR: join(dir, "no-fashion-here") }],
    ["truncated IDX file", () => ["train", "--data", file("cut-idx3-ubyte", idx.subarray(0, 100))], /cut-idx3-ubyte: truncated IDX file: dimensions 10x4x4 need 160 bytes of data, the file has 84$/],
    ["IDX file with a wrong magic number", () => ["train", "--data", file("magic-idx3-ubyte", Uint8Array.of(0x1a, 0x2b, 8, 3, ...idx.subarray(4)))], /magic-idx3-ubyte: not an IDX file: wrong magic number 1a 2b 08 03/],
    ["gzipped IDX cut short", () => ["train", "--data", file("short-idx3-ubyte.gz", gzipSync(idx).subarray(0, 30))], /short-idx3-ubyte\.gz: corrupt gzip data: unexpected end of file$/],
    ["IDX labels that do not match the images", () => {
      const d = join(dir, "bad-labels");
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "train-images-idx3-ubyte"), idx);
      writeFileSync(join(d, "t10k-images-idx3-ubyte"), idx);
      writeFileSync(join(d, "train-labels-idx1-ubyte"), encodeIdx([9], new Uint8Array(9)));
      return ["train", "--data", d];
    }, /train-labels-idx1-ubyte: expected 10 labels \(one dimension\), got dimensions 9$/],
    ["CSV row of the wrong length", () => ["train", "--data", file("ragged.csv", "0,1,0\n1,1,1\n1,0\n")], /ragged\.csv:3: row has 2 values, expected 3 like line 1$/],
    ["CSV value that is not 0/1", () => ["train", "--data", file("grey.csv", "0,1\n1,0.5\n")], /grey\.csv:2: value "0\.5" in column 2 is not 0 or 1$/],
  ];
  for (const [name, args, message, env] of cases) {
    it(name, async () => {
      const r = await run(args(), env);
      expect(r.stderr.endsWith("\n")).toBe(true);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stdout).toBe("");
      expect(r.code).toBe(2);
    });
  }
});
