// Grids of images: dreams (fantasies from the generative model) and real rows beside their
// reconstructions. Values in [0, 1] are drawn as grey levels, 1 = white ink on black.
import { Canvas, grey, type Rgb } from "./canvas.js";

const GAP: Rgb = [96, 96, 96];

/** Enough magnification for small images (4x4 bars) to be seen: about 56 pixels a side. */
export function defaultScale(shape: [number, number]): number {
  return Math.max(1, Math.round(56 / Math.max(shape[0], shape[1])));
}

function drawImage(canvas: Canvas, values: ArrayLike<number>, offset: number, shape: [number, number], x: number, y: number, scale: number): void {
  const [h, w] = shape;
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) canvas.rect(x + c * scale, y + r * scale, scale, scale, grey(values[offset + r * w + c]));
}

/** `count` images of `shape` from flat row-major `values`, `cols` to a row, 1-pixel gaps. */
export function gridPng(values: ArrayLike<number>, count: number, shape: [number, number], cols: number, scale = defaultScale(shape)): Buffer {
  const [h, w] = shape;
  cols = Math.max(1, Math.min(cols, count));
  const rows = Math.ceil(count / cols);
  const cw = w * scale + 1;
  const ch = h * scale + 1;
  const canvas = new Canvas(cols * cw + 1, rows * ch + 1, GAP);
  for (let i = 0; i < count; i++) drawImage(canvas, values, i * h * w, shape, 1 + (i % cols) * cw, 1 + Math.floor(i / cols) * ch, scale);
  return canvas.encode();
}

/** Pairs (real row, reconstruction) side by side, `pairsPerRow` pairs to a row, wider gaps between pairs. */
export function pairsPng(real: ArrayLike<number>, recon: ArrayLike<number>, count: number, shape: [number, number], pairsPerRow: number, scale = defaultScale(shape)): Buffer {
  const [h, w] = shape;
  pairsPerRow = Math.max(1, Math.min(pairsPerRow, count));
  const rows = Math.ceil(count / pairsPerRow);
  const iw = w * scale;
  const pw = 2 * iw + 1 + 8;
  const ch = h * scale + 8;
  const canvas = new Canvas(pairsPerRow * pw + 8, rows * ch + 8, GAP);
  for (let i = 0; i < count; i++) {
    const x = 8 + (i % pairsPerRow) * pw;
    const y = 8 + Math.floor(i / pairsPerRow) * ch;
    drawImage(canvas, real, i * h * w, shape, x, y, scale);
    drawImage(canvas, recon, i * h * w, shape, x + iw + 1, y, scale);
  }
  return canvas.encode();
}
