import { ADDONS, ClusterAddons, clusterAutoscalerPolicy } from '../../infra/cluster-addons';
import { Cluster } from '../../infra/cluster';
import { Recorded, recordStack } from '../support/pulumi-mocks';

const TAGS = { environment: 'test', team: 'platform' };

interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string;
  readonly Condition?: Record<string, Record<string, string>>;
}

describe('clusterAutoscalerPolicy', () => {
  const statements: Statement[] = JSON.parse(clusterAutoscalerPolicy('perfstack-prod')).Statement;
  const mutating = (a: string) => !/^[a-z0-9]+:(Describe|Get)/.test(a);

  it('lets the autoscaler resize and shrink only Auto Scaling groups tagged as owned by this cluster', () => {
    const resize = statements.filter((s) => s.Action.some(mutating));
    expect(resize).toHaveLength(1);
    expect(resize[0].Action.sort()).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(resize[0].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/perfstack-prod': 'owned' } });
  });

  it('grants only read actions without a condition, including what scaling a group from zero needs', () => {
    const open = statements.filter((s) => !s.Condition).flatMap((s) => s.Action);
    expect(open.filter(mutating)).toEqual([]);
    expect(open).toEqual(
      expect.arrayContaining(['ec2:DescribeInstanceTypes', 'eks:DescribeNodegroup', 'ec2:DescribeLaunchTemplateVersions']),
    );
  });

  it('never grants a wildcard action, and only allows', () => {
    expect(statements.flatMap((s) => s.Action).some((a) => a.includes('*'))).toBe(false);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('names the cluster it is given in the tag condition', () => {
    expect(clusterAutoscalerPolicy('perfstack-dev')).toContain('k8s.io/cluster-autoscaler/perfstack-dev');
    expect(clusterAutoscalerPolicy('perfstack-dev')).not.toContain('perfstack-prod');
  });
});

describe('ClusterAddons', () => {
  let recorded: Recorded[];
  let addons: ClusterAddons;
  beforeAll(async () => {
    recorded = await recordStack('test', () => {
      const cluster = new Cluster('test', {
        clusterName: 'perfstack-test',
        version: '1.35',
        region: 'eu-west-1',
        subnetIds: ['subnet-a', 'subnet-b'],
      });
      addons = new ClusterAddons('test', { cluster, tags: TAGS });
    });
  });
  const named = (type: string, name: string) => {
    const found = recorded.filter((r) => r.type === type && r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const trustedServiceAccount = (role: Recorded) =>
    Object.values(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals).find((v) =>
      String(v).startsWith('system:'),
    );

  it('installs each add-on on the cluster, at the default version EKS picks for its Kubernetes version', () => {
    for (const addon of ADDONS) {
      const r = named('aws:eks/addon:Addon', `test-${addon}`);
      expect(r.inputs).toMatchObject({ clusterName: 'perfstack-test', addonName: addon, tags: TAGS });
      expect(r.inputs.addonVersion).toBeUndefined();
    }
    expect(Object.keys(addons.addons).sort()).toEqual([...ADDONS].sort());
  });

  it('takes over fields on create but keeps changes made in the cluster on update', () => {
    for (const addon of ADDONS)
      expect(named('aws:eks/addon:Addon', `test-${addon}`).inputs).toMatchObject({
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'PRESERVE',
      });
  });

  it('gives only the EBS CSI driver a role, assumed by its controller service account, with the EBS CSI policy', () => {
    const csiRole = named('aws:iam/role:Role', 'test-ebs-csi');
    expect(named('aws:eks/addon:Addon', 'test-aws-ebs-csi-driver').inputs.serviceAccountRoleArn).toBe(csiRole.inputs.arn);
    for (const addon of ADDONS.filter((a) => a !== 'aws-ebs-csi-driver'))
      expect(named('aws:eks/addon:Addon', `test-${addon}`).inputs.serviceAccountRoleArn).toBeUndefined();
    expect(trustedServiceAccount(csiRole)).toBe('system:serviceaccount:kube-system:ebs-csi-controller-sa');
    expect(named('aws:iam/rolePolicyAttachment:RolePolicyAttachment', 'test-ebs-csi-0').inputs.policyArn).toBe(
      'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    );
  });

  it('makes the cluster autoscaler a role for kube-system/cluster-autoscaler, with the policy for this cluster', () => {
    const role = named('aws:iam/role:Role', 'test-cluster-autoscaler');
    expect(trustedServiceAccount(role)).toBe('system:serviceaccount:kube-system:cluster-autoscaler');
    expect(role.inputs.tags).toEqual(TAGS);
    const policy = named('aws:iam/rolePolicy:RolePolicy', 'test-cluster-autoscaler');
    expect(policy.inputs.policy).toBe(clusterAutoscalerPolicy('perfstack-test'));
  });
});
