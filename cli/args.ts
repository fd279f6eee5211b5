import { Command } from 'commander';

/** Where a CLI writes; tests pass collectors, the binaries stdout and stderr. */
export type Write = (s: string) => void;

export const toStdout: Write = (s) => process.stdout.write(s);
export const toStderr: Write = (s) => process.stderr.write(s);

/**
 * Parses `argv` (user arguments only) with `program`, sending help and usage errors to `out`/`err` instead of
 * exiting. Returns the exit code when the CLI should stop there (0 after `--help`, 2 on a usage error), else
 * undefined.
 */
export function parseArgs(program: Command, argv: readonly string[], out: Write, err: Write): number | undefined {
  program.exitOverride().configureOutput({ writeOut: out, writeErr: err });
  try {
    program.parse([...argv], { from: 'user' });
    return undefined;
  } catch (e) {
    return (e as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
}
