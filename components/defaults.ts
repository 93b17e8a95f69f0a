/** Every default of the args, in one place; applied once, with `??`, by the validation. */
import { Engine } from "./flavors";

export const defaults = {
    replicas: 3,
    namespace: "default",
    engine: "mysql" as Engine,
    storageSize: "10Gi",
    tmpSize: "2Gi",
    resources: { cpu: "500m", memory: "1Gi" },
    sidecarResources: { cpu: "100m", memory: "256Mi" },
    port: 3306,
    backupPort: 3307,
    maxReplicaLagSeconds: 30,
    startupTimeoutSeconds: 3600,
    primaryPeerWaitSeconds: 30,
    awaitTimeoutMinutes: 60,
    metrics: {
        image: "prom/mysqld-exporter:v0.16.0",
        port: 9104,
        resources: { cpu: "50m", memory: "64Mi" },
        diskFreeAlertPercent: 10,
    },
};
