import { COST_LABEL_KEYS } from '../../manifests/labels';
import { Rule } from '../types';

export const COST_LABELS = Object.values(COST_LABEL_KEYS);

export const costLabelsRule: Rule = {
  id: 'cost-labels',
  title: 'Every object carries the cost-allocation labels',
  severity: 'error',
  rationale: 'Spend that no team owns is spend no team reduces: Kubecost and AWS split cost allocation read these labels.',
  url: 'https://docs.aws.amazon.com/eks/latest/userguide/cost-monitoring.html',
  check: (o) => {
    const missing = COST_LABELS.filter((l) => !o.metadata.labels?.[l]);
    return missing.length > 0 ? [`has no ${missing.map((m) => `'${m}'`).join(' or ')} label`] : [];
  },
};
