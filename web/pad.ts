// A drawing pad for mouse, finger or pen. Its vector() frames the drawing the way MNIST frames its
// digits (LeCun et al.): scaled to fit a 20 x 20 box, then placed so that its centre of mass sits at
// the centre of the 28 x 28 image, and binarized at 0.5 like the training digits.
import { DIGIT_SIDE, DIGIT_WIDTH } from "./digits.js";

const BOX = 20;
const STROKE = 0.075; // of the pad's width; about MNIST's stroke once a full-height digit is scaled to 20 px
const LIVE_MS = 120;

export class Pad {
  private readonly g: CanvasRenderingContext2D;
  private drawing = false;
  private inked = false;
  private lastLive = 0;

  /** `onChange` gets each new framing while drawing (throttled) and after each stroke. */
  constructor(private readonly canvas: HTMLCanvasElement, private readonly onChange: (x: Uint8Array) => void) {
    this.g = canvas.getContext("2d", { willReadFrequently: true })!;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", () => this.up());
    canvas.addEventListener("pointercancel", () => this.up());
  }

  clear(): void {
    this.g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private down(e: PointerEvent): void {
    this.canvas.setPointerCapture(e.pointerId);
    this.drawing = true;
    const g = this.g;
    g.lineCap = "round";
    g.lineJoin = "round";
    g.lineWidth = STROKE * this.canvas.width;
    g.strokeStyle = "#111827";
    g.beginPath();
    g.moveTo(...this.point(e));
    g.lineTo(...this.point(e));
    g.stroke();
    this.inked = true;
  }

  private move(e: PointerEvent): void {
    if (!this.drawing) return;
    for (const p of e.getCoalescedEvents?.() ?? [e]) this.g.lineTo(...this.point(p));
    this.g.stroke();
    this.g.beginPath();
    this.g.moveTo(...this.point(e));
    if (performance.now() - this.lastLive > LIVE_MS) this.emit();
  }

  private up(): void {
    if (!this.drawing) return;
    this.drawing = false;
    this.emit();
  }

  private emit(): void {
    this.lastLive = performance.now();
    const x = this.vector();
    if (x) this.onChange(x);
  }

  /** The drawing as 784 bytes of 0/1, framed like an MNIST digit; null while the pad is empty. */
  vector(): Uint8Array | null {
    if (!this.inked) return null;
    const { width, height } = this.canvas;
    const ink = this.g.getImageData(0, 0, width, height).data;
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (ink[4 * (y * width + x) + 3] === 0) continue;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
    if (x1 < 0) return null;
    const scale = BOX / Math.max(x1 - x0 + 1, y1 - y0 + 1);
    const w = (x1 - x0 + 1) * scale;
    const h = (y1 - y0 + 1) * scale;
    // First centre the box, then move by the offset of the centre of mass.
    let grey = this.shrink(x0, y0, x1, y1, (DIGIT_SIDE - w) / 2, (DIGIT_SIDE - h) / 2, w, h);
    const [cx, cy] = centreOfMass(grey);
    grey = this.shrink(x0, y0, x1, y1, (DIGIT_SIDE - w) / 2 + DIGIT_SIDE / 2 - cx, (DIGIT_SIDE - h) / 2 + DIGIT_SIDE / 2 - cy, w, h);
    return Uint8Array.from(grey, (v) => (v > 0.5 ? 1 : 0));
  }

  // The pad's box [x0..x1] x [y0..y1] drawn at (dx, dy) with size w x h on a 28 x 28 image: ink coverage per pixel.
  private shrink(x0: number, y0: number, x1: number, y1: number, dx: number, dy: number, w: number, h: number): Float32Array {
    const small = new OffscreenCanvas(DIGIT_SIDE, DIGIT_SIDE).getContext("2d", { willReadFrequently: true })!;
    small.imageSmoothingEnabled = true;
    small.imageSmoothingQuality = "high";
    small.drawImage(this.canvas, x0, y0, x1 - x0 + 1, y1 - y0 + 1, dx, dy, w, h);
    const rgba = small.getImageData(0, 0, DIGIT_SIDE, DIGIT_SIDE).data;
    return Float32Array.from({ length: DIGIT_WIDTH }, (_, p) => rgba[4 * p + 3] / 255);
  }
}

function centreOfMass(grey: Float32Array): [number, number] {
  let [m, mx, my] = [0, 0, 0];
  grey.forEach((v, p) => {
    m += v;
    mx += v * ((p % DIGIT_SIDE) + 0.5);
    my += v * (Math.floor(p / DIGIT_SIDE) + 0.5);
  });
  return m > 0 ? [mx / m, my / m] : [DIGIT_SIDE / 2, DIGIT_SIDE / 2];
}
