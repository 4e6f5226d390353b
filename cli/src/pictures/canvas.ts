// An RGB raster encoded to PNG by pngjs. Only filled rectangles, pixels and lines: enough for
// image grids and a line chart.
import pngjs from "pngjs";

export type Rgb = readonly [number, number, number];

export class Canvas {
  readonly width: number;
  readonly height: number;
  private readonly png: InstanceType<typeof pngjs.PNG>;

  constructor(width: number, height: number, background: Rgb) {
    this.width = width;
    this.height = height;
    this.png = new pngjs.PNG({ width, height, colorType: 2, inputHasAlpha: true });
    this.rect(0, 0, width, height, background);
  }

  pixel(x: number, y: number, c: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const at = 4 * (y * this.width + x);
    this.png.data[at] = c[0];
    this.png.data[at + 1] = c[1];
    this.png.data[at + 2] = c[2];
    this.png.data[at + 3] = 255;
  }

  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.pixel(x + i, y + j, c);
  }

  /** A straight line (Bresenham), `thickness` pixels wide. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thickness = 1): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    const half = Math.floor((thickness - 1) / 2);
    for (;;) {
      this.rect(x0 - half, y0 - half, thickness, thickness, c);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /** The picture as PNG bytes (8-bit RGB). */
  encode(): Buffer {
    return pngjs.PNG.sync.write(this.png, { colorType: 2 });
  }
}

/** Grey level for a value in [0, 1]: 0 black, 1 white. */
export function grey(v: number): Rgb {
  const g = Math.round(255 * Math.min(1, Math.max(0, v)));
  return [g, g, g];
}
