import { Command, InvalidArgumentError } from 'commander';
import { parseArgs } from '../../cli/args';

/** A small CLI like the project's: one option with a parser that refuses bad input, one flag. */
function program(): Command {
  return new Command('tool')
    .description('does a thing')
    .option('--zones <n>', 'zones', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number >= 1');
      return n;
    })
    .option('--verbose', 'say more');
}

function parse(argv: readonly string[]) {
  let out = '';
  let err = '';
  const p = program();
  const code = parseArgs(
    p,
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err, options: p.opts() };
}

describe('parseArgs', () => {
  it('returns undefined and leaves the parsed options on the program when the arguments are valid', () => {
    const r = parse(['--zones', '3', '--verbose']);
    expect(r.code).toBeUndefined();
    expect(r.options).toEqual({ zones: 3, verbose: true });
    expect(r.out + r.err).toBe('');
  });

  it('reads the arguments as user arguments, without skipping a node and script name', () => {
    // With `from: 'node'` the first two would be dropped and '--zones 3' lost.
    expect(parse(['--zones', '3']).options.zones).toBe(3);
  });

  it('prints the help to the out writer and returns 0 on --help, instead of exiting the process', () => {
    const r = parse(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: tool \[options\]/);
    expect(r.out).toMatch(/--zones <n>/);
    expect(r.err).toBe('');
  });

  it('returns 2 and writes the reason to the error writer on an unknown option', () => {
    const r = parse(['--zone', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--zone'/);
    expect(r.err).toMatch(/Did you mean --zones\?/);
    expect(r.out).toBe('');
  });

  it("returns 2 with the option parser's own message when a value is refused", () => {
    const r = parse(['--zones', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/option '--zones <n>' argument '0' is invalid\. give a whole number >= 1/);
  });

  it('returns 2 when an option is missing its value', () => {
    const r = parse(['--zones']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/option '--zones <n>' argument missing/);
  });

  it('does not let commander exit the process on any outcome', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('process.exit called');
    });
    try {
      for (const argv of [['--help'], ['--nope'], ['--zones', 'x'], []]) expect(() => parse(argv)).not.toThrow();
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });
});
