// Collects the training curve from fit()'s progress reports: the mean description length of the
// rows trained since the previous point, at about `maxPoints` evenly spaced places (a point's rows
// may span the end of an epoch, so every point averages about the same number of rows).
import type { FitProgress } from "wake-sleep";
import type { CurvePoint } from "./pictures/curve.js";

export class CurveRecorder {
  readonly points: CurvePoint[] = [];
  private bitsInEpoch = 0;
  private rowsInEpoch = 0;
  private binBits = 0;
  private binRows = 0;
  private readonly binSize: number;

  /** `firstEpoch` - 1 epochs were done before this run; `totalRows` rows will be shown. */
  constructor(private readonly firstEpoch: number, totalRows: number, maxPoints = 400) {
    this.binSize = Math.max(1, Math.ceil(totalRows / maxPoints));
  }

  add(p: FitProgress): void {
    const bits = p.descriptionLength * p.rowsDone;
    this.binBits += bits - this.bitsInEpoch;
    this.binRows += p.rowsDone - this.rowsInEpoch;
    this.bitsInEpoch = bits;
    this.rowsInEpoch = p.rowsDone;
    if (this.binRows >= this.binSize || (p.epochEnd && p.epoch === p.epochs)) {
      if (this.binRows > 0) this.points.push({ epoch: this.firstEpoch - 1 + (p.epoch - 1) + p.rowsDone / p.rows, bits: this.binBits / this.binRows });
      this.binBits = 0;
      this.binRows = 0;
    }
    if (p.epochEnd) {
      this.bitsInEpoch = 0;
      this.rowsInEpoch = 0;
    }
  }
}
