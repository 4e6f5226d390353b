// Argument parsing shared by the subcommands: node:util parseArgs, then strict value parsers
// that name the option and the bad value.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "./errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv for `command`; unknown options, missing values and stray positionals become CliErrors. */
export function parseCommand(command: string, argv: string[], options: OptionSpec, maxPositionals: number): Parsed {
  let parsed: Parsed;
  try {
    const out = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    parsed = { values: out.values as Parsed["values"], positionals: out.positionals };
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "").replace(/\s*\n\s*/g, " ") : String(err);
    throw new CliError(`${message} (see wake-sleep ${command} --help)`);
  }
  if (parsed.positionals.length > maxPositionals && parsed.values.help !== true) {
    const extra = parsed.positionals.slice(maxPositionals).map((p) => JSON.stringify(p)).join(", ");
    throw new CliError(`unexpected argument ${extra} (see wake-sleep ${command} --help)`);
  }
  return parsed;
}

export function stringOption(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A whole number in [min, max], written in plain decimal digits. */
export function intOption(p: Parsed, name: string, min: number, max: number): number | undefined {
  const text = stringOption(p, name);
  if (text === undefined) return undefined;
  const v = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return v;
}

/** A finite number in (0, max] (or [0, max] when `zeroOk`). */
export function numberOption(p: Parsed, name: string, max: number, zeroOk = false): number | undefined {
  const text = stringOption(p, name);
  if (text === undefined) return undefined;
  const v = /^\s*[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v) || v > max || v < 0 || (!zeroOk && v === 0)) {
    throw new CliError(`--${name} must be a number in ${zeroOk ? "[" : "("}0, ${max}], got ${JSON.stringify(text)}`);
  }
  return v;
}

/** Layer sizes like "784,200,50": at least two positive whole numbers. */
export function layersOption(p: Parsed): number[] | undefined {
  const text = stringOption(p, "layers");
  if (text === undefined) return undefined;
  const parts = text.split(",").map((s) => s.trim());
  const sizes = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (parts.length < 2 || sizes.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 1 << 24)) {
    throw new CliError(`--layers must be two or more unit counts separated by commas, visible first, like 784,200,50; got ${JSON.stringify(text)}`);
  }
  return sizes;
}

/** A picture shape "HxW". */
export function shapeOption(p: Parsed): [number, number] | undefined {
  const text = stringOption(p, "shape");
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(text);
  const shape: [number, number] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (shape[0] < 1 || shape[1] < 1 || shape[0] > 4096 || shape[1] > 4096) {
    throw new CliError(`--shape must be HEIGHTxWIDTH like 28x28, got ${JSON.stringify(text)}`);
  }
  return shape;
}

/** The one positional a command needs (a model file), or a CliError saying so. */
export function requirePositional(p: Parsed, command: string, what: string): string {
  const v = p.positionals[0];
  if (v === undefined) throw new CliError(`missing ${what} (usage: wake-sleep ${command} ${what} [options]; see --help)`);
  return v;
}
