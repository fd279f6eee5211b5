/**
 * Input a tool cannot use: one line per problem, each naming where it is (`file:line: ...`), reported all at once.
 * Each reader extends it with its own name, so a CLI catches the errors of the inputs it reads and prints the lines.
 */
export class InputProblems extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = new.target.name;
  }
}

/** Problems an input reader lists at most: past that, more lines name the same mistake again. */
export const MAX_PROBLEMS = 10;
