import { main } from '../../../planning/capacity/capacity-cli';
import { runCli } from '../../support/cli';

// The capacity CLI's fit mode (planning/capacity/fit-mode.ts), through the CLI that reads its arguments.
describe('npm run capacity -- --nodes', () => {
  const run = (args: string[]) => runCli(main, args);

  it('exits 1 and names the pods that do not fit, pod by pod', () => {
    const r = run(['--env', 'airgap', '--nodes', '4x4/8G']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/airgap at min replicas: DOES NOT FIT/);
    expect(r.out).toMatch(/unplaced: Cluster\/web\/postgres x3 \(2000m, 8192Mi each\)/);
    expect(r.out).toMatch(/a pod is larger than one node of 4 cores/);
  });

  it('exits 2 with every input problem at once', () => {
    const r = run(['--env', 'nope', '--nodes', '4by4', '--require', 'peak']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^capacity: '--env' \("nope"\) is not an environment/),
      expect.stringMatching(/^capacity: '--nodes' \("4by4"\) must be/),
      expect.stringMatching(/^capacity: '--require' \("peak"\) must be min or max/),
    ]);
  });

  it('asks for --env rather than fitting the default environment', () => {
    const r = run(['--nodes', '4x4/8G']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("capacity: '--env' (missing) is needed with --nodes: the environment whose pods to fit\n");
  });

  it('prints the fit at both levels and the nodes of the largest shape each needs, as JSON', () => {
    const r = run(['--env', 'dev', '--nodes', '2x4/8G,1x8/16G', '--format', 'json', '--require', 'max']);
    const report = JSON.parse(r.out);
    expect(report.environment).toBe('dev');
    expect(report.results.map((x: { level: string }) => x.level)).toEqual(['min', 'max']);
    // 16G is decimal: 16e9 bytes are 14.9Gi.
    expect(report.shape).toBe('8 cores/14.9Gi');
    expect(Object.keys(report.nodesNeeded)).toEqual(['min', 'max']);
    expect(r.code).toBe(report.results[1].fits ? 0 : 1);
  });
});
