/**
 * The one check for keys the stack config does not have, at every level: a misspelt key is never ignored. The readers
 * (./fields.ts) check types and values only, and skip what this reports.
 */
import { shapeProblems, strict, z } from '../../constructs/core/schema';
import { OPERATOR_CATALOGUE } from '../operator-catalogue';
import { Report } from './issues';
import { CONFIG_KEYS, CdnConfig, ClusterConfig, InstanceType, NodeOverhead, NodePoolsConfig, OperatorConfig } from './types';

const anything = z.unknown().optional();
/** Every key of T as an unchecked field: the readers check types and values with better messages. */
function keysOf<T>(keys: Record<keyof T, true>) {
  return strict(Object.fromEntries(Object.keys(keys).map((k) => [k, anything])));
}
const operator = keysOf<OperatorConfig>({ managed: true, chartVersion: true }).optional();

/** The keys of the config and of its objects. A key added to these interfaces is a type error here until listed. */
const CONFIG_SHAPE = strict({
  ...(Object.fromEntries(CONFIG_KEYS.map((k) => [k, anything])) as Record<(typeof CONFIG_KEYS)[number], typeof anything>),
  cluster: keysOf<ClusterConfig>({ publicAccessCidrs: true, adminRoleArns: true }).optional(),
  nodePools: strict({
    onDemand: keysOf<NodePoolsConfig['onDemand']>({ instanceTypes: true }).optional(),
    spot: keysOf<NonNullable<NodePoolsConfig['spot']>>({ instanceTypes: true }).optional(),
  }).optional(),
  instanceTypes: z
    .record(z.string(), keysOf<InstanceType>({ vcpu: true, memoryGiB: true, onDemandHourly: true, spotHourly: true, reservedHourly: true }))
    .optional(),
  nodeOverhead: keysOf<NodeOverhead>({ cpuMillis: true, memoryMiB: true }).optional(),
  // `apiOriginDomain` is retired: known here so that its reader explains what replaced it.
  cdn: keysOf<CdnConfig & { apiOriginDomain: unknown }>({
    aliases: true,
    certificateArn: true,
    priceClass: true,
    originShield: true,
    apiCaching: true,
    apiOriginDomain: true,
  }).optional(),
  operators: strict(Object.fromEntries(Object.keys(OPERATOR_CATALOGUE).map((name) => [name, operator]))).optional(),
  ingress: keysOf<{ certificateArn: string }>({ certificateArn: true }).optional(),
});

/** Reports every key of `values` that the config does not have, top-level or nested. */
export function checkKeys(values: Readonly<Record<string, unknown>>, issue: Report): void {
  // Only unknown keys here: a nested value of the wrong type is its reader's to report, with its own fix.
  for (const p of shapeProblems(CONFIG_SHAPE, values)) {
    if (p.fix.startsWith('is not a field')) issue(p.input, p.fix);
  }
}
