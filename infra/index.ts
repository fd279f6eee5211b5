/**
 * The Pulumi program (`Pulumi.yaml` names it). For now it deploys the stack's environment into the cluster of the
 * current kubeconfig context; the cloud side (network, EKS, node pools, CDN) builds on the same Environment value.
 */
import * as pulumi from '@pulumi/pulumi';
import { ENVIRONMENTS } from '../stacks/environments';
import { Workloads } from './workloads';

const config = new pulumi.Config('perfstack');
const name = config.get('environment') ?? pulumi.getStack();
const environment = ENVIRONMENTS[name];
if (environment === undefined) {
  throw new pulumi.InputPropertyError({
    propertyPath: 'perfstack:environment',
    reason: `'${name}' is not an environment; set 'pulumi config set perfstack:environment <${Object.keys(ENVIRONMENTS).join('|')}>'`,
  });
}

const workloads = new Workloads(environment.name, { environment });

export const environmentName = environment.name;
export const charts = Object.keys(workloads.groups);
