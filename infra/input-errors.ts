import * as pulumi from '@pulumi/pulumi';
import { moduleErrorLine } from '../stacks/load-environments';
import { inputErrorLines } from '../stacks/stack-config';

/**
 * How input mistakes leave the Pulumi program. `InputPropertyError`/`InputPropertiesError` are pretty-printed by the
 * engine only when a provider throws them; thrown from a program they reach the runtime's unhandled-exception
 * handler, which prints a stack and an object dump. A `pulumi.RunError` is printed as its message alone, so the
 * program's entry turns them into one, one line per problem.
 */

export { inputErrorLines };

/** Runs the program's body; input errors leave it as a RunError, anything else (a perfstack bug) untouched. */
export function withCleanInputErrors<T>(stack: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    const lines = inputErrorLines(e);
    if (lines === undefined) throw e;
    throw new pulumi.RunError(lines.map((l) => `${stack}: ${l}`).join('\n'));
  }
}

/**
 * Loads the program's modules, which evaluate the environment modules: a mistake cdk8s throws on as they load
 * (`Duration.seconds(-5)`) becomes one line at its file and line, as `npm run synth` reports it.
 */
export function loadProgramModules<T>(stack: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    throw new pulumi.RunError(`${stack}: ${moduleErrorLine(e)}`);
  }
}
