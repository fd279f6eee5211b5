/** Reading the stack config inside a Pulumi program. */
import * as pulumi from '@pulumi/pulumi';
import { readStackSettings } from './read';
import { CONFIG_NAMESPACE, StackSettings } from './types';

/** Reads the stack's settings from Pulumi config (the program's entry). */
export function stackSettingsFromConfig(): StackSettings {
  // Every key of the namespace, so a misspelt one is reported rather than silently ignored.
  const values: Record<string, unknown> = {};
  for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    try {
      values[key] = JSON.parse(raw);
    } catch {
      values[key] = raw;
    }
  }
  return readStackSettings(values, pulumi.getStack());
}
