// The training curve: running description length (bits per row) against epochs, as a PNG line chart.
import { Canvas, type Rgb } from "./canvas.js";
import { drawText, textWidth } from "./font.js";

export interface CurvePoint {
  /** Epochs of training so far (fractional). */
  epoch: number;
  /** Mean description length of the rows since the previous point, bits. */
  bits: number;
}

const W = 640;
const H = 400;
const LEFT = 70;
const RIGHT = 20;
const TOP = 30;
const BOTTOM = 40;
const INK: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const LINE: Rgb = [31, 119, 180];
const DOT: Rgb = [214, 39, 40];

/** Round tick values: multiples of 1, 2 or 5 times a power of ten, at most about 6 in [lo, hi]. */
export function niceTicks(lo: number, hi: number, most = 6): number[] {
  const raw = (hi - lo) / most;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push(Math.round(t / step) * step);
  return ticks;
}

function tickLabel(v: number, range: number): string {
  const decimals = Math.max(0, Math.min(4, -Math.floor(Math.log10(range / 6))));
  return v.toFixed(decimals);
}

/** Chart of `points` (blue line) and the per-epoch means `epochs` (red dots). The y range leaves
 *  out the first 5% of training, whose large early values would flatten the rest. */
export function curvePng(points: CurvePoint[], epochs: CurvePoint[]): Buffer {
  const c = new Canvas(W, H, [255, 255, 255]);
  const all = [...points, ...epochs];
  const xMax = Math.max(1e-9, ...all.map((p) => p.epoch));
  const xMin = Math.min(0, ...all.map((p) => p.epoch));
  const late = all.filter((p) => p.epoch >= xMin + 0.05 * (xMax - xMin));
  const ys = (late.length > 0 ? late : all).map((p) => p.bits);
  let yMin = ys.length ? Math.min(...ys) : 0;
  let yMax = ys.length ? Math.max(...ys) : 1;
  if (yMax - yMin < 1e-9) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const pad = 0.05 * (yMax - yMin);
  yMin -= pad;
  yMax += pad;
  const px = (e: number) => LEFT + ((e - xMin) / (xMax - xMin)) * (W - LEFT - RIGHT);
  const py = (b: number) => TOP + (1 - (Math.min(yMax, Math.max(yMin, b)) - yMin) / (yMax - yMin)) * (H - TOP - BOTTOM);
  for (const y of niceTicks(yMin, yMax)) {
    c.line(LEFT, py(y), W - RIGHT, py(y), GRID);
    const text = tickLabel(y, yMax - yMin);
    drawText(c, text, LEFT - 8 - textWidth(text, 2), py(y) - 5, INK);
  }
  for (const e of niceTicks(xMin, xMax)) {
    c.line(px(e), TOP, px(e), H - BOTTOM, GRID);
    const text = tickLabel(e, xMax - xMin);
    drawText(c, text, px(e) - textWidth(text, 2) / 2, H - BOTTOM + 8, INK);
  }
  c.line(LEFT, TOP, LEFT, H - BOTTOM, INK);
  c.line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, INK);
  drawText(c, "BITS", 8, 8, INK);
  drawText(c, "EPOCH", W - RIGHT - textWidth("EPOCH", 2), H - 14, INK);
  for (let i = 1; i < points.length; i++) c.line(px(points[i - 1].epoch), py(points[i - 1].bits), px(points[i].epoch), py(points[i].bits), LINE, 2);
  if (points.length === 1) c.rect(px(points[0].epoch) - 1, py(points[0].bits) - 1, 3, 3, LINE);
  for (const p of epochs) c.rect(px(p.epoch) - 2, py(p.bits) - 2, 5, 5, DOT);
  return c.encode();
}
