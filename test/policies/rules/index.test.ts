import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES } from '../../../policies/rules';
import { compliant, findings } from './compliant';

describe('the rule set', () => {
  it('finds nothing in the compliant fixture', () => {
    expect(findings(compliant())).toEqual([]);
  });

  it('has one spec per rule, named after the rule file', () => {
    const specs = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.ts') && f !== 'index.test.ts')
      .map((f) => f.replace(/\.test\.ts$/, ''));
    expect(specs.sort()).toEqual(ALL_RULES.map((r) => r.id).sort());
    for (const id of specs) expect(fs.existsSync(path.resolve(__dirname, '../../../policies/rules', `${id}.ts`))).toBe(true);
  });
});
