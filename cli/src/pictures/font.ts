// A 3x5 pixel font, just the characters the training curve's labels use.
import type { Canvas, Rgb } from "./canvas.js";

const GLYPHS: Record<string, string> = {
  "0": "111101101101111",
  "1": "010110010010111",
  "2": "111001111100111",
  "3": "111001111001111",
  "4": "101101111001001",
  "5": "111100111001111",
  "6": "111100111101111",
  "7": "111001001001001",
  "8": "111101111101111",
  "9": "111101111001111",
  ".": "000000000000010",
  "-": "000000111000000",
  " ": "000000000000000",
  B: "110101110101110",
  C: "011100100100011",
  E: "111100110100111",
  H: "101101111101101",
  I: "111010010010111",
  L: "100100100100111",
  O: "010101101101010",
  P: "110101110100100",
  S: "011100010001110",
  T: "111010010010010",
};

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (4 * text.length - 1) * scale;
}

/** Draws `text` (digits, . - space and the letters above; others are skipped) with its top-left at (x, y). */
export function drawText(canvas: Canvas, text: string, x: number, y: number, color: Rgb, scale = 2): void {
  [...text.toUpperCase()].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (!glyph) return;
    for (let i = 0; i < 15; i++) {
      if (glyph[i] === "1") canvas.rect(x + (4 * k + (i % 3)) * scale, y + Math.floor(i / 3) * scale, scale, scale, color);
    }
  });
}
