/**
 * Prometheus Operator objects for a cluster with an exporter: a ServiceMonitor scraping every pod
 * through the headless Service, and a PrometheusRule with the alerts an operator of a replicated
 * database needs. Plain objects; the component registers them as CustomResources.
 */
import { ClusterConfig, MetricsConfig } from "../config";
import { clusterNames, objectMeta, selectorLabels } from "../names";
import { volumes } from "../paths";
import { headlessServiceLabel } from "./services";

export interface MonitoringObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: ReturnType<typeof objectMeta>;
    readonly spec: Record<string, unknown>;
}

function monitoringMeta(config: ClusterConfig, metrics: MetricsConfig) {
    const metadata = objectMeta(clusterNames(config.name).statefulSet, config);
    return { ...metadata, labels: { ...Object.fromEntries(metrics.monitorLabels), ...metadata.labels } };
}

export function buildServiceMonitor(config: ClusterConfig): MonitoringObject | undefined {
    const metrics = config.metrics;
    if (!metrics?.serviceMonitor) {
        return undefined;
    }
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: monitoringMeta(config, metrics),
        spec: {
            selector: { matchLabels: { ...selectorLabels(config.name), ...headlessServiceLabel } },
            namespaceSelector: { matchNames: [config.namespace] },
            endpoints: [{ port: "metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }],
        },
    };
}

/** PromQL label matchers selecting this cluster's pods and data claims. */
function matchers(config: ClusterConfig) {
    const pods = `namespace="${config.namespace}", pod=~"${clusterNames(config.name).statefulSet}-[0-9]+"`;
    const claims = `namespace="${config.namespace}", persistentvolumeclaim=~"${volumes.data}-${clusterNames(config.name).statefulSet}-[0-9]+"`;
    return { pods, claims };
}

export function buildPrometheusRule(config: ClusterConfig): MonitoringObject | undefined {
    const metrics = config.metrics;
    if (!metrics?.prometheusRule) {
        return undefined;
    }
    const { pods, claims } = matchers(config);
    const replica = config.flavor.replicaMetrics;
    const where = `${config.namespace}/{{ $labels.pod }}`;
    const rule = (alert: string, expr: string, forDuration: string, severity: string, summary: string, description: string) =>
        ({ alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } });
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: monitoringMeta(config, metrics),
        spec: {
            groups: [{
                name: `mysql-cluster.${config.namespace}.${config.name}`,
                rules: [
                    rule("MySqlClusterServerDown", `mysql_up{${pods}} == 0`, "2m", "critical",
                        `${where}: the server does not answer the exporter`,
                        "mysql_up is 0: the server is down, starting or refusing the exporter's account. See the pod's mysql and member logs."),
                    rule("MySqlClusterReplicationStopped",
                        `${replica.ioRunning}{${pods}} == 0 or ${replica.sqlRunning}{${pods}} == 0`, "2m", "critical",
                        `${where}: replication is stopped`,
                        "A replication thread is not running; the replica has left the read Service. Its member log says why (an errant transaction, another cluster's data, an apply error)."),
                    rule("MySqlClusterReplicaLagging", `${replica.lagSeconds}{${pods}} > ${metrics.lagAlertSeconds}`, "5m", "warning",
                        `${where}: the replica is {{ $value }} s behind its source`,
                        `Replica lag above ${metrics.lagAlertSeconds} s for 5 minutes (a replica beyond maxReplicaLagSeconds = ${config.maxReplicaLagSeconds} s leaves the read Service).`),
                    rule("MySqlClusterPodNotReady", `kube_pod_status_ready{${pods}, condition="true"} == 0`, "10m", "warning",
                        `${where}: not ready for 10 minutes`,
                        "The pod is not ready (kube-state-metrics): a replica copying a peer, lagging or stopped, or pod 0 waiting for its peers. Its member log says which."),
                    rule("MySqlClusterDiskNearlyFull",
                        `100 * kubelet_volume_stats_available_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} < ${metrics.diskFreeAlertPercent}`,
                        "5m", "warning",
                        `${config.namespace}/{{ $labels.persistentvolumeclaim }}: less than ${metrics.diskFreeAlertPercent}% free`,
                        "Raise storageSize and run pulumi up: the claims grow in place where the StorageClass allows expansion."),
                ],
            }],
        },
    };
}
