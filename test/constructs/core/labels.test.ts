import * as fc from 'fast-check';
import { Problems } from '../../../constructs/core/errors';
import {
  MANAGED_BY,
  appLabels,
  checkLabels,
  costLabels,
  exemptionAnnotations,
  isDnsLabel,
  isLabelKey,
  isLabelValue,
  labelValue,
  selectorLabels,
} from '../../../constructs/core/labels';
import { evaluate } from '../../../policies/engine';
import { KubeObject } from '../../../policies/types';
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CapacityClass } from '../../../constructs/workload/capacity-class';
import { ScalableService } from '../../../constructs/workload/scalable-service';
import { labelValuesOf } from '../../support/labels';
import { freshChart, objectsOf } from '../../support/synth';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const alnum = fc.constantFrom(...ALNUM);
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));

/** A label name or value as Kubernetes defines it: alphanumeric ends, `-`, `_`, `.` inside, 1..63 characters. */
const labelName = fc
  .tuple(alnum, fc.array(fc.constantFrom(...ALNUM, '-', '_', '.'), { maxLength: 61 }), alnum)
  .map(([a, mid, b]) => a + mid.join('') + b);
/** A DNS subdomain of one to three labels. */
const dnsLabelPart = fc
  .tuple(lower, fc.array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')), { maxLength: 20 }), lower)
  .map(([a, mid, b]) => a + mid.join('') + b);
const subdomain = fc.array(dnsLabelPart, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));

describe('label grammar', () => {
  it('accepts every well-formed label name, with or without a DNS-subdomain prefix', () => {
    fc.assert(fc.property(labelName, (name) => isLabelKey(name) && isLabelValue(name)));
    fc.assert(fc.property(subdomain, labelName, (prefix, name) => isLabelKey(`${prefix}/${name}`)));
  });

  it('refuses a name or value that starts or ends with a non-alphanumeric character', () => {
    fc.assert(
      fc.property(labelName, fc.constantFrom('-', '_', '.'), fc.boolean(), (name, bad, atStart) => {
        const broken = atStart ? bad + name.slice(1) : name.slice(0, -1) + bad;
        return !isLabelKey(broken) && !isLabelValue(broken);
      }),
    );
  });

  it('allows 63 characters in a name and a value, and refuses 64', () => {
    expect(isLabelKey('a'.repeat(63))).toBe(true);
    expect(isLabelKey('a'.repeat(64))).toBe(false);
    expect(isLabelValue('a'.repeat(63))).toBe(true);
    expect(isLabelValue('a'.repeat(64))).toBe(false);
  });

  it('allows a prefix of 253 characters and refuses 254', () => {
    const prefix = (n: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(n - 3 * 64)}`;
    expect(prefix(253)).toHaveLength(253);
    expect(isLabelKey(`${prefix(253)}/x`)).toBe(true);
    expect(isLabelKey(`${prefix(254)}/x`)).toBe(false);
  });

  it('refuses an empty key, an empty name after the prefix, and an upper-case prefix', () => {
    expect(isLabelKey('')).toBe(false);
    expect(isLabelKey('example.com/')).toBe(false);
    expect(isLabelKey('Example.com/x')).toBe(false);
  });

  it('accepts an empty label value, which Kubernetes allows', () => {
    expect(isLabelValue('')).toBe(true);
  });
});

describe('isDnsLabel', () => {
  it('accepts RFC 1035 labels: a letter first, lower-case alphanumerics and dashes, an alphanumeric last', () => {
    expect(isDnsLabel('api-gateway')).toBe(true);
    expect(isDnsLabel('a')).toBe(true);
    expect(isDnsLabel('a'.repeat(63))).toBe(true);
  });

  it('refuses a leading digit, upper case, a dot, a trailing dash and 64 characters', () => {
    for (const name of ['1api', 'Api', 'api.gateway', 'api-', 'a'.repeat(64), '']) expect(isDnsLabel(name)).toBe(false);
  });
});

describe('appLabels', () => {
  const id = { name: 'api-gateway', instance: 'api-gateway-prod', component: 'backend', partOf: 'web-platform' };

  it('renders the recommended app.kubernetes.io labels, managed by perfstack, without a version by default', () => {
    expect(appLabels(id)).toEqual({
      'app.kubernetes.io/name': 'api-gateway',
      'app.kubernetes.io/instance': 'api-gateway-prod',
      'app.kubernetes.io/component': 'backend',
      'app.kubernetes.io/part-of': 'web-platform',
      'app.kubernetes.io/managed-by': MANAGED_BY,
    });
  });

  it('adds the version label when a version is given', () => {
    expect(appLabels({ ...id, version: '1.4.2' })['app.kubernetes.io/version']).toBe('1.4.2');
  });

  it('holds the selector labels, which name only what never changes (name and instance)', () => {
    expect(selectorLabels(id)).toEqual({ 'app.kubernetes.io/name': 'api-gateway', 'app.kubernetes.io/instance': 'api-gateway-prod' });
    expect(appLabels({ ...id, version: '2', component: 'other' })).toMatchObject(selectorLabels(id));
  });
});

describe('costLabels', () => {
  it('carries environment, team and cost center', () => {
    expect(costLabels('prod', { team: 'payments', costCenter: 'cc-42' })).toEqual({
      environment: 'prod',
      team: 'payments',
      'cost-center': 'cc-42',
    });
  });

  it('adds the extra labels', () => {
    expect(costLabels('prod', { team: 't', costCenter: 'c', extraLabels: { product: 'shop' } })).toMatchObject({ product: 'shop' });
  });
});

describe('checkLabels', () => {
  it('records nothing for valid labels', () => {
    const problems = new Problems('prod/api');
    checkLabels(problems, 'labels', { team: 'payments', 'example.com/tier': 'gold' });
    expect(problems.count).toBe(0);
  });

  it('names the offending key and the bad value, each with what is allowed', () => {
    const problems = new Problems('prod/api');
    checkLabels(problems, 'cost.extraLabels', { 'bad key': 'ok', product: 'has space' });
    expect(() => problems.throwIfAny()).toThrow(
      [
        `prod/api: 'cost.extraLabels.bad key' ("bad key") is not a valid label key (DNS-subdomain prefix, then up to 63 alphanumerics, \`-\`, \`_\`, \`.\`)`,
        `prod/api: 'cost.extraLabels.product' ("has space") is not a valid label value (up to 63 alphanumerics, \`-\`, \`_\`, \`.\`, starting and ending alphanumeric)`,
      ].join('\n'),
    );
  });
});

