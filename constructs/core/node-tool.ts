import { createHash } from 'crypto';
import * as path from 'path';
import { buildSync, version as esbuildVersion } from 'esbuild';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { projectRoot } from '../../loadtests/bundle';
import { Problems } from './errors';

/**
 * perfstack's own Node.js programs (the remediation runner, the weekly report) run in the cluster without an image
 * of their own: at synth, esbuild bundles the program's entry and everything it imports from the project and from
 * node_modules into one JavaScript file; a ConfigMap carries the file; the official Node.js image (stacks/images.ts,
 * mirrored by the air-gap bundle like every other third-party image) runs it. Nothing is built or pushed, and the
 * code that runs is the code of the synthesized commit. See docs/operations.md (Delivery).
 */

/**
 * What a ConfigMap may hold: the API server refuses a ConfigMap whose data is over 1 MiB.
 * @see https://kubernetes.io/docs/concepts/configuration/configmap/#motivation
 */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

/**
 * The largest bundle the platform ships: client-side `kubectl apply` copies the whole object into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and all annotations together may hold 256 KiB.
 * Below this, a site may apply the manifests either way (install.sh uses server-side apply).
 */
export const CLIENT_APPLY_MAX_BYTES = 256 * 1024;

/** The Node.js major the bundles are compiled for: the oldest the project supports (package.json engines). */
export const NODE_TARGET = 'node20';

export interface NodeBundle {
  /** Entry, relative to the project root, e.g. `remediation/main.ts`. */
  readonly entry: string;
  /** The bundled program. */
  readonly code: string;
  readonly sha256: string;
  readonly bytes: number;
}

const bundles = new Map<string, NodeBundle>();

/**
 * Bundles `entry` (relative to the project root) into one CommonJS file for Node.js, minified, with a first line
 * naming its source and esbuild's version. Deterministic for the same sources, so each entry is bundled once per
 * process however many environments use it.
 */
export function bundleNodeTool(entry: string): NodeBundle {
  const cached = bundles.get(entry);
  if (cached) return cached;
  const result = buildSync({
    entryPoints: [path.join(projectRoot(), entry)],
    absWorkingDir: projectRoot(),
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: NODE_TARGET,
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    banner: { js: `// perfstack ${entry}, bundled by esbuild ${esbuildVersion} for ${NODE_TARGET}+ (constructs/core/node-tool.ts)` },
  });
  const code = result.outputFiles[0].text;
  const bundle = { entry, code, sha256: createHash('sha256').update(code).digest('hex'), bytes: Buffer.byteLength(code) };
  bundles.set(entry, bundle);
  return bundle;
}

export interface NodeToolProps {
  /** Name of the ConfigMap (a DNS subdomain), e.g. `remediation-runner-program`. */
  readonly name: string;
  readonly namespace: string;
  /** Entry, relative to the project root, e.g. `remediation/main.ts`. */
  readonly entry: string;
  /** The Node.js image, e.g. `<registry>/library/node:24.20.0-trixie-slim`. */
  readonly image: string;
  /**
   * Largest bundle accepted, in bytes; above it synth fails naming the entry and its size.
   * @default CLIENT_APPLY_MAX_BYTES
   */
  readonly maxBytes?: number;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Where the program is mounted in the container. */
export const NODE_TOOL_DIR = '/opt/perfstack';
const FILE = 'main.js';
const VOLUME = 'program';

/**
 * A bundled Node.js program in a ConfigMap, and the pieces a pod needs to run it: {@link container} (the Node.js
 * image, `node /opt/perfstack/main.js <args>`, the program mounted read-only), {@link volume}, and
 * {@link podAnnotations}, whose checksum rolls the pods when the program changes.
 */
export class NodeTool extends Construct {
  public readonly bundle: NodeBundle;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly image: string;

  constructor(scope: Construct, id: string, props: NodeToolProps) {
    super(scope, id);
    this.bundle = bundleNodeTool(props.entry);
    const max = props.maxBytes ?? CLIENT_APPLY_MAX_BYTES;
    Problems.of(this)
      .check(
        max <= CONFIGMAP_MAX_BYTES,
        'maxBytes',
        max,
        `must be at most ${CONFIGMAP_MAX_BYTES} (1 MiB): the API server refuses a larger ConfigMap`,
      )
      .check(
        this.bundle.bytes <= max,
        'entry',
        `${props.entry} (${this.bundle.bytes} bytes bundled)`,
        `must bundle to at most ${max} bytes to fit its ConfigMap; import less (a module that pulls in cdk8s or the stacks) or split the program`,
      )
      .throwIfAny();
    this.image = props.image;
    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...(props.labels ?? {}) } },
      data: { [FILE]: this.bundle.code },
    });
  }

  /** The container that runs the program with `args`; the caller adds env, ports, probes, resources, mounts. */
  public container(name: string, args: readonly string[]): Pick<k8s.Container, 'name' | 'image' | 'command' | 'args'> {
    return { name, image: this.image, command: ['node', `${NODE_TOOL_DIR}/${FILE}`], args: [...args] };
  }

  public get volumeMount(): k8s.VolumeMount {
    return { name: VOLUME, mountPath: NODE_TOOL_DIR, readOnly: true };
  }

  public get volume(): k8s.Volume {
    return { name: VOLUME, configMap: { name: this.configMap.name, items: [{ key: FILE, path: FILE }] } };
  }

  /** Changes with the program, so a Deployment rolls (a ConfigMap change alone does not restart pods). */
  public get podAnnotations(): Record<string, string> {
    return { 'perfstack.io/program-sha256': this.bundle.sha256 };
  }
}
