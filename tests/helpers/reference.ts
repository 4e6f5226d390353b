// A plain-TypeScript reference of the engine, in f64, from the spec: the random stream
// (xoshiro128+ in four lanes), one wake step and one sleep step.
import { decodeModel } from "../../src/model-file.js";

/** xoshiro128+ in four lanes, word layout as in assembly/rng.ts: s0 lanes, s1 lanes, s2 lanes, s3 lanes. */
export class Xoshiro4 {
  constructor(private readonly s: Uint32Array) {}

  /** Seeded as rng_seed does: eight splitmix64 outputs of the 64-bit seed hi:lo, little-endian words. */
  static seeded(lo: number, hi: number): Xoshiro4 {
    const words = new Uint32Array(16);
    const M = (1n << 64n) - 1n;
    let x = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    for (let i = 0; i < 8; i++) {
      x = (x + 0x9e3779b97f4a7c15n) & M;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
      z ^= z >> 31n;
      words[2 * i] = Number(z & 0xffffffffn);
      words[2 * i + 1] = Number(z >> 32n);
    }
    return new Xoshiro4(words);
  }

  /** A copy of the state words (the model file's rng_state order). */
  words(): Uint32Array {
    return this.s.slice();
  }

  /** One step of the four streams: their raw outputs s0 + s3 (u32). */
  raw(): number[] {
    const s = this.s;
    const out: number[] = [];
    for (let j = 0; j < 4; j++) {
      const s0 = s[j], s1 = s[4 + j], s2 = s[8 + j], s3 = s[12 + j];
      out.push((s0 + s3) >>> 0);
      const t = (s1 << 9) >>> 0;
      const n2 = (s2 ^ s0) >>> 0, n3 = (s3 ^ s1) >>> 0;
      s[4 + j] = (s1 ^ n2) >>> 0;
      s[j] = (s0 ^ n3) >>> 0;
      s[8 + j] = (n2 ^ t) >>> 0;
      s[12 + j] = ((n3 << 11) | (n3 >>> 21)) >>> 0;
    }
    return out;
  }

  /** Four uniforms on the 2^-24 grid: the top 24 bits of one step's outputs. */
  block(): number[] {
    return this.raw().map((x) => (x >>> 8) * 2 ** -24);
  }

  /** n uniforms, ceil(n/4) blocks, surplus lanes of the last block discarded (as the kernels do). */
  uniforms(n: number): number[] {
    const u: number[] = [];
    while (u.length < n) u.push(...this.block());
    return u.slice(0, n);
  }
}

const sigma = (a: number) => 1 / (1 + Math.exp(-a));
const logBern = (s: number, a: number) => (s ? -Math.log1p(Math.exp(-a)) : -Math.log1p(Math.exp(a)));

export class ReferenceMachine {
  layers: number[];
  gTop: number[];
  Gw: number[][][]; // Gw[l][k][j], k over layer l+1
  gb: number[][];
  Rw: number[][][]; // Rw[l][j][k], j over layer l
  rb: number[][]; // rb[l] for l >= 1 (rb[0] unused)
  rng: Xoshiro4;

  /** From the bytes of HelmholtzMachine.save(). */
  constructor(bytes: Uint8Array) {
    const f = decodeModel(bytes, (l) => l as number[]);
    const t = (name: string) => Array.from(f.tensors.get(name)!.data);
    const rows = (name: string, r: number, c: number) => {
      const flat = t(name);
      return Array.from({ length: r }, (_, i) => flat.slice(i * c, (i + 1) * c));
    };
    const n = (this.layers = f.layers);
    const L = n.length - 1;
    this.gTop = t("gen.top.bias");
    this.Gw = n.slice(0, L).map((_, l) => rows(`gen.${l}.weight`, n[l + 1], n[l]));
    this.gb = n.slice(0, L).map((_, l) => t(`gen.${l}.bias`));
    this.Rw = n.slice(0, L).map((_, l) => rows(`rec.${l}.weight`, n[l], n[l + 1]));
    this.rb = [[], ...n.slice(1).map((_, l) => t(`rec.${l}.bias`))];
    this.rng = new Xoshiro4(new Uint32Array(f.rng!.buffer.slice(0)));
  }

  private sample(p: number[]): number[] {
    const u = this.rng.uniforms(p.length);
    return p.map((pj, j) => (u[j] < pj ? 1 : 0));
  }

