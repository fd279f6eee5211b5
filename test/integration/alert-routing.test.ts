import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { alertmanagerYaml } from '../../constructs/observability/alert-routing';
import { ENVIRONMENTS } from '../../stacks/environments';
import { describeWithPrograms } from './support/programs';

describeWithPrograms('Alertmanager routing of every environment, on real amtool', ['amtool'], (bin) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-am-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const configFor = (env: string) => {
    const e = ENVIRONMENTS[env];
    const file = path.join(dir, `${env}.yml`);
    fs.writeFileSync(file, alertmanagerYaml({ namespace: e.namespace, airGapped: e.airGapped, ...e.alerting }));
    return file;
  };
  const route = (file: string, ...labels: string[]) =>
    spawnSync(bin.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels], { encoding: 'utf8' }).stdout.trim();

  it.each(Object.keys(ENVIRONMENTS))('%s: amtool check-config accepts it', (env) => {
    const r = spawnSync(bin.amtool, ['check-config', configFor(env)], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it.each(Object.keys(ENVIRONMENTS))('%s: pages go to on-call, tickets to the ticket receiver', (env) => {
    const file = configFor(env);
    expect(route(file, 'severity=page', 'service=api-gateway', 'slo=availability', 'namespace=web')).toBe('on-call');
    expect(route(file, 'severity=ticket', 'service=api-gateway', 'slo=latency', 'namespace=web')).toBe('ticket');
    expect(route(file, 'alertname=Unlabelled')).toBe('ticket');
  });
});
