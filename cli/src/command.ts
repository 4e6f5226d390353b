/** A subcommand: `run` resolves to the exit code. Errors the user can fix are thrown as CliError. */
export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Prints the lines to stdout. */
export function say(...lines: string[]): void {
  for (const line of lines) process.stdout.write(line + "\n");
}
