// Paints digits (values in [0, 1]: 0/1 bytes or probabilities) onto canvases, one canvas pixel per digit pixel;
// CSS scales them up with image-rendering: pixelated.
import { DIGIT_SIDE, DIGIT_WIDTH } from "./digits.js";

const PAPER = [255, 255, 255];
const INK = [17, 24, 39];
const GAP = [226, 232, 240];
const GAP_PX = 2;

/** `count` digits in a grid of `cols` columns with thin gaps. */
export function paintGrid(canvas: HTMLCanvasElement, values: ArrayLike<number>, count: number, cols: number): void {
  const rows = Math.ceil(count / cols);
  const step = DIGIT_SIDE + GAP_PX;
  const width = cols * step - GAP_PX;
  const height = rows * step - GAP_PX;
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  const image = new ImageData(width, height);
  fill(image.data, 0, width * height, GAP);
  for (let d = 0; d < count; d++) {
    const x0 = (d % cols) * step;
    const y0 = Math.floor(d / cols) * step;
    for (let p = 0; p < DIGIT_WIDTH; p++) {
      const at = (y0 + Math.floor(p / DIGIT_SIDE)) * width + x0 + (p % DIGIT_SIDE);
      shade(image.data, at, values[d * DIGIT_WIDTH + p]);
    }
  }
  canvas.getContext("2d")!.putImageData(image, 0, 0);
}

/** One digit on a 28 x 28 canvas. */
export function paintDigit(canvas: HTMLCanvasElement, values: ArrayLike<number>): void {
  paintGrid(canvas, values, 1, 1);
}

function shade(rgba: Uint8ClampedArray, pixel: number, v: number): void {
  for (let c = 0; c < 3; c++) rgba[4 * pixel + c] = PAPER[c] + (INK[c] - PAPER[c]) * v;
  rgba[4 * pixel + 3] = 255;
}

function fill(rgba: Uint8ClampedArray, from: number, to: number, colour: number[]): void {
  for (let p = from; p < to; p++) {
    rgba.set(colour, 4 * p);
    rgba[4 * p + 3] = 255;
  }
}
