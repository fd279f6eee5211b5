import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';
import { ManifestYamlThread, manifestYaml } from '../../stacks/manifest-yaml';
import { chartsOf, filesOf } from '../support/environments';

// JSON text of values, so undefined fields and key order compare as the API server would see them.
const canonical = (values: readonly unknown[]) => JSON.stringify(values);

// (That every environment renders the same bytes on every run is test/stacks/synth.test.ts's.)
describe.each(Object.keys(ENVIRONMENTS))('the YAML synth writes for %s', (name) => {
  const charts = chartsOf(name);
  const files = new Map(filesOf(name).map((f) => [f.path, f.content]));

  it('reads back to the same objects with a YAML 1.1 reader (as kubectl and the API server) and a YAML 1.2 one', () => {
    for (const chart of charts) {
      // The text of dist/<name>/<file>, as renderEnvironment wrote it.
      const text = files.get(`${name}/${chart.file}`)!;
      expect(text).toBe(manifestYaml(chart.objects));
      const yaml11 = parseAllDocuments(text, { version: '1.1' }).map((d) => {
        expect(d.errors).toEqual([]);
        return d.toJS({ maxAliasCount: 0 });
      });
      expect(canonical(yaml11)).toBe(canonical(chart.objects));
      expect(canonical(loadAll(text, null, { schema: CORE_SCHEMA }))).toBe(canonical(chart.objects));
      expect(text).not.toMatch(/(^|\s)[&*][A-Za-z0-9]+\s*$/m); // no anchors or aliases
    }
  });
});

it('quotes every string a YAML 1.1 reader would take for something else', () => {
  const tricky = {
    booleans: ['yes', 'no', 'on', 'off', 'y', 'n', 'True'],
    numbers: ['1_000', '0b1_01', '0755', '012', '0x1F', '1:20', '190:20:30.15', '.5', '1e3', '80'],
    others: ['2026-01-01', 'null', '~', '=', '-c', '<<'],
    plain: ['v1.2.3', 'plain-text'],
  };
  const text = manifestYaml([tricky]);
  expect(canonical([parseAllDocuments(text, { version: '1.1' })[0].toJS()])).toBe(canonical([tricky]));
  expect(text).toContain('- v1.2.3\n');
});

describe('ManifestYamlThread', () => {
  it('writes the bytes manifestYaml writes, chart by chart and in order', () => {
    const charts = Object.keys(ENVIRONMENTS).flatMap((name) => chartsOf(name));
    const thread = new ManifestYamlThread();
    try {
      expect(thread.results()).toEqual([]);
      charts.forEach((c) => thread.write(c.objects));
      expect(thread.results()).toEqual(charts.map((c) => manifestYaml(c.objects)));
      // results() hands each chart out once; the thread goes on taking charts afterwards.
      expect(thread.results()).toEqual([]);
      thread.write([{ kind: 'ConfigMap', data: { octal: '0755', empty: '' } }]);
      expect(thread.results()).toEqual(['kind: ConfigMap\ndata:\n  octal: "0755"\n  empty: ""\n']);
      // Values JSON changes on the way to the thread go out as JSON sends them in both (the API server reads JSON).
      const live = [{ kind: 'X', zero: -0, list: [1, undefined, 2], at: new Date(0), gone: undefined, none: null, big: 1e21 }];
      thread.write(live);
      const [written] = thread.results();
      expect(written).toBe(manifestYaml(live));
      expect(written).toBe('kind: X\nzero: 0\nlist:\n  - 1\n  - null\n  - 2\nat: "1970-01-01T00:00:00.000Z"\nnone: null\nbig: 1e+21\n');
      // A number JSON cannot hold is refused by both, never written as .nan or null.
      for (const bad of [NaN, -Infinity]) {
        const message = `'replicas' is ${bad}: a manifest holds JSON numbers only (a bug upstream)`;
        expect(() => manifestYaml([{ spec: { replicas: bad } }])).toThrow(message);
        expect(() => thread.write([{ spec: { replicas: bad } }])).toThrow(message);
      }
    } finally {
      thread.close();
    }
  });
});
