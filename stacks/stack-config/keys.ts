/** The one check for keys the stack config does not have, at every level: a misspelt key is never ignored. */
import { shapeProblems, strict, z } from '../../constructs/core/schema';
import { Report } from './issues';
import { CONFIG_KEYS, InstanceType, NodeOverhead, NodePoolsConfig } from './types';

const anything = z.unknown();
/** Every key of T as an unchecked field: the readers check types and values with better messages. */
function keysOf<T>(keys: Record<keyof T, true>) {
  return strict(Object.fromEntries(Object.keys(keys).map((k) => [k, anything.optional()])));
}
/** The nested objects of the config, for unknown keys only. A key added to these interfaces is a type error here. */
const NESTED_KEYS = z.looseObject({
  nodePools: strict({
    onDemand: keysOf<NodePoolsConfig['onDemand']>({ instanceTypes: true }).optional(),
    spot: keysOf<NonNullable<NodePoolsConfig['spot']>>({ instanceTypes: true }).optional(),
  }).optional(),
  instanceTypes: z
    .record(z.string(), keysOf<InstanceType>({ vcpu: true, memoryGiB: true, onDemandHourly: true, spotHourly: true, reservedHourly: true }))
    .optional(),
  nodeOverhead: keysOf<NodeOverhead>({ cpuMillis: true, memoryMiB: true }).optional(),
});

/** Reports every key of `values` that the config does not have, top-level or nested. */
export function checkKeys(values: Readonly<Record<string, unknown>>, issue: Report): void {
  for (const key of Object.keys(values)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) issue(key, `is not a perfstack setting; known keys: ${CONFIG_KEYS.join(', ')}`);
  }
  // Misspelt keys inside the settings (`nodePools.spots`), which the readers would otherwise silently ignore.
  for (const p of shapeProblems(NESTED_KEYS, values)) {
    if (p.fix.startsWith('is not a field')) issue(p.input, p.fix);
  }
}
