// Errors the user can fix (bad arguments, unreadable or corrupt data): printed as one line, exit code 2.

export const EXIT_USAGE = 2;
/** 128 + the signal number, as shells report a process stopped by SIGINT or SIGTERM. */
export const EXIT_INTERRUPTED = 130;
export const EXIT_TERMINATED = 143;

export class CliError extends Error {
  override readonly name = "CliError";
}

/** The message of anything thrown, on one line. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
