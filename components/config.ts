/**
 * Turns user args into a validated, fully defaulted ClusterConfig. Defaults are applied here,
 * once, with `??`; every problem is reported together, each naming the field and the fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClientSelector, ComputeResources, MySqlClusterArgs, ResolvedArgs, ResourceRequirements, Toleration, TopologySpreadConstraint } from "./args";
import { defaultVersions, Engine, findFlavor, Flavor, removedVersions, supportedVersions } from "./flavors";
import { managedLabelKeys } from "./names";
import { parseQuantity } from "./quantity";

export interface ContainerResources {
    readonly requests: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
}

/** Resolved arguments: what the builders consume. Plain data, sorted where order is free. */
export interface ClusterConfig {
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
    readonly podAntiAffinity: "soft" | "hard";
    readonly nodeSelector: ReadonlyArray<readonly [string, string]>;
    readonly tolerations: readonly Toleration[];
    readonly topologySpreadConstraints: ReadonlyArray<Required<TopologySpreadConstraint>>;
    readonly priorityClassName?: string;
    readonly allowedClients?: readonly ClientSelector[];
    /** Application database and account created on first start, if any. */
    readonly application?: { readonly database: string; readonly user?: string };
    readonly tls?: { readonly secretName: string; readonly requireSecureTransport: boolean };
    readonly metrics?: MetricsConfig;
}

/** The exporter sidecar and the monitoring objects, resolved. */
export interface MetricsConfig {
    readonly image: string;
    readonly port: number;
    readonly resources: ContainerResources;
    readonly serviceMonitor: boolean;
    readonly prometheusRule: boolean;
    readonly lagAlertSeconds: number;
    readonly diskFreeAlertPercent: number;
    readonly monitorLabels: ReadonlyArray<readonly [string, string]>;
}

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

/** Settings the component owns; overriding them would break replication or the scripts. */
const managedSettings = [
    "bind_address", "datadir", "enforce_gtid_consistency", "gtid_mode", "log_bin", "log_replica_updates",
    "log_slave_updates", "pid_file", "plugin_load_add", "port", "read_only", "relay_log",
    "relay_log_recovery", "report_host", "server_id", "skip_networking", "socket", "super_read_only",
    "skip_replica_start", "skip_slave_start", "gtid_strict_mode",
    "ssl_ca", "ssl_cert", "ssl_key", "require_secure_transport",
];

const argNames: ReadonlyArray<keyof MySqlClusterArgs> = [
    "replicas", "namespace", "engine", "version", "image", "backupImage", "storageSize",
    "storageClassName", "tmpSize", "resources", "sidecarResources", "rootPassword", "replicationPassword",
    "backupPassword", "existingSecretName", "extraConfig", "port", "backupPort",
    "maxReplicaLagSeconds", "startupTimeoutSeconds", "primaryPeerWaitSeconds", "awaitTimeoutMinutes", "skipAwait", "labels", "podAntiAffinity", "nodeSelector",
    "tolerations", "topologySpreadConstraints", "priorityClassName", "allowedClients", "database", "user",
    "userPassword", "tls", "metrics",
];

/** Accounts and schemas the component or the server owns. */
const reservedUsers = ["root", "repl", "clone", "backup", "mariadb.sys", "mysql.sys", "mysql.session", "mysql.infoschema", "pulumi"];
const systemDatabases = ["mysql", "sys", "information_schema", "performance_schema"];

/** Thrown with every problem found in the args; nothing has been registered when it is. */
export class MySqlClusterArgsError extends Error {
    constructor(readonly resourceName: string, readonly problems: readonly string[]) {
        super(`MySqlCluster "${resourceName}": invalid arguments:\n- ${problems.join("\n- ")}`);
        this.name = "MySqlClusterArgsError";
    }
}

