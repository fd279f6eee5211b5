/**
 * The Pulumi program (`Pulumi.yaml` names it): reads the stack's perfstack config and builds the stack. The work
 * is in `program.ts`, so tests build every stack in one process.
 */
import { buildStack } from './program';
import { stackSettingsFromConfig } from '../stacks/stack-settings';

const stack = buildStack(stackSettingsFromConfig());

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
