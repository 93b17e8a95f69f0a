/** Objects that protect the cluster: disruption budget, service account, network policy. */
import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig } from "../config";
import { clusterNames, objectMeta, selectorLabels } from "../names";

type PodDisruptionBudget = k8s.types.input.policy.v1.PodDisruptionBudget;
type ServiceAccount = k8s.types.input.core.v1.ServiceAccount;
type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type NetworkPolicyIngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

/** At most one pod down by voluntary disruption (drains, upgrades). */
export function buildPodDisruptionBudget(config: ClusterConfig): PodDisruptionBudget {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: objectMeta(clusterNames(config.name).statefulSet, config),
        spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(config.name) } },
    };
}

/** The pods' own identity, with no API token mounted: they never call the Kubernetes API. */
export function buildServiceAccount(config: ClusterConfig): ServiceAccount {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: objectMeta(clusterNames(config.name).serviceAccount, config),
        automountServiceAccountToken: false,
    };
}

/**
 * Ingress to the pods: the backup port from the cluster's own pods only; the client port
 * from the cluster's own pods (replication, clone) plus `allowedClients`, or from anywhere; the
 * metrics port (when the exporter runs) from anywhere.
 */
export function buildNetworkPolicy(config: ClusterConfig): NetworkPolicy {
    const ownPods: NetworkPolicyPeer = { podSelector: { matchLabels: selectorLabels(config.name) } };
    const clients: NetworkPolicyPeer[] | undefined = config.allowedClients?.map((client) => ({
        ...(client.namespaceLabels ? { namespaceSelector: { matchLabels: { ...client.namespaceLabels } } } : {}),
        ...(client.podLabels ? { podSelector: { matchLabels: { ...client.podLabels } } } : {}),
    }));
    const ingress: NetworkPolicyIngressRule[] = [
        clients === undefined
            ? { ports: [{ protocol: "TCP", port: config.port }] }
            : { ports: [{ protocol: "TCP", port: config.port }], from: [ownPods, ...clients] },
    ];
    if (config.flavor.bootstrap === "stream") {
        ingress.push({ ports: [{ protocol: "TCP", port: config.backupPort }], from: [ownPods] });
    }
    if (config.metrics) {
        // Prometheus runs in a namespace of its own: the metrics port admits any pod
        ingress.push({ ports: [{ protocol: "TCP", port: config.metrics.port }] });
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: objectMeta(clusterNames(config.name).networkPolicy, config),
        spec: { podSelector: { matchLabels: selectorLabels(config.name) }, policyTypes: ["Ingress"], ingress },
    };
}
