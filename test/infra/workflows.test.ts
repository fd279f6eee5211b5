import * as fs from 'fs';
import { parse } from 'yaml';
import { CLOUD_STACKS, ENVIRONMENT_NAMES } from '../support/environments';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const workflow = (name: string): any => parse(fs.readFileSync(`.github/workflows/${name}.yaml`, 'utf8'));
const cloudStacks = CLOUD_STACKS;

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Step = { uses?: string; run?: string; with?: any; env?: any };
const WORKFLOWS = fs.readdirSync('.github/workflows').filter((f) => f.endsWith('.yaml'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepsOf = (wf: any): Step[] => Object.values(wf.jobs).flatMap((j) => (j as { steps?: Step[] }).steps ?? []);

describe('every workflow', () => {
  it.each(WORKFLOWS)('%s pins each action to the commit of a published release, named in a comment', (file) => {
    const text = fs.readFileSync(`.github/workflows/${file}`, 'utf8');
    const uses = [...text.matchAll(/^\s*-?\s*uses: (.+)$/gm)].map((m) => m[1].trim());
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses.filter((u) => !u.startsWith('./'))) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(WORKFLOWS)('%s runs Node 22 or 24 (LTS) and installs with npm ci', (file) => {
    const steps = stepsOf(workflow(file.replace(/\.yaml$/, '')));
    const setup = steps.filter((s) => s.uses?.startsWith('actions/setup-node@'));
    for (const s of setup) expect([22, 24]).toContain(s.with['node-version']);
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).not.toMatch(/npm install\b/);
    expect(setup.length === 0 || /npm ci\b/.test(runs)).toBe(true);
  });
});

describe('the pull-request check job', () => {
  const check = workflow('pull-request').jobs.check;
  const runs = stepsOf({ jobs: { check } }).flatMap((s) => (s.run ? [s.run] : []));

  it('runs on Debian bookworm, where .ci/run finds every package it installs (Valkey from bookworm-backports)', () => {
    expect(check.container).toMatch(/^node:(22|24)-bookworm$/);
    expect(fs.readFileSync('.ci/run', 'utf8')).toMatch(/-t bookworm-backports valkey-server/);
  });

  it('runs .ci/run itself with CI=true, so a missing program fails the job instead of skipping its suite', () => {
    const step = stepsOf({ jobs: { check } }).find((s) => s.run === '.ci/run');
    expect(step?.env).toEqual({ CI: 'true' });
    expect(runs).toEqual(['.ci/run']);
    // .ci/run itself: packages, npm ci, lint, the README's two commands, in that order.
    const ci = fs.readFileSync('.ci/run', 'utf8');
    const order = ['apt-get install', 'npm ci', 'npm run lint', 'npm run synth', 'npm test'].map((c) => ci.indexOf(c));
    expect(order.every((at, i) => at > -1 && (i === 0 || at > order[i - 1]))).toBe(true);
  });

  it('needs no download for the schema files the tests validate against (they are committed, sha256-checked)', () => {
    const manifest = JSON.parse(fs.readFileSync('schemas/manifest.json', 'utf8')) as { files: { file: string }[] };
    const missing = manifest.files.filter((f) => !fs.existsSync(`schemas/files/${f.file}`)).map((f) => f.file);
    expect(missing).toEqual([]);
  });
});

describe('the pull-request policy job', () => {
  const policy = workflow('pull-request').jobs.policy;

  it('checks every registered environment and uploads its SARIF under a category of its own', () => {
    expect(policy.strategy.matrix.env).toEqual(ENVIRONMENT_NAMES);
    const upload = (policy.steps as Step[]).find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.with).toEqual({ sarif_file: 'policy-${{ matrix.env }}.sarif', category: 'policy-${{ matrix.env }}' });
    expect((policy.steps as Step[]).map((s) => s.run ?? '').join('\n')).toContain('--output "policy-${{ matrix.env }}.sarif"');
    expect(policy.permissions['security-events']).toBe('write');
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