const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// registry[:port]/path[:tag][@sha256:digest], lowercase path components
const imageReference =
    /^([a-zA-Z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const settingName = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Longest name whose pods' controller-revision-hash label still fits in 63 characters. */
export const maxNameLength = 52;

export function resolveConfig(name: string, args: ResolvedArgs): ClusterConfig {
    const problems: string[] = [];
    const check = (ok: boolean, message: string) => ok || problems.push(message);
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

    const engine = args.engine ?? defaults.engine;
    const engineOk = engine === "mysql" || engine === "mariadb";
    check(engineOk, `engine must be "mysql" or "mariadb", got ${JSON.stringify(engine)}`);

    const version = engineOk ? args.version ?? defaultVersions[engine] : "";
    const flavor = engineOk && typeof version === "string" ? findFlavor(engine, version) : undefined;
    const removed = removedVersions.find((r) => r.engine === engine && typeof version === "string" && r.pattern.test(version));
    if (engineOk && !flavor && removed) {
        problems.push(`version ${JSON.stringify(version)}: ${removed.why}`);
    } else if (engineOk && !flavor) {
        problems.push(`version ${JSON.stringify(version)} is not supported for engine "${engine}"; ` +
            `use one of: ${supportedVersions(engine)}`);
    }

    const image = args.image ?? (flavor ? flavor.defaultImage(version) : "");
    const backupImage = args.backupImage ?? flavor?.defaultBackupImage ?? image;
    // without a flavor there is no default image to check; the version's own error says what to do
    if (flavor || args.image !== undefined) checkImage("image", image, check);
    if (flavor || args.backupImage !== undefined || args.image !== undefined) checkImage("backupImage", backupImage, check);

    const storageSize = args.storageSize ?? defaults.storageSize;
    const storageBytes = typeof storageSize === "string" ? parseQuantity(storageSize) : undefined;
    check(storageBytes !== undefined && storageBytes > 0,
        `storageSize must be a positive Kubernetes quantity such as "10Gi", got ${JSON.stringify(storageSize)}`);

    if (args.storageClassName !== undefined) {
        check(typeof args.storageClassName === "string" && dns1123Subdomain.test(args.storageClassName),
            `storageClassName must be a DNS-1123 subdomain (the name of a StorageClass), got ${JSON.stringify(args.storageClassName)}`);
    }

    const tmpSize = args.tmpSize ?? defaults.tmpSize;
    check(typeof tmpSize === "string" && (parseQuantity(tmpSize) ?? 0) > 0,
        `tmpSize must be a positive Kubernetes quantity such as "2Gi", got ${JSON.stringify(tmpSize)}`);

    const resources = resolveResources("resources", args.resources, defaults.resources, problems);
    const sidecarResources = resolveResources("sidecarResources", args.sidecarResources,
        defaults.sidecarResources, problems);

    const port = args.port ?? defaults.port;
    const backupPort = args.backupPort ?? defaults.backupPort;
    for (const [field, value] of [["port", port], ["backupPort", backupPort]] as const) {
        check(Number.isInteger(value) && value >= 1 && value <= 65535,
            `${field} must be an integer from 1 to 65535, got ${JSON.stringify(value)}`);
    }
    check(port !== backupPort, `port and backupPort must differ, both are ${port}`);

    const maxReplicaLagSeconds = args.maxReplicaLagSeconds ?? defaults.maxReplicaLagSeconds;
    check(Number.isInteger(maxReplicaLagSeconds) && maxReplicaLagSeconds >= 0,
        `maxReplicaLagSeconds must be an integer >= 0, got ${JSON.stringify(maxReplicaLagSeconds)}`);
    const startupTimeoutSeconds = args.startupTimeoutSeconds ?? defaults.startupTimeoutSeconds;
    check(Number.isInteger(startupTimeoutSeconds) && startupTimeoutSeconds >= 60,
        `startupTimeoutSeconds must be an integer >= 60, got ${JSON.stringify(startupTimeoutSeconds)}`);
    const primaryPeerWaitSeconds = args.primaryPeerWaitSeconds ?? defaults.primaryPeerWaitSeconds;
    check(Number.isInteger(primaryPeerWaitSeconds) && primaryPeerWaitSeconds >= 0,
        `primaryPeerWaitSeconds must be an integer >= 0, got ${JSON.stringify(primaryPeerWaitSeconds)}`);

    const awaitTimeoutMinutes = args.awaitTimeoutMinutes ?? defaults.awaitTimeoutMinutes;
    check(Number.isInteger(awaitTimeoutMinutes) && awaitTimeoutMinutes >= 1 && awaitTimeoutMinutes <= 10080,
        `awaitTimeoutMinutes must be an integer from 1 to 10080 (a week), got ${JSON.stringify(awaitTimeoutMinutes)}`);
    const skipAwait = args.skipAwait ?? false;
    check(typeof skipAwait === "boolean", `skipAwait must be true or false, got ${JSON.stringify(skipAwait)}`);

    // MySQL refuses a replication password longer than 32 characters (CHANGE REPLICATION SOURCE,
    // error 3056); a known value is checked here, one from an Output or a Secret by the pods
    if (flavor?.engine === "mysql" && typeof args.replicationPassword === "string") {
        check(args.replicationPassword.length <= 32,
            `replicationPassword has ${args.replicationPassword.length} characters; MySQL replication accepts at most 32: use a shorter one`);
    }

    if (args.existingSecretName !== undefined) {
        check(typeof args.existingSecretName === "string" && dns1123Subdomain.test(args.existingSecretName),
            `existingSecretName must be the name of a Secret (DNS-1123 subdomain), got ${JSON.stringify(args.existingSecretName)}`);
        const explicit = (["rootPassword", "replicationPassword", "backupPassword"] as const)
            .filter((field) => args[field] !== undefined);
        check(explicit.length === 0,
            `existingSecretName conflicts with ${explicit.join(", ")}: put the passwords in the existing Secret, or drop existingSecretName`);
    }

    const extraConfig = resolveExtraConfig(args.extraConfig, problems);
    const labels = resolveLabels(args.labels, problems);
    const scheduling = resolveScheduling(args, problems);
    const application = resolveApplication(args, problems);
    const tls = resolveTls(args, problems);
    const metrics = resolveMetrics(args, { port, backupPort, maxReplicaLagSeconds }, problems);

    if (problems.length > 0) {
        throw new MySqlClusterArgsError(name, problems);
    }
    return {
        name, namespace, replicas, flavor: flavor!, version, image, backupImage, storageSize,
        storageClassName: args.storageClassName, tmpSize, resources, sidecarResources, extraConfig, port,
        backupPort, maxReplicaLagSeconds, startupTimeoutSeconds, primaryPeerWaitSeconds, awaitTimeoutMinutes, skipAwait, labels,
        existingSecretName: args.existingSecretName, ...scheduling, application, tls, metrics,
    };
}

function resolveTls(args: ResolvedArgs, problems: string[]): ClusterConfig["tls"] {
    if (args.tls === undefined) {
        return undefined;
    }
    const { secretName, requireSecureTransport = false } = args.tls;
    for (const key of Object.keys(args.tls)) {
        if (key !== "secretName" && key !== "requireSecureTransport") {
            problems.push(`tls.${key} is not a field; use tls.secretName and tls.requireSecureTransport`);
        }
    }
    if (!(typeof secretName === "string" && dns1123Subdomain.test(secretName))) {
        problems.push(`tls.secretName must name a Secret holding tls.crt, tls.key and ca.crt (e.g. cert-manager's), got ${JSON.stringify(secretName)}`);
    }
    if (typeof requireSecureTransport !== "boolean") {
        problems.push(`tls.requireSecureTransport must be true or false, got ${JSON.stringify(requireSecureTransport)}`);
    }
    return { secretName, requireSecureTransport };
}

const metricsFields = ["image", "port", "resources", "serviceMonitor", "prometheusRule", "lagAlertSeconds", "diskFreeAlertPercent", "monitorLabels"];

function resolveMetrics(
    args: ResolvedArgs,
    ports: { readonly port: number; readonly backupPort: number; readonly maxReplicaLagSeconds: number },
    problems: string[],
): MetricsConfig | undefined {
    if (args.metrics === undefined) {
        return undefined;
    }
    const given = args.metrics;
    if (typeof given !== "object" || given === null) {
        problems.push(`metrics must be an object such as { serviceMonitor: true } (or left out for no exporter), got ${JSON.stringify(given)}`);
        return undefined;
    }
    for (const key of Object.keys(given)) {
        if (!metricsFields.includes(key)) {
            problems.push(`metrics.${key} is not a field; the fields are: ${metricsFields.join(", ")}`);
        }
    }
    const check = (ok: boolean, message: string) => ok || problems.push(message);
    const image = given.image ?? defaults.metrics.image;
    checkImage("metrics.image", image, check);
    const port = given.port ?? defaults.metrics.port;
    check(Number.isInteger(port) && port >= 1 && port <= 65535, `metrics.port must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
    check(port !== ports.port && port !== ports.backupPort,
        `metrics.port (${port}) must differ from port (${ports.port}) and backupPort (${ports.backupPort}); choose another one`);
    // not a wirable arg: its values are plain (an Output there is refused as "not a quantity")
    const resources = resolveResources("metrics.resources", given.resources as pulumi.Unwrap<typeof given.resources>, defaults.metrics.resources, problems);
    const serviceMonitor = given.serviceMonitor ?? false;
    const prometheusRule = given.prometheusRule ?? false;
    for (const [field, value] of [["serviceMonitor", serviceMonitor], ["prometheusRule", prometheusRule]] as const) {
        check(typeof value === "boolean", `metrics.${field} must be true or false, got ${JSON.stringify(value)}`);
    }
    const lagAlertSeconds = given.lagAlertSeconds ?? ports.maxReplicaLagSeconds;
    check(Number.isInteger(lagAlertSeconds) && lagAlertSeconds >= 1,
        `metrics.lagAlertSeconds must be an integer >= 1, got ${JSON.stringify(lagAlertSeconds)}`);
    const diskFreeAlertPercent = given.diskFreeAlertPercent ?? defaults.metrics.diskFreeAlertPercent;
    check(typeof diskFreeAlertPercent === "number" && diskFreeAlertPercent > 0 && diskFreeAlertPercent < 100,
        `metrics.diskFreeAlertPercent must be a number between 0 and 100 (exclusive), got ${JSON.stringify(diskFreeAlertPercent)}`);
    const monitorLabels = labelMap("metrics.monitorLabels", given.monitorLabels, problems);
    return { image, port, resources, serviceMonitor, prometheusRule, lagAlertSeconds, diskFreeAlertPercent, monitorLabels };
}

function resolveScheduling(args: ResolvedArgs, problems: string[]) {
    const podAntiAffinity = args.podAntiAffinity ?? "soft";
    if (podAntiAffinity !== "soft" && podAntiAffinity !== "hard") {
        problems.push(`podAntiAffinity must be "soft" or "hard", got ${JSON.stringify(podAntiAffinity)}`);
    }
    const nodeSelector = labelMap("nodeSelector", args.nodeSelector, problems);
    const tolerations = (args.tolerations ?? []).map((t, i) => checkToleration(`tolerations[${i}]`, t, problems));
    const topologySpreadConstraints = (args.topologySpreadConstraints ?? []).map((c, i) => {
        const field = `topologySpreadConstraints[${i}]`;
        const resolved = { maxSkew: c.maxSkew ?? 1, topologyKey: c.topologyKey, whenUnsatisfiable: c.whenUnsatisfiable ?? "ScheduleAnyway" };
        if (!Number.isInteger(resolved.maxSkew) || resolved.maxSkew < 1) {
            problems.push(`${field}.maxSkew must be an integer >= 1, got ${JSON.stringify(resolved.maxSkew)}`);
        }
        if (typeof c.topologyKey !== "string" || !qualifiedName(c.topologyKey)) {
            problems.push(`${field}.topologyKey must be a node label name such as "topology.kubernetes.io/zone", got ${JSON.stringify(c.topologyKey)}`);
        }
        if (!["DoNotSchedule", "ScheduleAnyway"].includes(resolved.whenUnsatisfiable)) {
            problems.push(`${field}.whenUnsatisfiable must be "DoNotSchedule" or "ScheduleAnyway", got ${JSON.stringify(resolved.whenUnsatisfiable)}`);
        }
        return resolved;
    });
    if (args.priorityClassName !== undefined && !(typeof args.priorityClassName === "string" && dns1123Subdomain.test(args.priorityClassName))) {
        problems.push(`priorityClassName must be the name of a PriorityClass (DNS-1123 subdomain), got ${JSON.stringify(args.priorityClassName)}`);
    }
    const allowedClients = args.allowedClients?.map((client, i) => {
        const field = `allowedClients[${i}]`;
        if (client.namespaceLabels === undefined && client.podLabels === undefined) {
            problems.push(`${field} must set namespaceLabels, podLabels or both`);
        }
        return {
            ...(client.namespaceLabels ? { namespaceLabels: Object.fromEntries(labelMap(`${field}.namespaceLabels`, client.namespaceLabels, problems)) } : {}),
            ...(client.podLabels ? { podLabels: Object.fromEntries(labelMap(`${field}.podLabels`, client.podLabels, problems)) } : {}),
        };
    });
    return { podAntiAffinity, nodeSelector, tolerations, topologySpreadConstraints, priorityClassName: args.priorityClassName, allowedClients };
}

function checkToleration(field: string, t: Toleration, problems: string[]): Toleration {
    const operator = t.operator ?? "Equal";
    if (!["Exists", "Equal"].includes(operator)) {
        problems.push(`${field}.operator must be "Exists" or "Equal", got ${JSON.stringify(operator)}`);
    }
    if (operator === "Exists" && t.value !== undefined) {
        problems.push(`${field}.value must be empty when operator is "Exists"; drop the value or use "Equal"`);
    }
    if (operator === "Equal" && t.key === undefined) {
        problems.push(`${field}.key is required with operator "Equal"`);
    }
    if (t.key !== undefined && !qualifiedName(t.key)) {
        problems.push(`${field}.key must be a label name, got ${JSON.stringify(t.key)}`);
    }
    if (t.effect !== undefined && !["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(t.effect)) {
        problems.push(`${field}.effect must be NoSchedule, PreferNoSchedule or NoExecute, got ${JSON.stringify(t.effect)}`);
    }
    if (t.tolerationSeconds !== undefined && (t.effect !== "NoExecute" || !Number.isInteger(t.tolerationSeconds) || t.tolerationSeconds < 0)) {
        problems.push(`${field}.tolerationSeconds needs effect "NoExecute" and an integer >= 0, got ${JSON.stringify(t.tolerationSeconds)}`);
    }
    return Object.fromEntries(Object.entries({ ...t, operator }).filter(([, v]) => v !== undefined)) as Toleration;
}

function resolveApplication(args: ResolvedArgs, problems: string[]): ClusterConfig["application"] {
    const { database, user } = args;
    if (database !== undefined && !(typeof database === "string" && /^[A-Za-z0-9_]{1,64}$/.test(database) &&
        !systemDatabases.includes(database.toLowerCase()))) {
        problems.push(`database must be 1-64 letters, digits or '_' and not a system schema, got ${JSON.stringify(database)}`);
    }
    if (user !== undefined) {
        if (!(typeof user === "string" && /^[A-Za-z0-9_.-]{1,32}$/.test(user) && !reservedUsers.includes(user.toLowerCase()))) {
            problems.push(`user must be 1-32 letters, digits, '_', '.' or '-' and not an account the component uses (${reservedUsers.join(", ")}), got ${JSON.stringify(user)}`);
        }
        if (database === undefined) {
            problems.push("user needs database: the account gets ALL on that database; set database");
        }
    }
    if (args.userPassword !== undefined && user === undefined) {
        problems.push("userPassword is set but user is not; set user or drop userPassword");
    }
    if (args.userPassword !== undefined && args.existingSecretName !== undefined) {
        problems.push("existingSecretName conflicts with userPassword: put user-password in the existing Secret, or drop existingSecretName");
    }
    return database === undefined ? undefined : { database, ...(user !== undefined ? { user } : {}) };
}

function qualifiedName(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const base = key.slice(slash + 1);
    return labelName.test(base) && base.length <= 63 &&
        (prefix === undefined || (dns1123Subdomain.test(prefix) && prefix.length <= 253));
}

/** A label map (nodeSelector, selectors): valid names and values, sorted by key. */
function labelMap(field: string, given: Readonly<Record<string, string>> | undefined, problems: string[]): Array<[string, string]> {
    const entries = Object.entries(given ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, value] of entries) {
        if (!qualifiedName(key)) {
            problems.push(`${field} key ${JSON.stringify(key)} is not a valid label name ([prefix/]name, name at most 63 characters)`);
        }
        if (typeof value !== "string" || !labelValue.test(value) || value.length > 63) {
            problems.push(`${field}.${key} must be a label value (at most 63 letters, digits, '-', '_', '.'), got ${JSON.stringify(value)}`);
        }
    }
    return entries;
}

function checkImage(field: string, image: unknown, check: (ok: boolean, message: string) => unknown) {
    check(typeof image === "string" && image.length > 0 && imageReference.test(image),
        `${field} must be an image reference such as "mysql:8.4" or "registry.example.com/db/mysql@sha256:<digest>", got ${JSON.stringify(image)}`);
}

function resolveResources(
    field: string,
    given: pulumi.Unwrap<ResourceRequirements> | undefined,
    fallback: { readonly cpu: string; readonly memory: string },
    problems: string[],
): ContainerResources {
    const value = given ?? {};
    const known = ["requests", "limits"];
    for (const key of Object.keys(value)) {
        if (!known.includes(key)) {
            problems.push(`${field}.${key} is not a field; use ${field}.requests or ${field}.limits`);
        }
    }
    const requests = { ...fallback, ...stripUndefined(value.requests) };
    const limits = value.limits ? stripUndefined(value.limits) : undefined;
    for (const [part, amounts] of [["requests", requests], ["limits", limits ?? {}]] as const) {
        for (const [key, amount] of Object.entries(amounts)) {
            if (key !== "cpu" && key !== "memory") {
                problems.push(`${field}.${part}.${key} is not supported; use cpu or memory`);
            } else if (typeof amount !== "string" || !(parseQuantity(amount)! > 0)) {
                problems.push(`${field}.${part}.${key} must be a positive Kubernetes quantity such as ` +
                    `"${fallback[key]}", got ${JSON.stringify(amount)}`);
            }
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        const request = parseQuantity(String(requests[key]));
        const limit = limits?.[key] !== undefined ? parseQuantity(String(limits[key])) : undefined;
        if (request !== undefined && limit !== undefined && limit < request) {
            problems.push(`${field}.limits.${key} (${limits![key]}) is below ${field}.requests.${key} ` +
                `(${requests[key]}); raise the limit or lower the request`);
        }
    }
    return limits ? { requests, limits } : { requests };
}

function stripUndefined(values: pulumi.Unwrap<ComputeResources> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined));
}

function resolveExtraConfig(
    given: MySqlClusterArgs["extraConfig"],
    problems: string[],
): Array<[string, string]> {
    const entries = Object.entries(given ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const resolved: Array<[string, string]> = [];
    for (const [key, value] of entries) {
        const canonical = key.replace(/-/g, "_").toLowerCase().replace(/^loose_/, "");
        if (!settingName.test(key)) {
            problems.push(`extraConfig key ${JSON.stringify(key)} is not a server option name (letters, digits, '_', '-', '.')`);
        } else if (managedSettings.includes(canonical)) {
            problems.push(`extraConfig.${key} is managed by the component and cannot be set; remove it`);
        }
        if (!["string", "number", "boolean"].includes(typeof value)) {
            problems.push(`extraConfig.${key} must be a string, number or boolean, got ${typeof value}`);
            continue;
        }
        const text = typeof value === "boolean" ? (value ? "ON" : "OFF") : String(value);
        if (/[\r\n\0]/.test(text) || (typeof value === "number" && !Number.isFinite(value))) {
            problems.push(`extraConfig.${key} must be a single-line value, got ${JSON.stringify(text)}`);
        }
        resolved.push([key, text]);
    }
    return resolved;
}

function resolveLabels(given: ResolvedArgs["labels"], problems: string[]): Array<[string, string]> {
    const entries = labelMap("labels", given, problems);
    for (const [key] of entries) {
        if (managedLabelKeys.includes(key)) {
            problems.push(`labels.${key} is set by the component; use another key`);
        }
    }
    return entries;
}
