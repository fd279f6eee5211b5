import { Rule } from '../types';
import { containersOf } from '../../manifests/workloads';

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

export const noInlineSecrets: Rule = {
  id: 'no-inline-secrets',
  title: 'No secret values in manifests',
  severity: 'error',
  rationale: 'Manifests live in Git and CI logs; secrets belong in a secret store, referenced by name.',
  url: 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
  check: (o) => {
    if (o.kind === 'Secret' && (Object.keys(o.data ?? {}).length > 0 || Object.keys(o.stringData ?? {}).length > 0)) {
      return ['is a Secret with inline data; create it from a secret store (External Secrets, Sealed Secrets) instead'];
    }
    return containersOf(o).flatMap((c) =>
      (c.env ?? [])
        .filter((e: { name: string; value?: string }) => SECRET_NAME.test(e.name) && e.value)
        .map((e: { name: string }) => `container '${c.name}' sets ${e.name} to a literal value; use valueFrom.secretKeyRef`),
    );
  },
};
