/**
 * A container's environment as the kubelet builds it: envFrom, then env in order with
 * $(VAR) references expanded, values from the downward API (fieldRef), Secrets and
 * ConfigMaps (read from the API). Service link variables are not added.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPod } from "kubernetes-models/v1/Pod";

/** Data of a Secret (decoded) or ConfigMap (data and binaryData), or undefined when the object does not exist. */
export interface ObjectData {
    secret(namespace: string, name: string): Record<string, Buffer> | undefined;
    configMap(namespace: string, name: string): Record<string, Buffer> | undefined;
}

/** A configuration error the kubelet reports as CreateContainerConfigError. */
export class ConfigError extends Error {}

/** `$(NAME)` -> value when NAME is defined, `$$` -> `$`, anything else left as written. */
export function expand(text: string, env: Readonly<Record<string, string>>): string {
    return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name?: string) =>
        name === undefined ? "$" : (env[name] ?? whole));
}

/** The value of a downward-API field path for this pod. */
export function fieldValue(pod: IPod, fieldPath: string, podIP: string, hostIP: string): string {
    const meta = pod.metadata ?? {};
    const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
    if (keyed) {
        return (meta[keyed[1] as "labels" | "annotations"] ?? {})[keyed[2]] ?? "";
    }
    const values: Record<string, string | undefined> = {
        "metadata.name": meta.name, "metadata.namespace": meta.namespace, "metadata.uid": meta.uid,
        "spec.nodeName": pod.spec?.nodeName, "spec.serviceAccountName": pod.spec?.serviceAccountName,
        "status.podIP": podIP, "status.podIPs": podIP, "status.hostIP": hostIP, "status.hostIPs": hostIP,
        "metadata.labels": Object.entries(meta.labels ?? {}).map(([k, v]) => `${k}="${v}"`).join("\n"),
        "metadata.annotations": Object.entries(meta.annotations ?? {}).map(([k, v]) => `${k}="${v}"`).join("\n"),
    };
    if (!(fieldPath in values)) {
        throw new ConfigError(`unsupported fieldRef ${fieldPath}`);
    }
    return values[fieldPath] ?? "";
}

export function resolveContainerEnv(pod: IPod, c: IContainer, data: ObjectData, podIP: string, hostIP: string): Record<string, string> {
    const namespace = pod.metadata?.namespace ?? "default";
    const env: Record<string, string> = {};
    const source = (kind: "secret" | "configMap", name: string, optional: boolean | undefined) => {
        const found = data[kind](namespace, name);
        if (!found && !optional) {
            throw new ConfigError(`${kind} "${name}" not found`);
        }
        return found;
    };
    for (const from of c.envFrom ?? []) {
        const found = from.secretRef
            ? source("secret", from.secretRef.name ?? "", from.secretRef.optional)
            : from.configMapRef ? source("configMap", from.configMapRef.name ?? "", from.configMapRef.optional) : undefined;
        for (const [key, value] of Object.entries(found ?? {})) {
            env[`${from.prefix ?? ""}${key}`] = value.toString("utf8");
        }
    }
    for (const e of c.env ?? []) {
        const from = e.valueFrom;
        if (!from) {
            env[e.name] = expand(e.value ?? "", env);
        } else if (from.fieldRef) {
            env[e.name] = fieldValue(pod, from.fieldRef.fieldPath, podIP, hostIP);
        } else if (from.secretKeyRef || from.configMapKeyRef) {
            const kind = from.secretKeyRef ? "secret" : "configMap";
            const ref = (from.secretKeyRef ?? from.configMapKeyRef)!;
            const value = source(kind, ref.name ?? "", ref.optional)?.[ref.key];
            if (value === undefined && !ref.optional) {
                throw new ConfigError(`couldn't find key ${ref.key} in ${kind === "secret" ? "Secret" : "ConfigMap"} ${namespace}/${ref.name}`);
            }
            if (value !== undefined) {
                env[e.name] = value.toString("utf8");
            }
        } else {
            throw new ConfigError(`env ${e.name}: only value, fieldRef, secretKeyRef and configMapKeyRef are supported`);
        }
    }
    return env;
}
