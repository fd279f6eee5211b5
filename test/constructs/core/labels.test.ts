import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { appLabels, isLabelValue, labelValue, selectorLabels } from '../../../constructs/core/labels';
import { CapacityClass } from '../../../constructs/workload/capacity-class';
import { ScalableService } from '../../../constructs/workload/scalable-service';
import { labelValuesOf } from '../../support/labels';
import { freshChart, objectsOf } from '../../support/synth';

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
