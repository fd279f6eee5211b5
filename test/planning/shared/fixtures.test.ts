import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, trace } from '../../../planning/shared/fixtures';

describe('planning fixtures', () => {
  it('finds the committed fixtures folder, from the sources as from lib/', () => {
    expect(path.resolve(FIXTURES)).toBe(path.resolve(__dirname, '../../../planning/fixtures'));
    expect(fs.existsSync(trace('nasa-http-1995-07-per-minute.csv.gz'))).toBe(true);
    expect(trace('x.csv')).toBe(path.join(FIXTURES, 'traces', 'x.csv'));
  });
});
