/** Kubernetes names and labels, all derived from the component's name. */

export interface ClusterNames {
    /** StatefulSet, headless Service and pod name prefix: pod N is `<name>-N.<name>`. */
    readonly statefulSet: string;
    readonly headlessService: string;
    /** ClusterIP Service over every ready pod. */
    readonly readService: string;
    /** ClusterIP Service selecting pod 0 only. */
    readonly primaryService: string;
    readonly configMap: string;
    /** ConfigMap with the replica count, mounted without rolling the pods when it changes. */
    readonly topologyConfigMap: string;
    readonly secret: string;
    readonly serviceAccount: string;
    readonly networkPolicy: string;
    /** Name of pod 0, the primary. */
    readonly primaryPod: string;
}

export function clusterNames(name: string, existingSecretName?: string): ClusterNames {
    return {
        statefulSet: name,
        headlessService: name,
        readService: `${name}-read`,
        primaryService: `${name}-primary`,
        configMap: `${name}-config`,
        topologyConfigMap: `${name}-topology`,
        secret: existingSecretName ?? `${name}-credentials`,
        serviceAccount: name,
        networkPolicy: name,
        primaryPod: `${name}-0`,
    };
}

/** Labels that select this cluster's pods; never change them on a live cluster. */
export function selectorLabels(name: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "mysql-cluster",
        "app.kubernetes.io/instance": name,
    };
}

/** The label keys the component owns. */
export const managedLabelKeys = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
];

/** Labels for every object: user labels first, the component's own on top. */
export function objectLabels(
    name: string,
    version: string,
    userLabels: ReadonlyArray<readonly [string, string]>,
): Record<string, string> {
    return {
        ...Object.fromEntries(userLabels),
        ...selectorLabels(name),
        "app.kubernetes.io/component": "database",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/version": version,
    };
}

/** Label every StatefulSet pod carries with its own name; selects pod 0 for the primary Service. */
export const podNameLabel = "statefulset.kubernetes.io/pod-name";

/** Secret keys, whether the Secret is created here or supplied by the user. */
export const secretKeys = {
    root: "root-password",
    replication: "replication-password",
    backup: "backup-password",
    user: "user-password",
} as const;

/** Metadata of every object the component creates: explicit name, namespace, labels. */
export function objectMeta(
    name: string,
    config: { readonly name: string; readonly namespace: string; readonly version: string;
        readonly labels: ReadonlyArray<readonly [string, string]> },
) {
    return { name, namespace: config.namespace, labels: objectLabels(config.name, config.version, config.labels) };
}
