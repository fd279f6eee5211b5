/**
 * CrossGuard pack: `pulumi preview --policy-pack policies/crossguard` applies the same Kubernetes rules as the
 * `policy` CLI, plus the AWS rules, before anything is deployed.
 */
import { PolicyPack } from '@pulumi/policy';
import { POLICIES } from './policies';

new PolicyPack('perfstack', { policies: POLICIES });
