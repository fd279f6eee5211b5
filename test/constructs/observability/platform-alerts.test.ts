import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { PlatformAlerts } from '../../../constructs/observability/platform-alerts';
import { freshChart } from '../../support/synth';

describe('PlatformAlerts input checks', () => {
  it('refuses a share written as a percentage, offering the fraction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 99 }), (percent) => {
        expect(() => new PlatformAlerts(freshChart(), 'Alerts', { namespace: 'web', cacheHitRatio: percent })).toThrow(
          `test/Alerts: 'cacheHitRatio' (${percent}) must be a fraction above 0 and below 1; did you mean ${percent / 100}?`,
        );
      }),
    );
  });

  it('refuses a tail-latency target of zero', () => {
    expect(() => new PlatformAlerts(freshChart(), 'Alerts', { namespace: 'web', p99Latency: Duration.millis(0) })).toThrow(
      "test/Alerts: 'p99Latency' (0 millis) must be above zero",
    );
  });
});
