import { webPlatformRemediation } from '../../stacks/remediation-policies';
import { webPlatformServices } from '../../stacks/services';

describe('webPlatformRemediation', () => {
  it('raises each floor by at most 4 and never past max replicas, and rolls back an SLO burn soon after a rollout', () => {
    const full = webPlatformRemediation(webPlatformServices({ scale: 'full' }), { dryRun: true });
    expect(full.dryRun).toBe(true);
    expect(full.services[0]).toEqual({
      service: 'api-gateway',
      rules: [
        { alert: 'LatencyP99High', action: { kind: 'scale', by: 4, minutes: 30 } },
        { alert: 'SloErrorBudgetBurn', action: { kind: 'rollback', withinMinutes: 30 } },
      ],
    });
    const minimal = webPlatformRemediation(webPlatformServices({ scale: 'minimal' }), { dryRun: false });
    expect(minimal.services.map((s) => s.rules[0].action)).toEqual(Array(4).fill({ kind: 'scale', by: 1, minutes: 30 }));
  });

  it('gives a service whose min equals its max no scale rule, only the rollback', () => {
    const [svc] = webPlatformServices({ scale: 'full' });
    const fixed = { ...svc, replicas: { min: 3, max: 3 } };
    expect(webPlatformRemediation([fixed], { dryRun: false }).services[0].rules.map((r) => r.action.kind)).toEqual(['rollback']);
  });
});
