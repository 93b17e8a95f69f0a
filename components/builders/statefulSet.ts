import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig } from "../config";
import { clusterNames, objectLabels, objectMeta, secretKeys, selectorLabels } from "../names";
import { volumes } from "../paths";
import { dataClaimSpec } from "./claims";
import { revisionedConfigMapName } from "./configMap";
import { backupSidecarContainer, cloneMysqlContainer, initMysqlContainer, memberSidecarContainer, metricsSidecarContainer, mysqlContainer } from "./containers";

type StatefulSet = k8s.types.input.apps.v1.StatefulSet;

/** Pod-template annotation holding the ConfigMap checksum: a config or script change rolls the pods. */
export const configChecksumAnnotation = "mysql-cluster.pulumi.com/config-checksum";

const required = "requiredDuringSchedulingIgnoredDuringExecution";
const preferred = "preferredDuringSchedulingIgnoredDuringExecution";

/** The built-in anti-affinity term (soft by default), with the user's raw terms added after it, never instead. */
function affinity(config: ClusterConfig) {
    const term = { labelSelector: { matchLabels: selectorLabels(config.name) }, topologyKey: "kubernetes.io/hostname" };
    const user = config.affinity ?? {};
    const requiredTerms = [...(config.podAntiAffinity === "hard" ? [term] : []), ...(user.podAntiAffinity?.[required] ?? [])];
    const preferredTerms = [...(config.podAntiAffinity === "hard" ? [] : [{ weight: 100, podAffinityTerm: term }]),
        ...(user.podAntiAffinity?.[preferred] ?? [])];
    return {
        ...(user.nodeAffinity ? { nodeAffinity: user.nodeAffinity } : {}),
        ...(user.podAffinity ? { podAffinity: user.podAffinity } : {}),
        podAntiAffinity: {
            ...(requiredTerms.length > 0 ? { [required]: requiredTerms } : {}),
            ...(preferredTerms.length > 0 ? { [preferred]: preferredTerms } : {}),
        },
    };
}

/** Affinity, spread, node selection, priority and image pull secrets of the pods. */
function scheduling(config: ClusterConfig) {
    return {
        affinity: affinity(config),
        ...(config.nodeSelector.length > 0 ? { nodeSelector: Object.fromEntries(config.nodeSelector) } : {}),
        ...(config.tolerations.length > 0 ? { tolerations: config.tolerations.map((t) => ({ ...t })) } : {}),
        ...(config.topologySpreadConstraints.length > 0 ? {
            topologySpreadConstraints: config.topologySpreadConstraints.map((c) => ({
                ...c, labelSelector: { matchLabels: selectorLabels(config.name) },
            })),
        } : {}),
        ...(config.priorityClassName !== undefined ? { priorityClassName: config.priorityClassName } : {}),
        ...(config.imagePullSecrets.length > 0 ? { imagePullSecrets: config.imagePullSecrets.map((name) => ({ name })) } : {}),
    };
}

export function buildStatefulSet(config: ClusterConfig, configChecksum: string): StatefulSet {
    const names = clusterNames(config.name);
    const secretName = clusterNames(config.name, config.existingSecretName).secret;
    const labels = objectLabels(config.name, config.version, config.labels);
    const uid = config.flavor.mysqlUid;
    const containers = [mysqlContainer(config), memberSidecarContainer(config)];
    const hasBackupSidecar = config.flavor.bootstrap === "stream";
    if (hasBackupSidecar) {
        containers.push(backupSidecarContainer(config));
    }
    const metrics = metricsSidecarContainer(config);
    if (metrics) {
        containers.push(metrics);
    }
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: {
            ...objectMeta(names.statefulSet, config),
            // the Kubernetes provider's switch for not waiting on the rollout
            ...(config.skipAwait ? { annotations: { "pulumi.com/skipAwait": "true" } } : {}),
        },
        spec: {
            serviceName: names.headlessService,
            replicas: config.replicas,
            // every pod starts at once: an empty pod 0 must be able to ask peers that hold the data
            // (OrderedReady would never start them); members wait for a donor by themselves
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            // stated even at its default: the data outlives a delete or a scale-down unless the user chose otherwise
            persistentVolumeClaimRetentionPolicy: { ...config.claimRetention },
            selector: { matchLabels: selectorLabels(config.name) },
            template: {
                // the user's annotations first, the component's checksum on top (validation refuses its prefix)
                metadata: { labels, annotations: { ...Object.fromEntries(config.podAnnotations), [configChecksumAnnotation]: configChecksum } },
                spec: {
                    serviceAccountName: names.serviceAccount,
                    automountServiceAccountToken: false,
                    terminationGracePeriodSeconds: 120,
                    ...scheduling(config),
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: uid,
                        runAsGroup: uid,
                        fsGroup: uid,
                        fsGroupChangePolicy: "OnRootMismatch",
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    initContainers: [initMysqlContainer(config), cloneMysqlContainer(config)],
                    containers,
                    volumes: [
                        // scripts are run as `bash <file>`: read-only, no exec bit needed
                        { name: volumes.config, configMap: { name: revisionedConfigMapName(config, configChecksum), defaultMode: 0o444 } },
                        { name: volumes.topology, configMap: { name: names.topologyConfigMap, defaultMode: 0o444 } },
                        { name: volumes.generatedConf, emptyDir: {} },
                        // socket and client option files with passwords: memory only
                        { name: volumes.run, emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
                        // the server's tmpdir: bounded, so a runaway sort cannot fill the node's disk
                        { name: volumes.tmp, emptyDir: { sizeLimit: config.tmpSize } },
                        // passwords: readable by the mysql group only (fsGroup); the backup sidecar sees its own only
                        { name: volumes.credentials, secret: { secretName, defaultMode: 0o440 } },
                        ...(hasBackupSidecar ? [{
                            name: volumes.backupCredentials,
                            secret: { secretName, defaultMode: 0o440, items: [{ key: secretKeys.backup, path: secretKeys.backup }] },
                        }] : []),
                        // readable by the mysql group only (fsGroup)
                        ...(config.tls ? [{ name: volumes.tls, secret: { secretName: config.tls.secretName, defaultMode: 0o440 } }] : []),
                    ],
                },
            },
            volumeClaimTemplates: [{
                metadata: { name: volumes.data, labels: selectorLabels(config.name) },
                // the size at creation: later sizes reach the claims through buildClaimPatches
                spec: dataClaimSpec(config),
            }],
        },
    };
}
