import { StackValidationPolicy } from '@pulumi/policy';
import { cloudfrontViolations, s3OriginViolations, spotNodeGroupViolations } from './aws';
import { KubernetesPackConfig, kubeObjectOf, kubernetesViolations, packContext } from './kubernetes';

/** The pack's policies: the `policy` CLI's Kubernetes rules, and the AWS rules for the infrastructure. */
export const POLICIES: StackValidationPolicy[] = [
  {
    name: 'perfstack-kubernetes',
    description: 'The perfstack Kubernetes rules (the same as `npm run policy`), on the objects about to be deployed.',
    enforcementLevel: 'mandatory',
    // Unset keys come from the stack's Namespace annotations (see packContext).
    configSchema: { properties: { zones: { type: 'integer' }, production: { type: 'boolean' }, registry: { type: 'string' } } },
    validateStack: (args, report) => {
      const context = packContext(
        args.resources.map((r) => kubeObjectOf(r.type, r.props)),
        args.getConfig<KubernetesPackConfig>(),
      );
      for (const v of kubernetesViolations(args.resources, context)) report(v.message, v.urn || undefined);
    },
  },
  {
    name: 'perfstack-spot-node-groups',
    description: 'Spot node groups use at least 3 instance types and subnets in every zone.',
    enforcementLevel: 'mandatory',
    validateStack: (args, report) => spotNodeGroupViolations(args.resources).forEach((v) => report(v.message, v.urn)),
  },
  {
    name: 'perfstack-cloudfront-https',
    description: 'CloudFront distributions serve HTTPS only with TLS 1.2 or newer.',
    enforcementLevel: 'mandatory',
    validateStack: (args, report) => cloudfrontViolations(args.resources).forEach((v) => report(v.message, v.urn)),
  },
  {
    name: 'perfstack-private-s3-origins',
    description: 'S3 origins are private, behind Origin Access Control.',
    enforcementLevel: 'mandatory',
    validateStack: (args, report) => s3OriginViolations(args.resources).forEach((v) => report(v.message, v.urn)),
  },
];
