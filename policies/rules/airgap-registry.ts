import { Rule } from '../types';
import { hasDigest } from '../../manifests/images';
import { containersOf } from '../../manifests/workloads';

export const airgapRegistry: Rule = {
  id: 'airgap-registry',
  title: 'Air-gapped sites pull only from their registry, pinned by digest where required',
  severity: 'error',
  rationale: 'An image from outside the site registry cannot be pulled offline; a tag can be re-pushed, a digest cannot.',
  url: 'https://kubernetes.io/docs/concepts/containers/images/',
  check: (o, ctx) => {
    if (!ctx.registry) return [];
    return containersOf(o).flatMap((c) => {
      const image: string = c.image ?? '';
      const problems: string[] = [];
      if (!image.startsWith(`${ctx.registry}/`)) problems.push(`container '${c.name}' pulls '${image}' from outside ${ctx.registry}`);
      if (ctx.requireDigest && !hasDigest(image)) problems.push(`container '${c.name}' image '${image}' is not pinned by digest`);
      return problems;
    });
  },
};
