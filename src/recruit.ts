// fit()'s `recruit` option: recruitment of idle units of layer 1 on unexplained data (see
// assembly/recruit.ts and bench/QUALITY.md §5), its defaults and its checks.
import { boolean, integerIn, options, positiveFinite, show } from "./validate.js";

export interface RecruitOptions {
  /** Rows of this fit() call during which units are recruited; default all of them. */
  rows?: number;
  /** First silence every unit of layer 1 and make it wait (for a new machine); default true. */
  silentStart?: boolean;
  /** Recruit when more than this fraction of recent rows have unexplained pixels (θ); default 0.03. */
  maxResidualRate?: number;
  /** Time constant of the running means and of the residual rate, in rows (τ); default 2000. */
  tau?: number;
  /** Rows a newly initialised unit is exempt, and rows between two recruitments; default 5000. */
  grace?: number;
  /** Generative weight of a recruited unit on its residual pixels; default 8. */
  gainP?: number;
  /** Recognition weight of a recruited unit: +gainQ on its pixels, -gainQ elsewhere; default 2. */
  gainQ?: number;
  /** Generative bias of a recruited unit; default -3. */
  bias?: number;
  /** Unexplained pixels (on in the data, predicted off) a row needs to count; default 3. */
  minPixels?: number;
}

export interface Recruit {
  rows: number;
  silentStart: boolean;
  maxResidualRate: number;
  tau: number;
  grace: number;
  gainP: number;
  gainQ: number;
  bias: number;
  minPixels: number;
}

export const DEFAULT_RECRUIT: Recruit = {
  rows: Number.POSITIVE_INFINITY,
  silentStart: true,
  maxResidualRate: 0.03,
  tau: 2000,
  grace: 5000,
  gainP: 8,
  gainQ: 2,
  bias: -3,
  minPixels: 3,
};

const KEYS = ["rows", "silentStart", "maxResidualRate", "tau", "grace", "gainP", "gainQ", "bias", "minPixels"] as const;

/** `true` means the defaults; `false` or undefined, no recruitment. */
export function parseRecruit(value: unknown): Recruit | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { ...DEFAULT_RECRUIT };
  const o = options<RecruitOptions>("recruit", value, KEYS);
  const d = DEFAULT_RECRUIT;
  const rate = o.maxResidualRate === undefined ? d.maxResidualRate : positiveFinite("recruit.maxResidualRate", o.maxResidualRate);
  if (rate >= 1) throw new RangeError(`recruit.maxResidualRate must be in (0, 1), got ${rate}`);
  const bias = o.bias === undefined ? d.bias : o.bias;
  if (typeof bias !== "number" || !Number.isFinite(bias)) throw new TypeError(`recruit.bias must be a finite number, got ${show(bias)}`);
  return {
    rows: o.rows === undefined ? d.rows : integerIn("recruit.rows", o.rows, 1, Number.MAX_SAFE_INTEGER),
    silentStart: o.silentStart === undefined ? d.silentStart : boolean("recruit.silentStart", o.silentStart),
    maxResidualRate: rate,
    tau: o.tau === undefined ? d.tau : positiveFinite("recruit.tau", o.tau),
    grace: o.grace === undefined ? d.grace : integerIn("recruit.grace", o.grace, 0, Number.MAX_SAFE_INTEGER),
    gainP: o.gainP === undefined ? d.gainP : positiveFinite("recruit.gainP", o.gainP),
    gainQ: o.gainQ === undefined ? d.gainQ : positiveFinite("recruit.gainQ", o.gainQ),
    bias,
    minPixels: o.minPixels === undefined ? d.minPixels : integerIn("recruit.minPixels", o.minPixels, 1, 1 << 24),
  };
}
