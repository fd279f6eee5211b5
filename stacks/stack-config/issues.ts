/** How a stack config problem is reported: Pulumi's input errors, each naming the key, the value and the fix. */
import * as pulumi from '@pulumi/pulumi';
import { formatValue } from '../../constructs/core/errors';

export type Issue = pulumi.InputPropertyErrorDetails;

/** Reports one problem of the config: the dotted key (without the namespace) and the reason. */
export type Report = (key: string, reason: string) => void;

/** `'perfstack:cdn.priceClass' ("PriceClass_1") must be one of ...` for each problem of an input error. */
export function inputErrorLines(e: unknown): string[] | undefined {
  if (pulumi.InputPropertiesError.isInstance(e)) return e.errors.map((i) => `'${i.propertyPath}' ${i.reason}`);
  if (pulumi.InputPropertyError.isInstance(e)) return [`'${e.propertyPath}' ${e.reason}`];
  return undefined;
}

/** The value at a dotted config key; keys may hold dots themselves (`instanceTypes.m6i.xlarge.vcpu`). */
export function lookup(values: unknown, key: string): unknown {
  if (key === '') return values;
  if (values === null || typeof values !== 'object') return undefined;
  const record = values as Record<string, unknown>;
  if (key in record) return record[key];
  const parts = key.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const head = parts.slice(0, i).join('.');
    if (head in record) return lookup(record[head], parts.slice(i).join('.'));
  }
  return undefined;
}

export function withValue(value: unknown, reason: string): string {
  return value === undefined || reason.startsWith('(') ? reason : `(${formatValue(value)}) ${reason}`;
}

export function failed(issues: Issue[]): Error {
  if (issues.length === 1) return new pulumi.InputPropertyError(issues[0]);
  return new pulumi.InputPropertiesError({ message: `${issues.length} problems in the stack's perfstack config`, errors: issues });
}
