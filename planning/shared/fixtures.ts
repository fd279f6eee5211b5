import * as fs from 'fs';
import * as path from 'path';

/**
 * planning/fixtures in the source tree, from the module itself (planning/shared/) or its compiled copy
 * (lib/planning/shared/, where `npm run forecast:backtest` runs it): the fixtures are data, never compiled.
 */
export const FIXTURES = [path.resolve(__dirname, '../fixtures'), path.resolve(__dirname, '../../../planning/fixtures')].find((d) =>
  fs.existsSync(path.join(d, 'traces')),
)!;

/** A request-rate trace of planning/fixtures/traces (see its README). */
export const trace = (name: string) => path.join(FIXTURES, 'traces', name);
