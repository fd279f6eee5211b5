import { checkKeys } from '../../../stacks/stack-config/keys';
import { CONFIG_KEYS } from '../../../stacks/stack-config/types';

/** `key: reason` for every unknown key checkKeys reports. */
function unknownKeys(values: Record<string, unknown>): string[] {
  const out: string[] = [];
  checkKeys(values, (key, reason) => out.push(`${key}: ${reason}`));
  return out;
}

describe('checkKeys (the one unknown-key check)', () => {
  it('accepts every key the config has, at the top and nested', () => {
    const all = Object.fromEntries(CONFIG_KEYS.map((k) => [k, {}]));
    expect(
      unknownKeys({ ...all, nodePools: { onDemand: { instanceTypes: [] }, spot: {} }, nodeOverhead: { cpuMillis: 1, memoryMiB: 1 } }),
    ).toEqual([]);
  });

  it('names a misspelt top-level key with the known ones', () => {
    expect(unknownKeys({ nodePool: {} })).toEqual([
      `nodePool: is not a field; known: ${CONFIG_KEYS.join(', ')} (misspelt, or in the wrong place?)`,
    ]);
  });

  it('names a misspelt key of the cluster, CDN, operator and ingress settings, and an operator perfstack does not install', () => {
    const lines = unknownKeys({
      cluster: { version: '1.30' },
      cdn: { priceclass: 'PriceClass_100' },
      operators: { kedah: {}, keda: { manged: false } },
      ingress: { certificate: 'arn' },
    });
    expect(lines).toEqual([
      "cluster.version: is not a field of 'cluster'; known: publicAccessCidrs, adminRoleArns (misspelt, or in the wrong place?)",
      "cdn.priceclass: is not a field of 'cdn'; known: aliases, certificateArn, priceClass, originShield, apiCaching, apiOriginDomain (misspelt, or in the wrong place?)",
      expect.stringMatching(/^operators\.keda\.manged: is not a field of 'operators\.keda'; known: managed, chartVersion /),
      expect.stringMatching(/^operators\.kedah: is not a field of 'operators'; known: .*\bkeda\b/),
      "ingress.certificate: is not a field of 'ingress'; known: certificateArn (misspelt, or in the wrong place?)",
    ]);
  });

  it('names misspelt nested keys with the fields of their object', () => {
    const lines = unknownKeys({ nodePools: { spots: {} }, nodeOverhead: { cpuMilis: 400 }, instanceTypes: { 'm6i.xlarge': { vcpus: 4 } } });
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        "nodePools.spots: is not a field of 'nodePools'; known: onDemand, spot (misspelt, or in the wrong place?)",
        "nodeOverhead.cpuMilis: is not a field of 'nodeOverhead'; known: cpuMillis, memoryMiB (misspelt, or in the wrong place?)",
        "instanceTypes.m6i.xlarge.vcpus: is not a field of 'instanceTypes.m6i.xlarge'; known: vcpu, memoryGiB, onDemandHourly, spotHourly, reservedHourly (misspelt, or in the wrong place?)",
      ]),
    );
  });
});
