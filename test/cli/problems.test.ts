import { InputProblems, MAX_PROBLEMS } from '../../cli/problems';
import { HistoryError, parseHistory } from '../../planning/shared/history';

class ReaderError extends InputProblems {}

describe('InputProblems', () => {
  it('is an Error whose message is every problem, one per line, in the order found', () => {
    const e = new InputProblems(['a.csv:2: first', 'a.csv:9: second']);
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('a.csv:2: first\na.csv:9: second');
    expect(e.problems).toEqual(['a.csv:2: first', 'a.csv:9: second']);
  });

  it("takes the reader's own class name, so a CLI can tell whose input was wrong", () => {
    const e = new ReaderError(['x']);
    expect(e.name).toBe('ReaderError');
    expect(e).toBeInstanceOf(InputProblems);
    expect(new InputProblems(['x']).name).toBe('InputProblems');
  });
});

describe('MAX_PROBLEMS', () => {
  it('caps the problems a reader lists: a history with 30 bad lines reports the first MAX_PROBLEMS, by line', () => {
    const lines = [
      'time,requests',
      ...Array.from({ length: 30 }, (_, i) => `2026-07-01T${String(i % 24).padStart(2, '0')}:00:00+00:00,many`),
    ];
    let error: unknown;
    try {
      parseHistory(lines.join('\n'), 'h.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HistoryError);
    const problems = (error as HistoryError).problems;
    expect(problems).toHaveLength(MAX_PROBLEMS);
    expect(problems[0]).toMatch(/^h\.csv:2: requests \("many"\) must be a number >= 0/);
    expect(problems[MAX_PROBLEMS - 1]).toMatch(new RegExp(`^h\\.csv:${MAX_PROBLEMS + 1}: `));
  });
});
