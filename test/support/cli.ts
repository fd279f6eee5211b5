import { Write } from '../../cli/args';

/** A CLI's `main` as the tests call it: arguments and the two writers, returning the exit code. */
export type CliMain = (argv: readonly string[], out: Write, err: Write) => number;

/** Runs a CLI in process and collects what it printed. */
export function runCli(main: CliMain, argv: readonly string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}
