import { ownHardwareCost } from '../../../constructs/observability/report-context';

describe('the report context of a site without a cloud bill', () => {
  it('says in one sentence, naming the site, that there is nothing to price, and draws no chart', () => {
    const cost = ownHardwareCost('airgap');
    expect(cost.title).toBe('Cost per month');
    expect(cost.sentence).toBe('airgap runs on its own hardware: there is no cloud bill to price.');
    expect(cost.svg).toBeUndefined();
  });
});
