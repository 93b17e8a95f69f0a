/**
 * What the emulated kubelet (pod.ts) runs for one pod: containers, their env, mounts and probes.
 * The node agent builds it from the API's Pod object (local-cluster/node-agent/podSpec.ts).
 */

export interface ContainerTemplate {
    readonly name: string;
    readonly image: string;
    readonly command: readonly string[];
    readonly env: ReadonlyArray<{ name: string; value?: string; valueFrom?: any }>;
    readonly mounts: ReadonlyArray<{ name: string; mountPath: string; readOnly?: boolean }>;
    readonly readOnlyRootFilesystem: boolean;
    /** lifecycle.preStop exec command, run before SIGTERM when the pod is deleted. */
    readonly preStop?: readonly string[];
    readonly readinessProbe?: ProbeTemplate;
    readonly livenessProbe?: ProbeTemplate;
    readonly startupProbe?: ProbeTemplate;
}

export interface ProbeTemplate {
    readonly command: readonly string[];
    readonly periodSeconds: number;
    readonly failureThreshold: number;
    readonly timeoutSeconds: number;
}

export interface PodTemplate {
    readonly statefulSetName: string;
    readonly serviceName: string;
    readonly namespace: string;
    readonly replicas: number;
    readonly initContainers: readonly ContainerTemplate[];
    readonly containers: readonly ContainerTemplate[];
    /** Volume name -> kind: a ConfigMap's files, an emptyDir, or the claim template. */
    readonly volumes: Readonly<Record<string, "configMap" | "emptyDir" | "claim" | "secret">>;
    /** Secret volumes: which Secret, and the file mode the kubelet gives its keys. */
    readonly secretVolumes: Readonly<Record<string, { secretName: string; defaultMode: number }>>;
    /** ConfigMap volumes: which ConfigMap, and the file mode of its keys. */
    readonly configMapVolumes: Readonly<Record<string, { name: string; defaultMode: number }>>;
    /** The component's ConfigMaps by name: key -> file content. */
    readonly configMaps: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** The main ConfigMap's data (option-file fragments and scripts). */
    readonly configMapData: Readonly<Record<string, string>>;
    readonly secretData: Readonly<Record<string, string>>;
    readonly runAsUser: number;
}

/** A container's environment for pod `podName`, as the kubelet resolves it. */
export function resolveEnv(template: PodTemplate, c: ContainerTemplate, podName: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of c.env) {
        if (e.value !== undefined) {
            env[e.name] = e.value;
        } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") {
            env[e.name] = podName;
        } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") {
            env[e.name] = template.namespace;
        } else if (e.valueFrom?.secretKeyRef) {
            const value = template.secretData[e.valueFrom.secretKeyRef.key];
            if (value === undefined) {
                throw new Error(`${c.name}: env ${e.name} references missing key ${e.valueFrom.secretKeyRef.key}`);
            }
            env[e.name] = value;
        } else {
            throw new Error(`${c.name}: env ${e.name} has a source the harness does not emulate`);
        }
    }
    return env;
}
