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

/** Runs a CLI that writes to the process's own stdout and stderr (`npm run synth`'s main), collecting both. */
export function captureStdio(fn: () => number): { code: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
  try {
    return { code: fn(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

/** A CLI's `main` that waits on the network (Prometheus) before it answers. */
export type AsyncCliMain = (argv: readonly string[], out: Write, err: Write) => Promise<number>;

/** {@link runCli} for an async `main`. */
export async function runAsyncCli(main: AsyncCliMain, argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}
