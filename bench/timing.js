// Timing helpers: medians over repeats, and loops calibrated to a target duration.

export const now = () => performance.now();

/** CPU seconds this process has used so far (user + system, all its threads). */
export const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median, min, max and the values themselves (in run order). */
export function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length, values };
}

/**
 * An iteration count for which body(iters) lasts about targetMs. The count is scaled from the
 * fastest of three timings: a stall of the host while timing only adds time, and a single
 * stalled timing would otherwise shrink the count (and every later sample) many times over.
 */
export function calibrate(body, targetMs) {
  let iters = 1;
  for (;;) {
    const ms = timeOnce(body, iters);
    if (ms >= targetMs / 4 || iters >= 2 ** 30) {
      const fastest = Math.min(ms, timeOnce(body, iters), timeOnce(body, iters));
      return Math.max(1, Math.round((iters * targetMs) / Math.max(fastest, 1e-3)));
    }
    iters *= 2;
  }
}

function timeOnce(body, iters) {
  const t0 = now();
  body(iters);
  return now() - t0;
}

/**
 * Times `body(iters)` (which runs some work `iters` times): finds an iteration count that
 * lasts about `targetMs`, runs `warmup` untimed samples, then `samples` timed ones.
 * Returns nanoseconds per iteration, summarized over the samples. With a `companion` (another
 * body), its samples alternate with body's and are summarized too, so that the two can be
 * compared under the same load.
 */
export function timeLoop(body, { targetMs = 20, samples = 11, warmup = 2, companion } = {}) {
  const iters = calibrate(body, targetMs);
  const citers = companion ? calibrate(companion, targetMs) : 0;
  for (let i = 0; i < warmup; i++) {
    body(iters);
    if (companion) companion(citers);
  }
  const ns = [], cns = [];
  const sample = (f, n, out) => out.push((timeOnce(f, n) * 1e6) / n);
  for (let i = 0; i < samples; i++) {
    sample(body, iters, ns);
    if (companion) sample(companion, citers, cns);
  }
  return { ...summarize(ns), iters, ...(companion ? { companion: summarize(cns) } : {}) };
}

/**
 * Runs contenders round-robin so that load from other processes falls on all of them alike:
 * `warmup` untimed rounds, then `repeats` timed ones. Each contender is { id, once() } where
 * once() resolves to { value, ... } (higher is better or not, the caller knows). A contender
 * that throws is recorded with its error and dropped from later rounds.
 */
export async function interleave(contenders, { repeats, warmup = 1, log = () => {} }) {
  const out = new Map(contenders.map((c) => [c.id, { runs: [], error: undefined }]));
  for (let round = 0; round < warmup + repeats; round++) {
    // The order flips every round, so that no contender always runs after the same one.
    for (const c of round % 2 ? [...contenders].reverse() : contenders) {
      const rec = out.get(c.id);
      if (rec.error) continue;
      try {
        const r = await c.once();
        if (round >= warmup) rec.runs.push(r);
        log(`${c.id} ${round < warmup ? "warm-up" : `run ${round - warmup + 1}/${repeats}`}: ${c.show ? c.show(r) : r.value}`);
      } catch (e) {
        rec.error = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
        log(`${c.id}: ${rec.error}`);
      }
    }
  }
  return out;
}