  private recognitionAct(l: number, s: number[]): number[] {
    return this.rb[l + 1].map((b, k) => b + s.reduce((acc, sj, j) => acc + sj * this.Rw[l][j][k], 0));
  }

  private generativeAct(l: number, above: number[]): number[] {
    return this.gb[l].map((b, j) => b + above.reduce((acc, sk, k) => acc + sk * this.Gw[l][k][j], 0));
  }

  /** The wake rule's gradient for d at the current parameters (the sampled states are kept). */
  wakeGradient(d: number[]): { grad: Map<string, number[]>; bits: number } {
    const L = this.layers.length - 1;
    const s = [d];
    let logQ = 0;
    for (let l = 0; l < L; l++) {
      const a = this.recognitionAct(l, s[l]);
      s.push(this.sample(a.map(sigma)));
      logQ += a.reduce((acc, aj, j) => acc + logBern(s[l + 1][j], aj), 0);
    }
    const grad = this.zeroGradient();
    let logP = this.gTop.reduce((acc, a, j) => acc + logBern(s[L][j], a), 0);
    grad.set("gen.top.bias", this.gTop.map((a, j) => s[L][j] - sigma(a)));
    for (let l = 0; l < L; l++) {
      const a = this.generativeAct(l, s[l + 1]);
      logP += a.reduce((acc, aj, j) => acc + logBern(s[l][j], aj), 0);
      const delta = a.map((aj, j) => s[l][j] - sigma(aj));
      grad.set(`gen.${l}.weight`, s[l + 1].flatMap((sk) => delta.map((dj) => sk * dj)));
      grad.set(`gen.${l}.bias`, delta);
    }
    return { grad, bits: (logQ - logP) / Math.LN2 };
  }

  /** A fantasy top-down and the sleep rule's gradient for it. */
  sleepGradient(): Map<string, number[]> {
    const L = this.layers.length - 1;
    const t: number[][] = [];
    t[L] = this.sample(this.gTop.map(sigma));
    for (let l = L - 1; l >= 0; l--) t[l] = this.sample(this.generativeAct(l, t[l + 1]).map(sigma));
    const grad = this.zeroGradient();
    for (let l = 0; l < L; l++) {
      const delta = this.recognitionAct(l, t[l]).map((a, k) => t[l + 1][k] - sigma(a));
      grad.set(`rec.${l}.weight`, t[l].flatMap((sj) => delta.map((dk) => sj * dk)));
      grad.set(`rec.${l}.bias`, delta);
    }
    return grad;
  }

  zeroGradient(): Map<string, number[]> {
    return new Map([...this.parameters()].map(([name, v]) => [name, v.map(() => 0)]));
  }

  /** Parameters += scale * gradient. */
  apply(grad: Map<string, number[]>, scale: number): void {
    const L = this.layers.length - 1;
    const add = (name: string, v: number[]) => v.map((x, i) => x + scale * grad.get(name)![i]);
    const addRows = (name: string, rows: number[][]) => {
      const flat = add(name, rows.flat());
      return rows.map((r, i) => flat.slice(i * r.length, (i + 1) * r.length));
    };
    this.gTop = add("gen.top.bias", this.gTop);
    for (let l = 0; l < L; l++) {
      this.Gw[l] = addRows(`gen.${l}.weight`, this.Gw[l]);
      this.gb[l] = add(`gen.${l}.bias`, this.gb[l]);
      this.Rw[l] = addRows(`rec.${l}.weight`, this.Rw[l]);
      this.rb[l + 1] = add(`rec.${l}.bias`, this.rb[l + 1]);
    }
  }

  /** One wake step on d; returns log2 Q(h|d) - log2 P(h, d). */
  wake(d: number[], eps: number): number {
    const { grad, bits } = this.wakeGradient(d);
    this.apply(grad, eps);
    return bits;
  }

  /** One sleep step. */
  sleep(eps: number): void {
    this.apply(this.sleepGradient(), eps);
  }

  /** The parameters flattened in the safetensors names. */
  parameters(): Map<string, number[]> {
    const out = new Map<string, number[]>([["gen.top.bias", this.gTop]]);
    this.gb.forEach((_, l) => {
      out.set(`gen.${l}.weight`, this.Gw[l].flat());
      out.set(`gen.${l}.bias`, this.gb[l]);
      out.set(`rec.${l}.weight`, this.Rw[l].flat());
      out.set(`rec.${l}.bias`, this.rb[l + 1]);
    });
    return out;
  }
}
