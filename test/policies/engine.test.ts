import { declaredContext } from '../../manifests/context';
import { evaluate } from '../../policies/engine';
import { KubeObject } from '../../policies/types';
import { ENVIRONMENTS } from '../../stacks/environments';
import { CONTEXT, compliant, ctr, dep, findings } from './rules/compliant';
import { chartsOf } from '../support/environments';

describe('exemptions', () => {
  it('lists exempted findings with their reason and does not count them', () => {
    const objects = compliant();
    ctr(objects).securityContext.readOnlyRootFilesystem = false;
    dep(objects).metadata.annotations = {
      'policy.perfstack.io/exempt': 'workload-security-context',
      'policy.perfstack.io/exempt-reason': 'legacy image writes to /var/cache',
    };
    const report = evaluate(
      objects.map((object: KubeObject) => ({ object })),
      CONTEXT,
    );
    expect(report.errors).toBe(0);
    expect(report.exempted).toBe(1);
    expect(report.findings[0].exemptReason).toBe('legacy image writes to /var/cache');
  });

  it('refuses an exemption without a reason', () => {
    const objects = compliant();
    dep(objects).metadata.annotations = { 'policy.perfstack.io/exempt': 'zone-spread' };
    expect(findings(objects)).toEqual([
      "exemption-reason: Deployment/api: exempts zone-spread without a 'policy.perfstack.io/exempt-reason' annotation",
    ]);
  });

  it('refuses an exemption for a rule that does not exist, which would cover nothing', () => {
    const objects = compliant();
    dep(objects).metadata.annotations = {
      'policy.perfstack.io/exempt': 'zone-spread,zone-sprad',
      'policy.perfstack.io/exempt-reason': 'single-zone test cluster',
    };
    expect(findings(objects)).toEqual([
      `exemption-rule: Deployment/api: 'policy.perfstack.io/exempt' ("zone-sprad") names no policy rule; misspelt? The exemption covers nothing`,
    ]);
  });
});

describe.each(Object.keys(ENVIRONMENTS))('synthesized environment %s', (name) => {
  it('passes every rule with zero errors and zero warnings, in the context its Namespace declares', () => {
    const env = ENVIRONMENTS[name];
    const objects = chartsOf(name).flatMap((c) => c.objects) as unknown as KubeObject[];
    const declared = declaredContext(objects);
    expect(declared).toEqual({
      context: { zones: env.zones.length, production: env.production, registry: env.airGapped ? env.imageRegistry : undefined },
      problems: [],
    });
    const report = evaluate(
      objects.map((object) => ({ object })),
      declared.context,
    );
    expect(report.findings.filter((f) => !f.exemptReason)).toEqual([]);
  });
});
