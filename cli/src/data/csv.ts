// CSV files of 0/1 rows: one data vector per line, values separated by commas (spaces around
// them are allowed), every row the same length, no header. Blank lines are skipped.
import { readFileSync } from "node:fs";
import { CliError, oneLine } from "../errors.js";

export interface BinaryTable {
  values: Uint8Array;
  rows: number;
  width: number;
}

/** Parses CSV text of 0/1 rows. `name` is used in error messages, with 1-based line numbers. */
export function parseCsv(text: string, name: string): BinaryTable {
  const lines = text.split(/\r?\n/);
  const rows: Uint8Array[] = [];
  let width = 0;
  let firstLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const fields = line.split(",");
    if (rows.length === 0) {
      width = fields.length;
      firstLine = i + 1;
    } else if (fields.length !== width) {
      throw new CliError(`${name}:${i + 1}: row has ${fields.length} values, expected ${width} like line ${firstLine}`);
    }
    const row = new Uint8Array(width);
    for (let j = 0; j < width; j++) {
      const f = fields[j].trim();
      if (f !== "0" && f !== "1") throw new CliError(`${name}:${i + 1}: value ${JSON.stringify(f)} in column ${j + 1} is not 0 or 1`);
      row[j] = f === "1" ? 1 : 0;
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new CliError(`${name}: no rows (expected lines of 0/1 values separated by commas)`);
  const values = new Uint8Array(rows.length * width);
  rows.forEach((r, i) => values.set(r, i * width));
  return { values, rows: rows.length, width };
}

export function readCsv(path: string): BinaryTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${oneLine(err)}`);
  }
  return parseCsv(text, path);
}

/** 0/1 rows as CSV text. */
export function formatCsv(values: Uint8Array, width: number): string {
  const lines: string[] = [];
  for (let at = 0; at < values.length; at += width) lines.push(Array.from(values.subarray(at, at + width)).join(","));
  return lines.join("\n") + "\n";
}
