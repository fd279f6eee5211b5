import { Duration } from 'cdk8s';
import fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import { scalingBehavior } from '../../../constructs/workload/scaling-behavior';

describe('scalingBehavior', () => {
  it('keeps an explicit zero instead of falling back to the default', () => {
    const p = new Problems('t');
    const b = scalingBehavior({ scaleDown: { stabilizationWindow: Duration.seconds(0) } }, p);
    expect(b.scaleDown?.stabilizationWindowSeconds).toBe(0);
    expect(b.scaleUp?.stabilizationWindowSeconds).toBe(0);
    expect(p.count).toBe(0);
  });

  it('renders any valid override exactly and leaves the other direction at its default', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 1800 }),
        (window, percent, pods, period) => {
          const p = new Problems('t');
          const b = scalingBehavior(
            { scaleUp: { stabilizationWindow: Duration.seconds(window), percent, pods, period: Duration.seconds(period) } },
            p,
          );
          expect(p.count).toBe(0);
          expect(b.scaleUp).toEqual({
            stabilizationWindowSeconds: window,
            selectPolicy: 'Max',
            policies: [
              { type: 'Percent', value: percent, periodSeconds: period },
              { type: 'Pods', value: pods, periodSeconds: period },
            ],
          });
          expect(b.scaleDown?.stabilizationWindowSeconds).toBe(300);
        },
      ),
    );
  });

  it('rejects values the API would refuse', () => {
    const p = new Problems('prod/api');
    scalingBehavior({ scaleDown: { stabilizationWindow: Duration.hours(2), pods: 0 } }, p);
    expect(() => p.throwIfAny()).toThrow(
      "prod/api: 'behavior.scaleDown.stabilizationWindow' (2 hours) must be at most 60 minutes (the API maximum)\nprod/api: 'behavior.scaleDown.pods' (0) must be >= 1",
    );
  });
});

describe('scalingBehavior input checks', () => {
  it('reports a window that is not whole seconds instead of throwing from toSeconds()', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_600_000 }).filter((ms) => ms % 1000 !== 0),
        (ms) => {
          const p = new Problems('prod/api-gateway');
          scalingBehavior({ scaleDown: { stabilizationWindow: Duration.millis(ms) } }, p);
          expect(() => p.throwIfAny()).toThrow(
            `prod/api-gateway: 'behavior.scaleDown.stabilizationWindow' (${ms} millis) must be a whole number of seconds`,
          );
        },
      ),
    );
  });
});
