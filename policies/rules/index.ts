import { Rule } from '../types';
import { airgapRegistry } from './airgap-registry';
import { alertAnnotations } from './alert-annotations';
import { autoscaledReplicas } from './autoscaled-replicas';
import { autoscalerTarget } from './autoscaler-target';
import { cnpgHighAvailability } from './cnpg-high-availability';
import { costLabelsRule } from './cost-labels';
import { dataTierZoneSpread } from './datatier-zone-spread';
import { hostSpread } from './host-spread';
import { imagePinned } from './image-pinned';
import { k6Resources } from './k6-resources';
import { namespaceDefaultDeny } from './namespace-default-deny';
import { noInlineSecrets } from './no-inline-secrets';
import { pdbCoverage } from './pdb-coverage';
import { productionReplicas } from './production-replicas';
import { scaleDownStabilization } from './scale-down-stabilization';
import { serviceAccountToken } from './service-account-token';
import { serviceMonitorSelectsService } from './servicemonitor-selects-service';
import { serviceSelectsPods } from './service-selects-pods';
import { singleAutoscaler } from './single-autoscaler';
import { vpaAutoscalerConflict } from './vpa-autoscaler-conflict';
import { workloadProbes } from './workload-probes';
import { workloadResources } from './workload-resources';
import { workloadSecurityContext } from './workload-security-context';
import { zoneSpread } from './zone-spread';
import { meshDependencyPolicy } from './mesh-dependency-policy';
import { routeTimeout } from './route-timeout';
import { retryIdempotent } from './retry-idempotent';
import { maxEjectionPercent } from './max-ejection-percent';

/** Every rule, in report order. */
export const ALL_RULES: readonly Rule[] = [
  workloadResources,
  workloadProbes,
  imagePinned,
  workloadSecurityContext,
  serviceAccountToken,
  productionReplicas,
  pdbCoverage,
  zoneSpread,
  hostSpread,
  autoscalerTarget,
  singleAutoscaler,
  autoscaledReplicas,
  scaleDownStabilization,
  vpaAutoscalerConflict,
  serviceSelectsPods,
  namespaceDefaultDeny,
  serviceMonitorSelectsService,
  costLabelsRule,
  alertAnnotations,
  noInlineSecrets,
  cnpgHighAvailability,
  dataTierZoneSpread,
  k6Resources,
  airgapRegistry,
  meshDependencyPolicy,
  routeTimeout,
  retryIdempotent,
  maxEjectionPercent,
];
