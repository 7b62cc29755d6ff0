// The frame every knhk command-line script shares: a bad command line exits 2 with its message and the
// usage, --help prints the usage and exits 0, the number main() returns is the exit code, and an error
// nobody expected is an internal error (exit 3) that names the command.

/** A bad command line; the message is the full `knhk: <command>: …` line. */
export class UsageError extends Error {}

/** Parses the command line: the arguments, or the exit code when there is nothing more to do (2 after
 *  printing a UsageError and the usage, 0 after printing the usage for help). When isHelp is a type
 *  guard, the help shape H is taken out of the arguments' type. */
export function parseOrExitCode<T, H extends T = never>(
  parse: () => T,
  usage: string,
  isHelp: ((args: T) => args is H) | ((args: T) => boolean),
): Exclude<T, H> | number {
  let args: T;
  try {
    args = parse();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${usage}\n`);
      return 2;
    }
    throw error;
  }
  if (isHelp(args)) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return args as Exclude<T, H>;
}

/** The line that reports an error nobody expected, with its stack. */
function internalErrorLine(command: string, error: unknown): string {
  return `knhk: ${command}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
}

/** Runs main and sets the process's exit code from it; a throw is an internal error (exit 3). */
export function runCli(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(internalErrorLine(command, error));
      process.exitCode = 3;
    },
  );
}

/** For scripts written top to bottom: reports a bad command line with the usage and exits 2. */
export function exitUsage(command: string, message: string, usage: string): never {
  process.stderr.write(`knhk: ${command}: ${message}\n${usage}\n`);
  process.exit(2);
}

/** For scripts written top to bottom: reports an error nobody expected and exits 3. */
export function exitInternalError(command: string, error: unknown): never {
  process.stderr.write(internalErrorLine(command, error));
  process.exit(3);
}
