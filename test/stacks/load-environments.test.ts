import * as path from 'path';
import { moduleErrorLine, stackFileErrorLine } from '../../stacks/load-environments';

const ROOT = path.resolve(__dirname, '../..');

/** An error as cdk8s throws it, called from `file:line`. */
function thrownAt(message: string, file: string, line: number): Error {
  const e = new Error(message);
  e.stack = [
    `Error: ${message}`,
    `    at new Duration (${ROOT}/node_modules/cdk8s/lib/duration.js:90:19)`,
    `    at Object.<anonymous> (${path.join(ROOT, file)}:${line}:40)`,
  ].join('\n');
  return e;
}

describe('stack file errors', () => {
  it('reports a cdk8s refusal thrown from a stack file at any time as one line at that file and line', () => {
    expect(stackFileErrorLine(thrownAt('Duration amounts cannot be negative. Received: -200', 'stacks/services.ts', 24))).toBe(
      "stacks/services.ts:24: 'Duration' (-200) cannot be negative; a Duration is >= 0",
    );
    expect(stackFileErrorLine(thrownAt("'1.5' cannot be converted into a whole number of seconds.", 'stacks/prod.ts', 9))).toBe(
      'stacks/prod.ts:9: \'conversion\' ("1.5") is not a whole number of seconds',
    );
  });

  it('leaves any other error, or one thrown outside the stack files, to be shown whole as the bug it is', () => {
    expect(
      stackFileErrorLine(thrownAt('Duration amounts cannot be negative. Received: -1', 'constructs/core/quantities.ts', 3)),
    ).toBeUndefined();
    expect(stackFileErrorLine(thrownAt('Cannot read properties of undefined', 'stacks/platform.ts', 3))).toBeUndefined();
    expect(stackFileErrorLine('text')).toBeUndefined();
  });

  it('names the module that failed to load when the error is not a refusal cdk8s makes', () => {
    expect(moduleErrorLine(thrownAt('boom', 'stacks/prod.ts', 5))).toBe('stacks/prod.ts:5: the environment module failed to load: boom');
  });
});
