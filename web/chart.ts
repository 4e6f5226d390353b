// A line chart of description length (bits) against digits seen, drawn on a canvas that follows
// its CSS size. Redraws at most once per animation frame; data-points on the canvas counts the points.

const PAD = { left: 48, right: 12, top: 12, bottom: 30 };

export class Chart {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private scheduled = false;

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  add(x: number, y: number): void {
    this.xs.push(x);
    this.ys.push(y);
    this.schedule();
  }

  clear(): void {
    this.xs.length = 0;
    this.ys.length = 0;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const { canvas, xs, ys } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.dataset.points = String(xs.length);
    const g = canvas.getContext("2d")!;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, h);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = "#64748b";
    if (xs.length < 2) {
      g.textAlign = "center";
      g.fillText(xs.length ? "Collecting points…" : "Press Start to train; the description length appears here.", w / 2, h / 2);
      return;
    }
    const xMax = xs[xs.length - 1];
    const [yMin, yMax] = paddedRange(ys);
    const px = (x: number) => PAD.left + (x / xMax) * (w - PAD.left - PAD.right);
    const py = (y: number) => h - PAD.bottom - ((y - yMin) / (yMax - yMin)) * (h - PAD.top - PAD.bottom);

    g.strokeStyle = "#e2e8f0";
    g.lineWidth = 1;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (const y of ticks(yMin, yMax, Math.max(2, Math.floor(h / 50)))) {
      g.beginPath();
      g.moveTo(PAD.left, Math.round(py(y)) + 0.5);
      g.lineTo(w - PAD.right, Math.round(py(y)) + 0.5);
      g.stroke();
      g.fillText(String(y), PAD.left - 6, py(y));
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    for (const x of ticks(0, xMax, Math.max(2, Math.floor(w / 90)))) g.fillText(compact(x), px(x), h - PAD.bottom + 6);
    g.fillText("digits seen", (PAD.left + w - PAD.right) / 2, h - 12);

    g.strokeStyle = "#4f46e5";
    g.lineWidth = 1.75;
    g.lineJoin = "round";
    g.beginPath();
    // At most about one point per CSS pixel: later points win within a pixel column.
    let lastX = -Infinity;
    xs.forEach((x, i) => {
      const X = px(x);
      if (X - lastX < 1 && i !== xs.length - 1) return;
      if (lastX === -Infinity) g.moveTo(X, py(ys[i]));
      else g.lineTo(X, py(ys[i]));
      lastX = X;
    });
    g.stroke();
  }
}

function paddedRange(ys: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ys) {
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  const pad = Math.max(1, (hi - lo) * 0.05);
  return [Math.max(0, lo - pad), hi + pad];
}

// Round tick values (1, 2 or 5 times a power of ten) inside [lo, hi], about `count` of them.
function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function compact(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}
