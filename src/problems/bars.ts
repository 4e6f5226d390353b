// The bars problem of Hinton, Dayan, Frey & Neal (1995): 4x4 images; vertical bars with
// probability 2/3, else horizontal; each of the 4 bars of that orientation on with probability 0.2.
import type { HelmholtzMachine } from "../machine.js";
import { integerIn } from "../validate.js";
import { mulberry32 } from "./random.js";

const SIZE = 4;
const P_VERTICAL = 2 / 3;
const P_BAR = 0.2;

function image(vertical: boolean, bars: number): Uint8Array {
  const img = new Uint8Array(SIZE * SIZE);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) img[r * SIZE + c] = (bars >> (vertical ? c : r)) & 1;
  }
  return img;
}

/** `count` images (count x 16 bytes of 0/1) from a seeded stream. */
function sample(count: number, seed = 0): Uint8Array {
  integerIn("count", count, 1, 2 ** 31 - 1);
  const u = mulberry32(integerIn("seed", seed, 0, 2 ** 32 - 1));
  const out = new Uint8Array(count * SIZE * SIZE);
  for (let i = 0; i < count; i++) {
    const vertical = u() < P_VERTICAL;
    let bars = 0;
    for (let b = 0; b < SIZE; b++) if (u() < P_BAR) bars |= 1 << b;
    out.set(image(vertical, bars), i * SIZE * SIZE);
  }
  return out;
}

/** The 30 distinct images with their true probabilities (blank and full arise in both orientations). */
function distribution(): { images: Uint8Array; probabilities: Float64Array } {
  const byKey = new Map<string, { img: Uint8Array; p: number }>();
  for (const vertical of [true, false]) {
    for (let bars = 0; bars < 1 << SIZE; bars++) {
      const on = bars.toString(2).split("1").length - 1;
      const p = (vertical ? P_VERTICAL : 1 - P_VERTICAL) * P_BAR ** on * (1 - P_BAR) ** (SIZE - on);
      const img = image(vertical, bars);
      const key = img.join("");
      const seen = byKey.get(key);
      if (seen) seen.p += p;
      else byKey.set(key, { img, p });
    }
  }
  const entries = [...byKey.values()];
  const images = new Uint8Array(entries.length * SIZE * SIZE);
  entries.forEach((e, i) => images.set(e.img, i * SIZE * SIZE));
  return { images, probabilities: Float64Array.from(entries, (e) => e.p) };
}

/** KL(true || model) in bits, exact: the model's log P(d) by enumeration of its latent units. */
function klDivergence(machine: HelmholtzMachine): number {
  const { images, probabilities } = distribution();
  const logModel = machine.logLikelihood(images, { exact: true });
  let kl = 0;
  probabilities.forEach((p, i) => (kl += p * (Math.log2(p) - logModel[i] / Math.LN2)));
  return kl;
}

export const bars = { width: SIZE * SIZE, sample, distribution, klDivergence };
