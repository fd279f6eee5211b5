import { Rule } from '../types';

export const scaleDownStabilization: Rule = {
  id: 'scale-down-stabilization',
  title: 'Autoscalers stabilize before scaling down',
  severity: 'warning',
  rationale: 'Without a scale-down window a brief dip removes pods that the next burst needs again.',
  url: 'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window',
  check: (o) => {
    const behavior =
      o.kind === 'HorizontalPodAutoscaler'
        ? o.spec?.behavior
        : o.kind === 'ScaledObject'
          ? o.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior
          : undefined;
    if (o.kind !== 'HorizontalPodAutoscaler' && o.kind !== 'ScaledObject') return [];
    return behavior?.scaleDown?.stabilizationWindowSeconds === undefined ? ['sets no scaleDown.stabilizationWindowSeconds'] : [];
  },
};
