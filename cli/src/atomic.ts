// Nothing half-written: each output goes to a temporary file in the same directory, is fsynced,
// then renamed over the destination (rename is atomic within a file system), and the directory
// is fsynced so the rename itself survives a crash.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError, oneLine } from "./errors.js";

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, "w", 0o644);
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write ${path}: ${oneLine(err)}`);
  }
  syncDirectory(dir);
}

// Some systems cannot open or fsync a directory; the file is already in place, so that is not an error.
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}
