import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig } from "../config";
import { clusterNames, objectMeta } from "../names";
import { podScripts } from "../scripts";
import { exporterConfig, exporterConfigKey } from "./containers";
import { baseServerConfig, extraServerConfig, primaryServerConfig, replicaServerConfig } from "./serverConfig";

type ConfigMap = k8s.types.input.core.v1.ConfigMap;

/** The ConfigMap's data: option-file fragments and scripts, keys sorted. No secrets. */
export function configMapData(config: ClusterConfig): Record<string, string> {
    const data: Record<string, string> = {
        "base.cnf": baseServerConfig(config),
        "extra.cnf": extraServerConfig(config),
        "primary.cnf": primaryServerConfig(config),
        "replica.cnf": replicaServerConfig(config),
        ...podScripts,
        ...(config.metrics ? { [exporterConfigKey]: exporterConfig() } : {}),
    };
    return Object.fromEntries(Object.keys(data).sort().map((key) => [key, data[key]]));
}

/** Hash of the data, put on the pod template so any change rolls the pods. */
export function configChecksum(data: Record<string, string>): string {
    const canonical = JSON.stringify(Object.keys(data).sort().map((key) => [key, data[key]]));
    return crypto.createHash("sha256").update(canonical).digest("hex");
}

/**
 * The replica count the pods read to know which peers to ask (an empty pod 0 waits for every one).
 * Not part of the checksum and mounted as a volume: scaling updates it without rolling the pods.
 */
export function buildTopologyConfigMap(config: ClusterConfig): ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: objectMeta(clusterNames(config.name).topologyConfigMap, config),
        data: { replicas: String(config.replicas) },
    };
}

/**
 * The scripts' and option files' ConfigMap is named after its content and immutable: a change makes
 * a new one (Pulumi creates it, rolls the StatefulSet onto it, and deletes the old one only after
 * the rollout), so a running pod always keeps the files of its own revision.
 */
export function revisionedConfigMapName(config: ClusterConfig, checksum: string): string {
    return `${clusterNames(config.name).configMap}-${checksum.slice(0, 10)}`;
}

export function buildConfigMap(config: ClusterConfig): ConfigMap {
    const data = configMapData(config);
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: objectMeta(revisionedConfigMapName(config, configChecksum(data)), config),
        immutable: true,
        data,
    };
}
