import { spawnSync } from 'child_process';
import * as path from 'path';
import { stacks } from '../../../planning/shared/stacks-on-demand';

describe('stacks on demand', () => {
  it('hands the planning CLIs the environments and what reads them, once asked', () => {
    const s = stacks();
    expect(Object.keys(s.ENVIRONMENTS)).toContain('prod');
    expect(typeof s.readStackSettings).toBe('function');
    expect(typeof s.manifestFiles).toBe('function');
    expect(typeof s.synthesizeCharts).toBe('function');
  });

  it('loads neither cdk8s nor Pulumi until then, so --help answers fast', () => {
    const probe = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.resolve(__dirname, '../../../planning/shared/stacks-on-demand.ts'))});
      const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(cdk8s|@pulumi)\\//.test(f));
      process.stdout.write(String(loaded.length));`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(r.stdout).toBe('0');
  });
});
