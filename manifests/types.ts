/** A Kubernetes object as read from YAML: only apiVersion, kind and metadata are assumed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [field: string]: any;
}

/** An object and where it was read from, when it came from a file. */
export interface Sourced {
  readonly object: KubeObject;
  readonly source?: { readonly file: string; readonly line: number };
}
