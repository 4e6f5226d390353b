// The shifter problem (Dayan, Hinton, Neal & Zemel, "The Helmholtz machine", 1995): 4x8 binary
// images. The top row is random (each pixel on with probability P_ON); the bottom row is the top
// row shifted one place left or right (probability 1/2 each) with wraparound; the two middle rows
// duplicate the outer ones (row 1 = row 0, row 2 = row 3). The shift direction is the hidden cause.
import { mulberry32 } from "wake-sleep";

export const SHIFTER_ROWS = 4;
export const SHIFTER_COLS = 8;
export const SHIFTER_WIDTH = SHIFTER_ROWS * SHIFTER_COLS;
/** Probability that a pixel of the random row is on. */
export const SHIFTER_P_ON = 0.2;

/** Labels: 0 = shifted left (bottom[j] = top[j+1]), 1 = shifted right (bottom[j] = top[j-1]). */
export const SHIFT_LEFT = 0;
export const SHIFT_RIGHT = 1;

/** `count` images (count x 32 bytes of 0/1) and their shift directions, from a seeded stream. */
export function shifterSample(count: number, seed: number): { values: Uint8Array; labels: Uint8Array } {
  const u = mulberry32(seed);
  const C = SHIFTER_COLS;
  const values = new Uint8Array(count * SHIFTER_WIDTH);
  const labels = new Uint8Array(count);
  const top = new Uint8Array(C);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < C; j++) top[j] = u() < SHIFTER_P_ON ? 1 : 0;
    const right = u() < 0.5;
    labels[i] = right ? SHIFT_RIGHT : SHIFT_LEFT;
    const img = values.subarray(i * SHIFTER_WIDTH, (i + 1) * SHIFTER_WIDTH);
    for (let j = 0; j < C; j++) {
      const bottom = top[(j + (right ? C - 1 : 1)) % C];
      img[j] = img[C + j] = top[j];
      img[2 * C + j] = img[3 * C + j] = bottom;
    }
  }
  return { values, labels };
}
