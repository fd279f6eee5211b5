import { Rule } from '../types';
import { podTemplateOf } from '../../manifests/workloads';

export const serviceAccountToken: Rule = {
  id: 'service-account-token',
  title: 'Pods do not mount an API token they do not need',
  severity: 'warning',
  rationale: 'A mounted token is a credential for the Kubernetes API in every container; most workloads never call the API.',
  url: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting',
  check: (o) => {
    const pod = podTemplateOf(o)?.spec;
    return pod && pod.automountServiceAccountToken !== false
      ? ['automountServiceAccountToken is not false; exempt the workload if it calls the API']
      : [];
  },
};
