import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../../stacks/environments';
import { filesOf } from '../support/environments';

/** Namespaces every cluster has before anything is applied. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/**
 * What `kubectl apply -f dist/<env>/` reads, in its order: the files of the folder (not its subfolders) by name, each
 * file's documents in order.
 */
function applyOrder(env: string): { file: string; objects: Obj[] }[] {
  return filesOf(env)
    .filter((f) => f.path.split('/').length === 2 && f.path.endsWith('.yaml'))
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => ({ file: f.path, objects: parseAllDocuments(f.content).map((d) => d.toJS() as Obj) }));
}

describe.each(Object.keys(ENVIRONMENTS))('kubectl apply -f dist/%s/ on a fresh cluster', (env) => {
  const files = applyOrder(env);

  it('creates every namespace an object needs in an earlier file, or earlier in the same file', () => {
    const created = new Set(SYSTEM_NAMESPACES);
    const missing: string[] = [];
    for (const { file, objects } of files) {
      for (const o of objects) {
        if (o.kind === 'Namespace') created.add(o.metadata.name);
        else if (o.metadata.namespace !== undefined && !created.has(o.metadata.namespace))
          missing.push(`${file}: ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('puts Namespace objects first: in the first file, before any other object', () => {
    const all = files.flatMap((f) => f.objects.map((o) => ({ file: f.file, kind: o.kind })));
    const namespaces = all.filter((o) => o.kind === 'Namespace');
    expect(namespaces.length).toBeGreaterThan(0);
    expect(all.slice(0, namespaces.length)).toEqual(namespaces);
    expect(new Set(namespaces.map((n) => n.file))).toEqual(new Set([files[0].file]));
  });
});