describe('exemptionAnnotations', () => {
  it('renders nothing without an exemption', () => {
    expect(exemptionAnnotations(undefined)).toEqual({});
  });

  it('lists the rules comma-separated with the reason, which the policy engine reads as an exemption', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'web' },
      spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    const before = evaluate([{ object: deployment }], {});
    const fired = [...new Set(before.findings.filter((f) => f.severity === 'error').map((f) => f.rule))].slice(0, 2);
    expect(fired.length).toBe(2);
    const annotations = exemptionAnnotations({ rules: fired, reason: 'a fixture' });
    expect(annotations).toEqual({ 'policy.perfstack.io/exempt': fired.join(','), 'policy.perfstack.io/exempt-reason': 'a fixture' });
    const after = evaluate([{ object: { ...deployment, metadata: { ...deployment.metadata, annotations } } }], {});
    const exempted = after.findings.filter((f) => fired.includes(f.rule));
    expect(exempted.length).toBeGreaterThan(0);
    expect(exempted.every((f) => f.exemptReason === 'a fixture')).toBe(true);
    expect(after.errors).toBe(before.errors - exempted.length);
  });
});

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An image tag as the OCI distribution spec allows it: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
const imageTag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);

describe('labelValue', () => {
  it('keeps a value Kubernetes accepts as it is', () => {
    expect(labelValue('1.8.2')).toBe('1.8.2');
    expect(labelValue('')).toBe('');
    expect(labelValue('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it('cuts a 70-character image tag to 63 with a stable hash suffix', () => {
    const tag = `1.0.0-${'a'.repeat(64)}`;
    const v = labelValue(tag);
    expect(v).toMatch(/^1\.0\.0-a{48}-[0-9a-f]{8}$/);
    expect(v).toHaveLength(63);
    expect(labelValue(tag)).toBe(v);
    expect(labelValue(`${tag}b`)).not.toBe(v);
  });

  it('never gives a value over 63 characters or outside the label grammar, and is stable, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const v = labelValue(input);
        return v.length <= 63 && isLabelValue(v) && labelValue(input) === v && (!isLabelValue(input) || v === input);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps different long inputs apart', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 64, maxLength: 120 }),
        fc.string({ minLength: 64, maxLength: 120 }),
        (a, b) => a === b || labelValue(a) !== labelValue(b),
      ),
    );
  });
});

describe('appLabels and selectorLabels', () => {
  it('give valid label values for any identity, and selectors that match the labels', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.string(),
          instance: fc.string({ maxLength: 200 }),
          component: fc.string(),
          partOf: fc.string(),
          version: imageTag,
        }),
        (id) => {
          const labels = appLabels(id);
          const selector = selectorLabels(id);
          return Object.values(labels).every(isLabelValue) && Object.entries(selector).every(([k, v]) => labels[k] === v);
        },
      ),
    );
  });
});

describe('labels of a synthesized ScalableService', () => {
  it('are valid for any service name, namespace and image tag, spot burst included', () => {
    fc.assert(
      fc.property(fc.stringMatching(DNS_LABEL), fc.stringMatching(DNS_LABEL), imageTag, (id, namespace, tag) => {
        const chart = freshChart();
        new ScalableService(chart, id, {
          namespace,
          image: `registry.example.com/web/api:${tag}`,
          resources: { cpu: Cpu.millis(500), memory: Size.mebibytes(512) },
          replicas: { min: 2, max: 10 },
          zones: 3,
          capacity: CapacityClass.critical().withSpotBurst(),
        });
        const bad = labelValuesOf(objectsOf(chart)).filter((l) => !isLabelValue(l.value));
        expect(bad).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
