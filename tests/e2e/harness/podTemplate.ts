/**
 * The pod as the component registered it: containers, their env (secretKeyRef and fieldRef
 * resolved the way the kubelet would), mounts and probes. Nothing here is a second copy of
 * the manifest: every field is read from the rendered StatefulSet, ConfigMap and Secret.
 */
import { RenderedCluster } from "../../helpers/render";

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

function probe(p: any): ProbeTemplate | undefined {
    return p && {
        command: p.exec.command,
        periodSeconds: p.periodSeconds ?? 10,
        failureThreshold: p.failureThreshold ?? 3,
        timeoutSeconds: p.timeoutSeconds ?? 1,
    };
}

function container(c: any): ContainerTemplate {
    if (c.args !== undefined) {
        throw new Error(`container ${c.name} has args; the harness runs command only`);
    }
    return {
        name: c.name, image: c.image, command: c.command, env: c.env ?? [], mounts: c.volumeMounts ?? [],
        readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem === true,
        preStop: c.lifecycle?.preStop?.exec?.command,
        readinessProbe: probe(c.readinessProbe), livenessProbe: probe(c.livenessProbe), startupProbe: probe(c.startupProbe),
    };
}

export function podTemplate(rendered: RenderedCluster): PodTemplate {
    const sts = rendered.statefulSet;
    const spec = sts.spec.template.spec;
    const volumes: Record<string, "configMap" | "emptyDir" | "claim" | "secret"> = {};
    const secretVolumes: Record<string, { secretName: string; defaultMode: number }> = {};
    const configMapVolumes: Record<string, { name: string; defaultMode: number }> = {};
    const configMaps = Object.fromEntries([rendered.configMap, rendered.topologyConfigMap].map((cm) => [cm.metadata.name, cm.data]));
    for (const v of spec.volumes) {
        if (v.configMap) {
            if (!(v.configMap.name in configMaps)) {
                throw new Error(`volume ${v.name} mounts an unknown ConfigMap ${v.configMap.name}`);
            }
            volumes[v.name] = "configMap";
            configMapVolumes[v.name] = { name: v.configMap.name, defaultMode: v.configMap.defaultMode ?? 0o644 };
        } else if (v.emptyDir) {
            volumes[v.name] = "emptyDir";
        } else if (v.secret) {
            volumes[v.name] = "secret";
            secretVolumes[v.name] = { secretName: v.secret.secretName, defaultMode: v.secret.defaultMode ?? 0o644 };
        } else {
            throw new Error(`volume ${v.name} has a kind the harness does not emulate`);
        }
    }
    for (const claim of sts.spec.volumeClaimTemplates) {
        volumes[claim.metadata.name] = "claim";
    }
    return {
        statefulSetName: sts.metadata.name,
        serviceName: sts.spec.serviceName,
        namespace: sts.metadata.namespace,
        replicas: sts.spec.replicas,
        initContainers: spec.initContainers.map(container),
        containers: spec.containers.map(container),
        volumes,
        secretVolumes,
        configMapVolumes,
        configMaps,
        configMapData: rendered.configMap.data,
        secretData: rendered.secret.stringData,
        runAsUser: spec.securityContext.runAsUser,
    };
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
