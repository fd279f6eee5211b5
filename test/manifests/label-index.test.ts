import * as fc from 'fast-check';
import { LabelIndex, SelectorIndex, regularLabels, selectorTerms } from '../../manifests/label-index';
import { KubeObject } from '../../manifests/types';
import { selects } from '../../manifests/workloads';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Few keys and values, so that selectors and label sets often meet; `toString` for inherited keys. */
const key = fc.constantFrom('app', 'tier', 'zone', 'toString');
const value = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 1, arbitrary: fc.constantFrom(1, null) });
const labelSet = fc.oneof(
  { weight: 10, arbitrary: fc.dictionary(key, value, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 'not-labels', ['a']) },
);
const expression = fc.oneof(
  { weight: 8, arbitrary: fc.record({ key, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(value, { maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ key, operator: fc.constantFrom('Exists', 'DoesNotExist') }) },
  // Malformed: values missing for In, an unknown operator.
  { weight: 1, arbitrary: fc.record({ key, operator: fc.constantFrom('In', 'Bogus') }) },
);
const selector = fc.oneof(
  { weight: 4, arbitrary: fc.record({ matchLabels: fc.dictionary(key, value, { maxKeys: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ matchExpressions: fc.array(expression, { maxLength: 2 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      matchLabels: fc.dictionary(key, value, { maxKeys: 2 }),
      matchExpressions: fc.array(expression, { maxLength: 2 }),
    }),
  },
  // A bare map, as a Service writes its selector.
  { weight: 3, arbitrary: fc.dictionary(key, value, { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 'app=a', { matchExpressions: 'x' }) },
);

const object = (i: number, labels: Json, sel?: Json): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `m${i}`, labels },
  spec: { selector: sel },
});

/** The answer without an index, or the error it throws (a malformed selector may make `selects` throw). */
function outcome<T>(f: () => T): T | { threw: true } {
  try {
    return f();
  } catch {
    return { threw: true };
  }
}

describe('LabelIndex', () => {
  it('answers every selector exactly as a scan with `selects` would, in member order', () => {
    fc.assert(
      fc.property(fc.array(labelSet, { maxLength: 12 }), fc.array(selector, { minLength: 1, maxLength: 4 }), (sets, selectors) => {
        const members = sets.map((l, i) => object(i, l));
        const index = new LabelIndex(members, (o) => o.metadata.labels, selects);
        for (const s of selectors) {
          const expected = outcome(() => members.filter((m) => selects(s, m.metadata.labels)));
          expect(outcome(() => index.matching(s))).toEqual(expected);
          const any = outcome(() => members.some((m) => selects(s, m.metadata.labels)));
          // Twice: the second answer may come from the memo.
          expect(outcome(() => index.any(s))).toEqual(any);
          expect(outcome(() => index.any(s))).toEqual(any);
        }
      }),
    );
  });

  it('applies the extra filter too, and does not let a filtered answer stand for an unfiltered one', () => {
    const members = [object(0, { app: 'a' }), object(1, { app: 'a', tier: 'b' })];
    const index = new LabelIndex(members, (o) => o.metadata.labels, selects);
    const onlyFirst = (o: KubeObject) => o.metadata.name === 'm0';
    expect(index.matching({ app: 'a' }, onlyFirst).map((o) => o.metadata.name)).toEqual(['m0']);
    expect(index.any({ tier: 'b' }, onlyFirst)).toBe(false);
    expect(index.any({ tier: 'b' })).toBe(true);
  });

  it('looks only at the members holding the rarest required label, not at every member', () => {
    const members = Array.from({ length: 100 }, (_, i) => object(i, { app: 'web', pod: `p${i}` }));
    const seen: string[] = [];
    const index = new LabelIndex(
      members,
      (o) => o.metadata.labels,
      (s, l) => (seen.push(l.pod), selects(s, l)),
    );
    expect(index.matching({ app: 'web', pod: 'p42' }).map((o) => o.metadata.name)).toEqual(['m42']);
    expect(seen).toEqual(['p42']);
  });
});

describe('SelectorIndex', () => {
  it('finds every member whose selector selects a label set, exactly as a scan would, in member order', () => {
    fc.assert(
      fc.property(fc.array(selector, { maxLength: 12 }), fc.array(labelSet, { minLength: 1, maxLength: 4 }), (selectors, sets) => {
        const members = selectors.map((s, i) => object(i, {}, s));
        const index = new SelectorIndex(members, (o) => o.spec.selector, selects);
        for (const labels of sets) {
          const expected = outcome(() => members.filter((m) => selects(m.spec.selector, labels as Json)));
          expect(outcome(() => index.selecting(labels))).toEqual(expected);
        }
      }),
    );
  });

  it('asks `selects` only about members filed under a pair the labels hold, and those without a pair', () => {
    const members = [
      ...Array.from({ length: 50 }, (_, i) => object(i, {}, { matchLabels: { app: 'web', pod: `p${i}` } })),
      object(50, {}, { matchExpressions: [{ key: 'pod', operator: 'Exists' }] }),
    ];
    const asked: string[] = [];
    const index = new SelectorIndex(members, (o) => o.spec.selector, selects);
    const counting = new SelectorIndex(members, (o) => (asked.push(o.metadata.name), o.spec.selector), selects);
    asked.length = 0;
    expect(counting.selecting({ app: 'web', pod: 'p7' }).map((o) => o.metadata.name)).toEqual(['m7', 'm50']);
    expect(asked.sort()).toEqual(['m50', 'm7']);
    expect(index.selecting({ app: 'web' }).map((o) => o.metadata.name)).toEqual([]);
  });
});

describe('selectorTerms', () => {
  it('reads matchLabels, In and Exists as terms an index can answer, keeping every expression', () => {
    expect(
      selectorTerms({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'zone', operator: 'Exists' },
          { key: 'x', operator: 'NotIn', values: ['c'] },
        ],
      }),
    ).toEqual({
      pairs: [['app', 'web']],
      ins: [{ key: 'tier', values: ['a', 'b'] }],
      exists: ['zone'],
      expressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'zone', operator: 'Exists', values: undefined },
        { key: 'x', operator: 'NotIn', values: ['c'] },
      ],
    });
  });

  it('reads a bare map as matchLabels', () => {
    expect(selectorTerms({ app: 'web' })?.pairs).toEqual([['app', 'web']]);
  });

  it('gives up on what `selects` reads in its own way: non-string values, inherited keys, In without values', () => {
    for (const s of [
      null,
      'app=web',
      [],
      { app: 1 },
      { toString: 'x' },
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      { matchExpressions: {} },
    ])
      expect(selectorTerms(s)).toBeUndefined();
  });
});

describe('regularLabels', () => {
  it('holds objects and undefined, not strings, lists or null', () => {
    expect([{}, { a: 'b' }, undefined].every(regularLabels)).toBe(true);
    expect(['x', ['a'], null, 3].some(regularLabels)).toBe(false);
  });
});
