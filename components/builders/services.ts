import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig } from "../config";
import { clusterNames, objectMeta, podNameLabel, selectorLabels } from "../names";

type Service = k8s.types.input.core.v1.Service;

function service(config: ClusterConfig, name: string, spec: Service["spec"], extraLabels: Record<string, string> = {},
    annotations: ReadonlyArray<readonly [string, string]> = []): Service {
    const metadata = objectMeta(name, config);
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { ...metadata, labels: { ...metadata.labels, ...extraLabels }, ...(annotations.length > 0 ? { annotations: Object.fromEntries(annotations) } : {}) },
        spec,
    };
}

const mysqlPort = (config: ClusterConfig) => ({ name: "mysql", port: config.port, targetPort: "mysql" });

/** Headless: gives pod N the stable name `<name>-N.<name>`, ready or not (peers need it to bootstrap). */
export function buildHeadlessService(config: ClusterConfig): Service {
    const ports = [mysqlPort(config)];
    if (config.flavor.bootstrap === "stream") {
        ports.push({ name: "backup", port: config.backupPort, targetPort: "backup" });
    }
    if (config.metrics) {
        // every pod's exporter, ready or not (a ServiceMonitor scrapes each endpoint)
        ports.push({ name: "metrics", port: config.metrics.port, targetPort: "metrics" });
    }
    return service(config, clusterNames(config.name).headlessService, {
        clusterIP: "None",
        publishNotReadyAddresses: true,
        selector: selectorLabels(config.name),
        ports,
    }, headlessServiceLabel);
}

/** Tells the headless Service from the other two (a ServiceMonitor selects it, so each pod is scraped once). */
export const headlessServiceLabel = { "mysql-cluster.pulumi.com/service": "headless" };

/** Reads: every ready pod (a replica that stops replicating or lags is not ready). */
export function buildReadService(config: ClusterConfig): Service {
    return service(config, clusterNames(config.name).readService, {
        type: config.readService.type,
        selector: selectorLabels(config.name),
        ports: [mysqlPort(config)],
    }, {}, config.readService.annotations);
}

/** Writes: pod 0 only. */
export function buildPrimaryService(config: ClusterConfig): Service {
    const names = clusterNames(config.name);
    return service(config, names.primaryService, {
        type: config.primaryService.type,
        selector: { ...selectorLabels(config.name), [podNameLabel]: names.primaryPod },
        ports: [mysqlPort(config)],
    }, {}, config.primaryService.annotations);
}
