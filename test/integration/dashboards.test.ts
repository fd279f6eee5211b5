import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';
import { describeWithPrograms } from './support/programs';
import { chartsOf } from '../support/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describeWithPrograms('Dashboard queries of every environment, on real promtool', ['promtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-dash-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(ENVIRONMENTS))('%s: every panel query is valid PromQL', (env) => {
    const maps = chartsOf(env)
      .flatMap((c) => c.objects)
      .filter((o: Json) => o.metadata.labels?.grafana_dashboard === '1') as Json[];
    const exprs = maps.flatMap((m) =>
      JSON.parse(Object.values(m.data)[0] as string).panels.flatMap((p: Json) => p.targets.map((t: Json) => t.expr)),
    );
    expect(exprs.length).toBeGreaterThan(20);
    // promtool parses each query as the expression of a recording rule.
    const file = path.join(dir, `${env}.yaml`);
    fs.writeFileSync(
      file,
      stringify({
        groups: [{ name: 'dashboards', rules: exprs.map((expr: string, i: number) => ({ record: `dashboard:query${i}`, expr })) }],
      }),
    );
    const r = spawnSync(bin.promtool, ['check', 'rules', file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
