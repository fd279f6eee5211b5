import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { priceEnvironment } from '../../../planning/cost/price-environment';
import { ENVIRONMENTS } from '../../../stacks/environments';

const FIXTURE = path.resolve(__dirname, '../../../planning/fixtures/cost/stack-config.yaml');

describe('priceEnvironment', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'price-environment-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prices the pools from the stack config, with the pool bounds the node groups get', () => {
    const r = priceEnvironment(ENVIRONMENTS.staging, FIXTURE, undefined);
    expect(r.problems).toEqual([]);
    expect(r.priced!.input.onDemand.instanceType).toBe('od.large');
    expect(r.priced!.input.spot!.instanceType).toBe('s1.large +2');
    expect(r.priced!.input.minNodes).toEqual({ onDemand: r.priced!.bounds.onDemand.min, spot: r.priced!.bounds.spot!.min });
  });

  it('reports a pool too small for a pod as one line naming the config file and key, not a stack trace', () => {
    const small = path.join(dir, 'small.yaml');
    fs.writeFileSync(
      small,
      fs.readFileSync(FIXTURE, 'utf8').replace('od.large: { vcpu: 2.5, memoryGiB: 9', 'od.large: { vcpu: 1, memoryGiB: 2'),
    );
    const r = priceEnvironment(ENVIRONMENTS.staging, small, undefined);
    expect(r.priced).toBeUndefined();
    expect(r.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${small}: 'perfstack:nodePools\\.onDemand\\.instanceTypes' \\(\\["od\\.large"\\]\\) a pod requesting .*choose a larger instance type$`,
        ),
      ),
    ]);
  });

  it('says there is nothing to price for a stack without a cloud side', () => {
    const airgap = path.join(dir, 'airgap.yaml');
    fs.writeFileSync(airgap, 'config:\n  perfstack:environment: airgap\n');
    const r = priceEnvironment(ENVIRONMENTS.airgap, airgap, undefined);
    expect(r.noCloud).toBe(true);
    expect(r.problems).toEqual([`${airgap}: environment 'airgap' has no cloud side to price (mode existing-cluster)`]);
  });
});
