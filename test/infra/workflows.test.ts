import * as fs from 'fs';
import { parse } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const workflow = (name: string): any => parse(fs.readFileSync(`.github/workflows/${name}.yaml`, 'utf8'));
const cloudStacks = Object.values(ENVIRONMENTS)
  .filter((e) => e.cloud.kind === 'aws')
  .map((e) => e.name);

describe('the deploy workflow', () => {
  it('runs pulumi up for every cloud stack on pushes to main, each after the one before', () => {
    const deploy = workflow('deploy');
    expect(deploy.on.push.branches).toEqual(['main']);
    const jobs = Object.entries(deploy.jobs) as [string, { needs?: string; with: { stack: string }; uses: string }][];
    expect(jobs.map(([, j]) => j.with.stack).sort()).toEqual([...cloudStacks].sort());
    expect(jobs.map(([name, j]) => [name, j.needs])).toEqual([
      ['dev', undefined],
      ['staging', 'dev'],
      ['prod', 'staging'],
    ]);
    for (const [, j] of jobs) expect(j.uses).toBe('./.github/workflows/pulumi-up.yaml');
  });

  it('deploys inside the stack GitHub environment (its protection rules) with the CrossGuard pack', () => {
    const up = workflow('pulumi-up').jobs.up;
    expect(up.environment).toBe('${{ inputs.stack }}');
    const step = up.steps.find((s: { uses?: string }) => s.uses?.startsWith('pulumi/actions@'));
    expect(step.with).toMatchObject({ command: 'up', 'stack-name': '${{ inputs.stack }}', policyPacks: 'policies/crossguard' });
    expect(step.env.PULUMI_ACCESS_TOKEN).toBe('${{ secrets.PULUMI_ACCESS_TOKEN }}');
  });
});

describe('the pull-request workflow', () => {
  it('previews every cloud stack with the CrossGuard pack', () => {
    const preview = workflow('pull-request').jobs.preview;
    expect([...preview.strategy.matrix.stack].sort()).toEqual([...cloudStacks].sort());
    const step = preview.steps.find((s: { uses?: string }) => s.uses?.startsWith('pulumi/actions@'));
    expect(step.with).toMatchObject({ command: 'preview', policyPacks: 'policies/crossguard' });
  });
});

describe('the cost-comment workflow', () => {
  it('comments the cost change of every cloud stack, base branch against head, on each pull request', () => {
    const cost = workflow('cost-comment');
    expect(Object.keys(cost.on)).toEqual(['pull_request']);
    expect(cost.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const script = cost.jobs.cost.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(script).toContain('github.event.pull_request.base.sha');
    expect(script).toContain(`for env in ${cloudStacks.join(' ')}; do`);
    expect(script).toMatch(/npm run -s cost -- --env "\$env" --manifests "head-dist\/\$env" --compare "base-dist\/\$env"/);
    expect(script).toContain('gh pr comment');
  });
});
