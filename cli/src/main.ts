// The wake-sleep command line: dispatch to a subcommand; errors the user can fix become one line
// on stderr and exit code 2.
import { say, type Command } from "./command.js";
import { dream } from "./commands/dream.js";
import { evalCommand } from "./commands/eval.js";
import { recognize } from "./commands/recognize.js";
import { train } from "./commands/train.js";
import { CliError, EXIT_USAGE, oneLine } from "./errors.js";

const COMMANDS: Command[] = [train, evalCommand, dream, recognize];

const HELP = `Usage: wake-sleep COMMAND [options]

Helmholtz machines trained by wake-sleep (Hinton, Dayan, Frey & Neal, 1995).

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(11)}${c.summary}`).join("\n")}

Run wake-sleep COMMAND --help for a command's options. With no command, prints this help.`;

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const about = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    say(about ? about.help : HELP);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new CliError(`unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((c) => c.name).join(", ")} (see wake-sleep --help)`);
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`wake-sleep${command ? " " + command.name : ""}: ${oneLine(err)}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`wake-sleep${command ? " " + command.name : ""}: internal error: ${oneLine(err)}\n`);
    if (process.env.WAKE_SLEEP_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
    else process.stderr.write("(set WAKE_SLEEP_DEBUG=1 to see where)\n");
    return 1;
  }
}
