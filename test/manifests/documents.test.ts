import { readDocument } from '../../manifests/documents';

const doc = (text: string, line = 1) => readDocument('m.yaml', { text, line });

describe('readDocument', () => {
  it('reads an object at the line of its first content, after comments', () => {
    const r = doc('# about\n\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n', 10);
    expect(r.problems).toEqual([]);
    expect(r.objects).toEqual([{ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, line: 12 }]);
  });

  it('unpacks a List into its items, each at the list line', () => {
    const r = doc(
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] }),
    );
    expect(r.objects.map((o) => [o.object.kind, o.line])).toEqual([['Secret', 1]]);
  });

  it('names what an object lacks, and what a non-object is', () => {
    expect(doc('kind: ConfigMap\nmetadata: {}\n').problems).toEqual([
      { file: 'm.yaml', line: 1, message: 'an object without apiVersion, metadata.name' },
    ]);
    expect(doc('- a\n- b\n').problems[0].message).toBe('a document of type array, not a Kubernetes object');
    expect(doc('just text\n').problems[0].message).toBe('a document of type string, not a Kubernetes object');
  });

  it('reports invalid YAML at the line of the mistake, not the document', () => {
    const r = doc('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: [unclosed\n', 20);
    expect(r.objects).toEqual([]);
    expect(r.problems[0].line).toBeGreaterThanOrEqual(22);
    expect(r.problems[0].message).toMatch(/^not valid YAML: /);
  });

  it('reads an empty document as nothing, not as a problem', () => {
    expect(doc('# only a comment\n')).toEqual({ objects: [], problems: [] });
  });
});
