/**
 * Turns user args into a validated, fully defaulted ClusterConfig. Defaults are applied once, with
 * `??` (components/defaults.ts); each concern is checked by its own file under validation/, and every
 * problem is reported together, each naming the field and the fix.
 */
import { ClientSelector, MySqlClusterArgs, ResolvedArgs } from "./args";
import { defaults } from "./defaults";
import { Flavor } from "./flavors";
import { Application, checkCredentials, resolveApplication } from "./validation/accounts";
import { resolveAllowedClients } from "./validation/clients";
import { resolveEngine } from "./validation/engine";
import { MetricsConfig, resolveMetrics } from "./validation/metrics";
import { dns1035Label, dns1123Label, resolveLabels } from "./validation/names";
import { checker, Problems } from "./validation/problems";
import { ContainerResources, resolveResources } from "./validation/resources";
import { resolveScheduling, SchedulingConfig } from "./validation/scheduling";
import { resolveExtraConfig } from "./validation/serverSettings";
import { resolveClaimRetention, resolveStorage } from "./validation/storage";
import { AffinityConfig, resolveAffinity } from "./validation/affinity";
import { PodExtras, resolvePodExtras } from "./validation/pod";
import { resolveService, ServiceConfig } from "./validation/services";
import { clusterNames } from "./names";
import { resolvePorts, resolveTiming } from "./validation/timing";
import { resolveTls, TlsConfig } from "./validation/tls";

export { ContainerResources, defaults, MetricsConfig };

/** Resolved arguments: what the builders consume. Plain data, sorted where order is free. */
export interface ClusterConfig extends SchedulingConfig, PodExtras {
    readonly name: string;
    readonly namespace: string;
    readonly replicas: number;
    readonly flavor: Flavor;
    readonly version: string;
    readonly image: string;
    readonly backupImage: string;
    readonly storageSize: string;
    readonly storageClassName?: string;
    readonly tmpSize: string;
    readonly resources: ContainerResources;
    readonly sidecarResources: ContainerResources;
    readonly extraConfig: ReadonlyArray<readonly [string, string]>;
    readonly port: number;
    readonly backupPort: number;
    readonly maxReplicaLagSeconds: number;
    readonly startupTimeoutSeconds: number;
    readonly primaryPeerWaitSeconds: number;
    readonly awaitTimeoutMinutes: number;
    readonly skipAwait: boolean;
    readonly labels: ReadonlyArray<readonly [string, string]>;
    readonly existingSecretName?: string;
    readonly allowedClients?: readonly ClientSelector[];
    /** Application database and account created on first start, if any. */
    readonly application?: Application;
    readonly tls?: TlsConfig;
    readonly metrics?: MetricsConfig;
    /** The user's raw affinity terms, merged with the built-in anti-affinity by the StatefulSet builder. */
    readonly affinity?: AffinityConfig;
    readonly primaryService: ServiceConfig;
    readonly readService: ServiceConfig;
    readonly claimRetention: { readonly whenDeleted: string; readonly whenScaled: string };
}

const argNames: ReadonlyArray<keyof MySqlClusterArgs> = [
    "replicas", "namespace", "engine", "version", "image", "backupImage", "storageSize",
    "storageClassName", "tmpSize", "resources", "sidecarResources", "rootPassword", "replicationPassword",
    "backupPassword", "existingSecretName", "extraConfig", "port", "backupPort",
    "maxReplicaLagSeconds", "startupTimeoutSeconds", "primaryPeerWaitSeconds", "awaitTimeoutMinutes", "skipAwait", "labels", "podAntiAffinity", "nodeSelector",
    "tolerations", "topologySpreadConstraints", "priorityClassName", "allowedClients", "database", "user",
    "userPassword", "tls", "metrics", "affinity", "imagePullSecrets", "podAnnotations", "extraEnv", "primaryService",
    "readService", "persistentVolumeClaimRetentionPolicy",
];

/** Thrown with every problem found in the args; nothing has been registered when it is. */
export class MySqlClusterArgsError extends Error {
    constructor(readonly resourceName: string, readonly problems: readonly string[]) {
        super(`MySqlCluster "${resourceName}": invalid arguments:\n- ${problems.join("\n- ")}`);
        this.name = "MySqlClusterArgsError";
    }
}

/** Longest name whose pods' controller-revision-hash label still fits in 63 characters. */
export const maxNameLength = 52;

export function resolveConfig(name: string, args: ResolvedArgs): ClusterConfig {
    const problems: Problems = [];
    const check = checker(problems);
    const given = (args ?? {}) as Record<string, unknown>;

    for (const key of Object.keys(given)) {
        if (!(argNames as readonly string[]).includes(key)) {
            problems.push(`unknown argument "${key}"; the arguments are: ${argNames.join(", ")}`);
        }
    }

    check(typeof name === "string" && dns1035Label.test(name) && name.length <= maxNameLength,
        `name must be a DNS-1035 label of at most ${maxNameLength} characters (lowercase letters, ` +
        `digits and '-', starting with a letter), got ${JSON.stringify(name)}`);

    const replicas = args.replicas ?? defaults.replicas;
    check(Number.isInteger(replicas) && replicas >= 1,
        `replicas must be an integer >= 1, got ${JSON.stringify(replicas)}`);

    const namespace = args.namespace ?? defaults.namespace;
    check(typeof namespace === "string" && dns1123Label.test(namespace) && namespace.length <= 63,
        `namespace must be a DNS-1123 label (lowercase letters, digits and '-', at most 63), got ${JSON.stringify(namespace)}`);

    // the order of the checks below is the order the problems are reported in
    const { flavor, version, image, backupImage } = resolveEngine(args, problems);
    const storage = resolveStorage(args, problems);
    const resources = resolveResources("resources", args.resources, defaults.resources, problems);
    const sidecarResources = resolveResources("sidecarResources", args.sidecarResources, defaults.sidecarResources, problems);
    const ports = resolvePorts(args, problems);
    const timing = resolveTiming(args, problems);
    checkCredentials(args, flavor, problems);
    const extraConfig = resolveExtraConfig(args.extraConfig, problems);
    const labels = resolveLabels(args.labels, problems);
    const scheduling = resolveScheduling(args, problems);
    const allowedClients = resolveAllowedClients(args, problems);
    const application = resolveApplication(args, problems);
    const tls = resolveTls(args, problems);
    const metrics = resolveMetrics(args, { ...ports, maxReplicaLagSeconds: timing.maxReplicaLagSeconds }, problems);
    const affinity = resolveAffinity(args.affinity, problems);
    const credentialsSecret = typeof name === "string" ? clusterNames(name, args.existingSecretName).secret : undefined;
    const podExtras = resolvePodExtras(args, credentialsSecret, problems);
    const primaryService = resolveService("primaryService", args.primaryService, problems);
    const readService = resolveService("readService", args.readService, problems);
    const claimRetention = resolveClaimRetention(args, problems);

    if (problems.length > 0) {
        throw new MySqlClusterArgsError(name, problems);
    }
    return {
        name, namespace, replicas, flavor: flavor!, version, image, backupImage, ...storage, resources, sidecarResources,
        extraConfig, ...ports, ...timing, labels, existingSecretName: args.existingSecretName, ...scheduling, allowedClients,
        application, tls, metrics, affinity, ...podExtras, primaryService, readService, claimRetention,
    };
}
