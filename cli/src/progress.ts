// Training progress on stderr. On a terminal, a cli-progress bar with rows/s, ETA and the running
// description length; otherwise (logs, pipes, CI) one line every few seconds and at the end.
import cliProgress from "cli-progress";
import type { FitProgress } from "wake-sleep";

export interface Progress {
  update(p: FitProgress): void;
  note(text: string): void;
  stop(): void;
}

const LOG_EVERY_MS = 5000;

/** `totalRows` rows will be shown in all (epochs x rows); `firstEpoch` numbers the first epoch of this run. */
export function trainingProgress(totalRows: number, firstEpoch: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  let doneBefore = 0;
  const rowsDone = (p: FitProgress) => doneBefore + p.rowsDone;
  const rate = (done: number) => done / Math.max(1e-3, (performance.now() - started) / 1000);
  const stats = (p: FitProgress) => ({
    epochNow: firstEpoch + p.epoch - 1,
    epochLast: firstEpoch + p.epochs - 1,
    rate: Math.round(rate(rowsDone(p))).toLocaleString("en-US"),
    dl: p.descriptionLength.toFixed(2),
  });

  // Rows of finished epochs count towards the total once their last report is shown.
  const advance = (p: FitProgress) => {
    if (p.epochEnd) doneBefore += p.rows;
  };

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: "epoch {epochNow}/{epochLast} {bar} {percentage}% | {rate} rows/s | ETA {eta_formatted} | DL {dl} bits",
        barsize: 30,
        hideCursor: true,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalRows, 0, { epochNow: firstEpoch, epochLast: firstEpoch, rate: "0", dl: "-" });
    return {
      update(p) {
        const value = rowsDone(p);
        const s = stats(p);
        advance(p);
        bar.update(value, s);
      },
      note(text) {
        bar.stop();
        stream.write(text + "\n");
      },
      stop() {
        bar.stop();
      },
    };
  }

  let lastLog = started;
  const log = (p: FitProgress) => {
    const s = stats(p);
    const done = rowsDone(p);
    const eta = (totalRows - done) / Math.max(1e-9, rate(done));
    stream.write(`epoch ${s.epochNow}/${s.epochLast}: ${done}/${totalRows} rows, ${s.rate} rows/s, ETA ${eta.toFixed(0)} s, DL ${s.dl} bits\n`);
  };
  return {
    update(p) {
      const t = performance.now();
      const end = p.epochEnd && p.epoch === p.epochs;
      if (end || t - lastLog >= LOG_EVERY_MS) {
        lastLog = t;
        log(p);
      }
      advance(p);
    },
    note(text) {
      stream.write(text + "\n");
    },
    stop() {},
  };
}
