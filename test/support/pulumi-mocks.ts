import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { stackConfigFileValues } from '../../stacks/stack-config';

/** One resource the program registered: its type token, name and the inputs it was given. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: Record<string, any>;
  readonly id: string;
  readonly urn: string;
}

/** The perfstack values of a committed `Pulumi.<stack>.yaml`, keyed without the namespace. */
export function stackConfigValues(stack: string): Record<string, unknown> {
  return stackConfigFileValues(path.join(__dirname, '..', '..', `Pulumi.${stack}.yaml`));
}

/** Outputs AWS computes, so that what depends on them (bucket policies, kubeconfig, OIDC trust) resolves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function computed(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case 'aws:s3/bucket:Bucket':
      return { arn: `arn:aws:s3:::${inputs.bucket}`, bucketRegionalDomainName: `${inputs.bucket}.s3.eu-west-1.amazonaws.com` };
    case 'aws:eks/cluster:Cluster':
      return {
        arn: `arn:aws:eks:eu-west-1:000000000000:cluster/${inputs.name}`,
        endpoint: `https://${inputs.name}.gr7.eu-west-1.eks.amazonaws.com`,
        certificateAuthority: { data: 'LS0tLS1CRUdJTg==' },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.eu-west-1.amazonaws.com/id/${inputs.name.toUpperCase()}` }] }],
      };
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider':
      return { arn: `arn:aws:iam::000000000000:oidc-provider/${String(inputs.url).replace('https://', '')}` };
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { latestVersion: 1 };
    case 'aws:cloudfront/distribution:Distribution':
      return { arn: `arn:aws:cloudfront::000000000000:distribution/${name}`, domainName: `${name}.cloudfront.net` };
    case 'kubernetes:networking.k8s.io/v1:Ingress':
      // What the AWS Load Balancer Controller writes once the ALB exists.
      return { status: { loadBalancer: { ingress: [{ hostname: `k8s-${name}-0123456789.eu-west-1.elb.amazonaws.com` }] } } };
    case 'kubernetes:gateway.networking.k8s.io/v1:Gateway':
      // What the AWS Load Balancer Controller writes on the Gateway once the ALB exists.
      return { status: { addresses: [{ type: 'Hostname', value: `k8s-${name}-0123456789.eu-west-1.elb.amazonaws.com` }] } };
    default:
      return { arn: `arn:aws:mock:::${name}` };
  }
}

/** Installs Pulumi mocks for stack `stack` that append every registered resource to `recorded`. */
export async function installMocks(stack: string, recorded: Recorded[]): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        // A read (`Resource.get`) keeps the id it asked for.
        const id = args.id ? args.id : args.type === 'aws:s3/bucket:Bucket' ? String(args.inputs.bucket) : `${args.name}-id`;
        // A read returns the live object: a CRD read by name comes back with that name.
        const live = args.id && args.type.endsWith(':CustomResourceDefinition') ? { metadata: { name: args.id } } : {};
        const state = { ...args.inputs, ...computed(args.type, args.name, args.inputs), ...live };
        recorded.push({
          type: args.type,
          name: args.name,
          inputs: state,
          id,
          urn: `urn:pulumi:${stack}::perfstack::${args.type}::${args.name}`,
        });
        return { id, state };
      },
      call: (args) => args.inputs,
    },
    'perfstack',
    stack,
    false,
  );
}

/** Resolves once registration has gone quiet (resources register asynchronously, after their inputs resolve). */
export async function quiescent(recorded: readonly Recorded[]): Promise<void> {
  let seen = -1;
  while (seen !== recorded.length) {
    seen = recorded.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs `work` without stack traces. Pulumi's runtime takes `new Error().stack` for every promise it makes (to report
 * leaks), and under Jest each of those traces is rewritten through source maps: about 4 s of the unit run went
 * there. A failure inside still carries its message; the limit is restored before any assertion runs.
 */
export async function withoutStackTraces<T>(work: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await work();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Runs `build` under Pulumi mocks as stack `stack` and returns every resource it registered. */
export async function recordStack(stack: string, build: () => unknown): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  await installMocks(stack, recorded);
  await withoutStackTraces(async () => {
    build();
    await quiescent(recorded);
  });
  return recorded;
}
