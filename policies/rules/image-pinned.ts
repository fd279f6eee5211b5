import { Rule } from '../types';
import { containersOf } from '../workloads';

/** The tag of an image reference, or undefined; a `:` before the last `/` is a registry port. */
export function tagOf(image: string): string | undefined {
  const ref = image.split('@')[0];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
}

export const imagePinned: Rule = {
  id: 'image-pinned',
  title: 'Images carry a pinned tag or digest',
  severity: 'error',
  rationale:
    '`latest` or an untagged image changes under a running Deployment: two replicas can run different code and rollbacks do not roll back.',
  url: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
  check: (o) =>
    containersOf(o).flatMap((c) => {
      const image: string = c.image ?? '';
      if (image.includes('@sha256:')) return [];
      const tag = tagOf(image);
      return tag === undefined || tag === 'latest' ? [`container '${c.name}' uses '${image}' without a pinned tag`] : [];
    }),
};
