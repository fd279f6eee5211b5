/**
 * A stack's settings from its config values: every field read by ./fields.ts, unknown keys by ./keys.ts, and here
 * the rules across fields and the environment (mode, CDN aliases against the ingress hosts, the backup role's account).
 */
import { ENVIRONMENTS } from '../environments';
import { readCdn, readCluster, readIngress, readInstanceTypes, readNodeOverhead, readNodePools, readOperators } from './fields';
import { Issue, failed, lookup, withValue } from './issues';
import { checkKeys } from './keys';
import { CONFIG_NAMESPACE, CdnConfig, CloudStackSettings, StackSettings } from './types';

/**
 * Reads and checks a stack's perfstack config (values keyed without the namespace, already parsed from YAML or
 * JSON). Every problem is reported at once, naming the key and the fix, as `pulumi.InputPropertiesError`.
 *
 * @param stack the stack name, the environment when `perfstack:environment` is unset
 */
export function readStackSettings(values: Readonly<Record<string, unknown>>, stack: string): StackSettings {
  const issues: Issue[] = [];
  // Each reason starts with the value received, as the project's one-line format does: `(["10.0.0.0/33"]) must be ...`.
  const issue = (key: string, reason: string) =>
    issues.push({ propertyPath: `${CONFIG_NAMESPACE}:${key}`, reason: withValue(lookup(values, key), reason) });
  const set = (key: string, value: string) => `pulumi config set ${CONFIG_NAMESPACE}:${key} ${value}`;

  checkKeys(values, issue);
  const envName = values.environment ?? stack;
  const environment = typeof envName === 'string' ? ENVIRONMENTS[envName] : undefined;
  if (environment === undefined) {
    issue('environment', `is not an environment; ${set('environment', `<${Object.keys(ENVIRONMENTS).join('|')}>`)}`);
    throw failed(issues);
  }
  const defaultMode = environment.cloud.kind === 'aws' ? 'cloud' : 'existing-cluster';
  const mode = values.mode ?? defaultMode;
  if (mode !== 'cloud' && mode !== 'existing-cluster') {
    issue('mode', `is not a mode; use 'cloud' (build VPC, EKS, node pools, CDN) or 'existing-cluster'`);
  }
  if (mode === 'existing-cluster' || environment.cloud.kind !== 'aws') {
    if (mode === 'cloud') {
      issue(
        'mode',
        `needs an AWS environment and '${environment.name}' has cloud kind '${environment.cloud.kind}'; use 'existing-cluster'`,
      );
    }
    for (const key of ['cluster', 'nodePools', 'instanceTypes', 'nodeOverhead', 'cdn', 'deployWorkloads', 'ingress']) {
      if (values[key] !== undefined) issue(key, "applies only to mode 'cloud' (this stack deploys to an existing cluster); remove it");
    }
    const kubeContext = values.kubeContext;
    if (kubeContext !== undefined && (typeof kubeContext !== 'string' || kubeContext.length === 0)) {
      issue('kubeContext', 'must be the name of a kubeconfig context; omit it to use the current context');
    }
    const operators = readOperators(values.operators, issue);
    if (issues.length > 0) throw failed(issues);
    return { mode: 'existing-cluster', environment, kubeContext: kubeContext as string | undefined, operators };
  }
  if (values.kubeContext !== undefined) issue('kubeContext', "applies only to mode 'existing-cluster'; remove it");

  const cloud = environment.cloud;
  const backup = environment.dataTier.postgres.backup;
  if (backup.kind === 's3' && !backup.iamRoleArn.startsWith(`arn:aws:iam::${cloud.accountId}:role/`)) {
    issue(
      'environment',
      `'${environment.name}' backs PostgreSQL up with role ${backup.iamRoleArn}, outside its account ${cloud.accountId}; the stack creates that role, so name one in the account`,
    );
  }
  const instanceTypes = readInstanceTypes(values.instanceTypes, issue);
  const nodePools = readNodePools(values.nodePools, cloud.spotPercent, instanceTypes, issue);
  const cluster = readCluster(values.cluster, issue);
  const nodeOverhead = readNodeOverhead(values.nodeOverhead, issue);
  let cdn: CdnConfig | undefined;
  if (cloud.cdn) {
    cdn = readCdn(values.cdn, environment.production, issue);
    if (!environment.ingress) issue('cdn', `needs an Ingress for its API origin; give environment '${environment.name}' an 'ingress'`);
    else {
      // CloudFront sends the viewer's Host to the load balancer and checks its certificate against it: without
      // aliases that is *.cloudfront.net, which no load-balancer certificate covers.
      const hosts = environment.ingress.hosts;
      const aliases = cdn.aliases ?? [];
      if (aliases.length === 0) {
        issue(
          'cdn.aliases',
          `must list the site's host names (covered by the load balancer certificate too): the API origin is reached by the viewer's Host; e.g. [${hosts[0]}]`,
        );
      }
      const missing = aliases.filter((a) => !hosts.includes(a));
      if (missing.length > 0) {
        issue(
          'cdn.aliases',
          `names ${missing.join(', ')}, missing from environment '${environment.name}' ingress.hosts (${hosts.join(', ')}); the Ingress must answer for them`,
        );
      }
    }
  } else if (values.cdn !== undefined)
    issue('cdn', `is set but environment '${environment.name}' has cloud.cdn false; remove it or turn the CDN on`);
  const deployWorkloads = values.deployWorkloads ?? true;
  if (typeof deployWorkloads !== 'boolean') issue('deployWorkloads', 'must be true or false');
  const operators = readOperators(values.operators, issue);
  const ingress = readIngress(values.ingress, environment, issue);
  if (issues.length > 0) throw failed(issues);
  return {
    mode: 'cloud',
    operators,
    deployWorkloads: deployWorkloads as boolean,
    environment: (ingress ?? environment) as CloudStackSettings['environment'],
    cluster,
    nodePools,
    instanceTypes,
    nodeOverhead,
    cdn,
  };
}
