/**
 * The Pulumi program (`Pulumi.yaml` names it): reads the stack's perfstack config and builds the stack. The work
 * is in `program.ts`, so tests build every stack in one process. Its modules are required lazily, inside the
 * handlers that turn input mistakes into one clean line each (see `input-errors.ts`).
 */
import * as pulumi from '@pulumi/pulumi';
import { loadProgramModules, withCleanInputErrors } from './input-errors';

const stackName = pulumi.getStack();
const stack = withCleanInputErrors(stackName, () => {
  const { buildStack, stackSettingsFromConfig } = loadProgramModules(stackName, () => ({
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...(require('./program') as typeof import('./program')),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...(require('../stacks/stack-config') as typeof import('../stacks/stack-config')),
  }));
  return buildStack(stackSettingsFromConfig());
});

export const environment = stack.environment;
export const mode = stack.mode;
export const charts = stack.charts;
export const clusterName = stack.clusterName;
export const kubeconfig = stack.kubeconfig;
export const nodePoolBounds = stack.nodePoolBounds;
export const clusterAutoscalerRoleArn = stack.clusterAutoscalerRoleArn;
export const cdnDomainName = stack.cdnDomainName;
export const staticBucket = stack.staticBucket;
export const operators = stack.operators;
export const loadBalancerHostname = stack.loadBalancerHostname;
