// The issue's own reference peer, numpy (bench/peers/numpy_ws.py), as contenders of W1 and W2: each
// run is one call of the script in a child process, timed inside it. Optional: it runs where a
// python3 with numpy is found (Debian: apt-get install python3-numpy libopenblas0-pthread), and
// is reported as not available elsewhere. Nothing is installed or downloaded here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./numpy_ws.py", import.meta.url));
// Where to look for a python3 with numpy: $PYTHON first, then the PATH's, then Debian's.
const CANDIDATES = [process.env.PYTHON, "python3", "/usr/bin/python3"].filter(Boolean);
const TIMEOUT_MS = 120_000;

let found;
/** The python with numpy, or an error saying why there is none (looked up once). */
function python() {
  found ??= (() => {
    for (const cmd of CANDIDATES) {
      if (spawnSync(cmd, ["-c", "import numpy"], { stdio: "ignore", timeout: 30_000 }).status === 0) return { cmd };
    }
    return { error: `no python3 with numpy (tried ${CANDIDATES.join(", ")}; on Debian: apt-get install python3-numpy libopenblas0-pthread)` };
  })();
  if (found.error) throw new Error(found.error);
  return found.cmd;
}

// Runs the script with `args` and BLAS on `threads` threads; its one line of JSON.
function run(args, threads) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(python(), [SCRIPT, ...args], { env, encoding: "utf8", timeout: TIMEOUT_MS });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`numpy_ws.py ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr.trim().split("\n").at(-1)}`);
  return JSON.parse(r.stdout);
}

/** numpy's version and the BLAS it loaded, or { available: false, error }. */
export function numpyInfo() {
  try {
    return { available: true, ...run(["info"], 1) };
  } catch (e) {
    return { available: false, error: e.message };
  }
}

// The training digits as the script reads them (rows x 784 bytes of 0/1), in a temporary file
// written on first use and removed at exit: the script's arguments.
const files = new WeakMap();
function dataArgs(digits) {
  if (!files.has(digits)) {
    const dir = mkdtempSync(join(tmpdir(), "wake-sleep-bench-"));
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "digits.u8"), digits.train);
    files.set(digits, [join(dir, "digits.u8"), String(digits.trainRows)]);
  }
  return files.get(digits);
}

/** W1 on numpy, BLAS on one thread: `steps` online steps per run; steps/s. */
export function w1Numpy(digits, steps) {
  return { id: "numpy", once: () => run([...dataArgs(digits), "w1", String(steps)], 1), show: (r) => `${Math.round(r.value)} steps/s` };
}

/** W2 on numpy with BLAS on `threads` threads: one epoch of B = 100 per run; vectors/s. */
export function w2Numpy(digits, threads) {
  return { id: `numpy-${threads}t`, threads, once: () => run([...dataArgs(digits), "w2"], threads), show: (r) => `${Math.round(r.value)} vectors/s` };
}

/** The numpy contender a contender of ours compares with: W1's, or W2's on the same thread count. */
export function numpyPeerOf(id) {
  const threads = /-(\d+)t$/.exec(id);
  return threads ? `numpy-${threads[1]}t` : "numpy";
}
