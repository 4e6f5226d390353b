// metrics.json: what a training run did. Commands given a model read the metrics.json beside it
// (if any) to default to the same data and binarization, and --resume continues its epoch count and curve.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CurvePoint } from "./pictures/curve.js";

export interface RunInfo {
  data?: string;
  limit?: number;
  binarize?: "threshold" | "dynamic";
  threshold?: number;
  epochsDone: number;
  /** The --recipe of the run. */
  recipe?: string;
  curve: CurvePoint[];
  epochStats: { epoch: number; descriptionLength: number; seconds: number }[];
  path: string;
}

/** The run recorded beside `modelPath`, or undefined when there is none or it cannot be read. */
export function readRunInfo(modelPath: string): RunInfo | undefined {
  const path = join(dirname(modelPath), "metrics.json");
  if (!existsSync(path)) return undefined;
  let m: any;
  try {
    m = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof m !== "object" || m === null) return undefined;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const mode = m.binarization?.mode;
  const curve = Array.isArray(m.training?.curve) ? m.training.curve.filter((p: any) => num(p?.epoch) !== undefined && num(p?.bits) !== undefined) : [];
  const epochStats = Array.isArray(m.training?.epochStats) ? m.training.epochStats.filter((s: any) => num(s?.epoch) !== undefined && num(s?.descriptionLength) !== undefined) : [];
  return {
    data: typeof m.data?.name === "string" ? m.data.name : undefined,
    limit: num(m.data?.limit),
    binarize: mode === "threshold" || mode === "dynamic" ? mode : undefined,
    threshold: num(m.binarization?.threshold),
    epochsDone: num(m.training?.epochsDone) ?? 0,
    recipe: typeof m.training?.recipe === "string" ? m.training.recipe : undefined,
    curve,
    epochStats,
    path,
  };
}
