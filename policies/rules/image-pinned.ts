import { isPinned } from '../../manifests/images';
import { containersOf } from '../../manifests/workloads';
import { Rule } from '../types';

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
      return isPinned(image) ? [] : [`container '${c.name}' uses '${image}' without a pinned tag`];
    }),
};
