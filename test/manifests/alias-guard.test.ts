import { load } from 'js-yaml';
import { EXPANSION_FLOOR, aliasProblem, expandedSize } from '../../manifests/alias-guard';

const parsed = (text: string) => ({ text, value: load(text) });

/** A "billion laughs" document: `levels` levels of 9 aliases of the level below. */
function bomb(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  return lines.join('\n');
}

describe('the alias guard', () => {
  it('counts the tree a reader would walk, aliases expanded', () => {
    const { value } = parsed('a: &x [1, 2, 3]\nb: *x\nc: *x\n');
    // root + 3 keys' lists of 1 + 3 each
    expect(expandedSize(value, 1e9)).toBe(1 + 3 * 4);
  });

  it('refuses a billion-laughs document, with its size and limit', () => {
    const { text, value } = parsed(bomb(9));
    expect(aliasProblem(text, value)).toMatch(
      new RegExp(`^aliases expand this document of ${text.length} bytes to more than ${EXPANSION_FLOOR.toLocaleString('en-US')} nodes`),
    );
  });

  it('refuses an alias inside its own anchor as endless', () => {
    const { text, value } = parsed('data: &x\n  self: *x\n');
    expect(expandedSize(value, 1e9)).toBe(Infinity);
    expect(aliasProblem(text, value)).toMatch(/^an alias refers to the node that holds it/);
  });

  it('accepts ordinary anchors and documents without any', () => {
    expect(aliasProblem(...(Object.values(parsed('labels: &l { team: a }\nannotations: *l\n')) as [string, unknown]))).toBeUndefined();
    expect(aliasProblem(...(Object.values(parsed(bomb(3))) as [string, unknown]))).toBeUndefined();
    expect(aliasProblem('plain: text', { plain: 'text' })).toBeUndefined();
  });
});
