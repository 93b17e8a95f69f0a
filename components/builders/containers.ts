/** Containers of a cluster pod: environment, mounts and probes, all driving the pod scripts. */
import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig, ContainerResources } from "../config";
import { clusterNames } from "../names";
import { paths, volumes } from "../paths";
import { scriptCommand } from "../scripts";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Probe = k8s.types.input.core.v1.Probe;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** The replication account's name; the same on every flavor. */
export const replicationUser = "repl";
/**
 * The pod's local administrator: the OS account the images run as (uid 999 is `mysql` in the
 * official MySQL and MariaDB images), which logs in over the socket without a password.
 */
export const localAdminUser = "mysql";
/**
 * The metrics exporter runs as this OS user (uid 65534, `nobody` in the official images' and the
 * server images' /etc/passwd) and logs in as the account of the same name over the socket.
 */
export const metricsUser = "nobody";
export const metricsUid = 65534;
/** server-id = base + ordinal; 0 is not a valid server id. */
export const serverIdBase = 100;
/** A backup stream or clone silent for this long is treated as broken. */
export const transferIdleTimeoutSeconds = 600;
const probePeriodSeconds = 10;
const startupProbePeriodSeconds = 1;
const readinessPeriodSeconds = 2;
const readinessFailureThreshold = 3;

/** Non-secret parameters of every script, sorted by name; `credentialsDir`: where this container sees the Secret. */
export function scriptEnv(config: ClusterConfig, credentialsDir: string = paths.credentialsDir): EnvVar[] {
    const { flavor } = config;
    const names = clusterNames(config.name);
    const values: Record<string, string | undefined> = {
        APP_DATABASE: config.application?.database,
        APP_USER: config.application?.user,
        BACKUP_GRANTS: flavor.backupAccount.grants,
        BACKUP_PORT: String(config.backupPort),
        BACKUP_TOOL: flavor.binaries.backup,
        BACKUP_USER: flavor.backupAccount.user,
        BACKUP_USER_HOST: flavor.backupAccount.host,
        BOOTSTRAP_METHOD: flavor.bootstrap,
        CREDENTIALS_DIR: credentialsDir,
        CLUSTER_NAME: names.statefulSet,
        CONFIG_DIR: paths.configDir,
        CONF_FILE: paths.confFile,
        COPY_THREADS: flavor.copyThreads === undefined ? undefined : String(flavor.copyThreads),
        DATADIR: paths.dataDir,
        DATA_ROOT: paths.dataRoot,
        DUAL_PASSWORDS: flavor.dualPasswords ? "1" : "0",
        ENGINE: flavor.engine,
        HEADLESS_SERVICE: names.headlessService,
        INIT_METHOD: flavor.initMethod,
        INSTALL_DB: flavor.binaries.installDb,
        LOCAL_ADMIN_USER: localAdminUser,
        MAX_REPLICA_LAG_SECONDS: String(config.maxReplicaLagSeconds),
        METRICS_GRANTS: config.metrics ? flavor.metricsGrants : undefined,
        METRICS_USER: config.metrics ? metricsUser : undefined,
        MYSQLD: flavor.binaries.server,
        MYSQL_CLIENT: flavor.binaries.client,
        MYSQL_PORT: String(config.port),
        NAMESPACE: config.namespace,
        PRIMARY_PEER_WAIT_SECONDS: String(config.primaryPeerWaitSeconds),
        REPLICA_MONITOR_GRANT: flavor.replicaMonitorGrant,
        REPLICATION_SYNTAX: flavor.replicationSyntax,
        REPLICATION_USER: replicationUser,
        RUN_DIR: paths.runDir,
        SERVER_ID_BASE: String(serverIdBase),
        SETUP_TIMEOUT_SECONDS: String(config.startupTimeoutSeconds),
        SOCKET: paths.socket,
        STREAM_TOOL: flavor.binaries.stream,
        TZINFO_TO_SQL: flavor.binaries.tzinfoToSql,
        UPGRADE_TOOL: flavor.binaries.upgrade,
        TLS_CA: config.tls ? `${paths.tlsDir}/ca.crt` : undefined,
        TLS_RELOAD_SQL: config.tls ? flavor.tlsReloadSql : undefined,
        TMPDIR: paths.tmpDir,
        TOPOLOGY_FILE: `${paths.topologyDir}/replicas`,
        TRANSFER_IDLE_TIMEOUT_SECONDS: String(transferIdleTimeoutSeconds),
    };
    const env: EnvVar[] = [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }];
    for (const name of Object.keys(values).sort()) {
        const value = values[name];
        if (value !== undefined) {
            env.push({ name, value });
        }
    }
    return env;
}

function mount(volume: string, mountPath: string, readOnly = false): VolumeMount {
    return readOnly ? { name: volume, mountPath, readOnly } : { name: volume, mountPath };
}

const configMount = mount(volumes.config, paths.configDir, true);
const dataMounts = (config: ClusterConfig): VolumeMount[] => [
    configMount,
    mount(volumes.topology, paths.topologyDir, true),
    mount(volumes.generatedConf, paths.generatedConfDir, true),
    mount(volumes.data, paths.dataRoot),
    mount(volumes.run, paths.runDir),
    mount(volumes.tmp, paths.tmpDir),
    ...(config.tls ? [mount(volumes.tls, paths.tlsDir, true)] : []),
];

/** Every container: no privilege escalation, no capabilities, read-only root where the images allow. */
function hardened(config: ClusterConfig) {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: config.flavor.readOnlyRootFilesystem,
    };
}

function resources(r: ContainerResources) {
    return r.limits ? { requests: r.requests, limits: r.limits } : { requests: r.requests };
}

function execProbe(script: string, failureThreshold: number, periodSeconds = probePeriodSeconds): Probe {
    return {
        exec: { command: scriptCommand(paths.configDir, script) },
        periodSeconds,
        timeoutSeconds: 5,
        failureThreshold,
    };
}

/** init-mysql: per-pod option file (role and server-id). Needs no secret. */
export function initMysqlContainer(config: ClusterConfig): Container {
    return {
        name: "init-mysql",
        image: config.image,
        command: scriptCommand(paths.configDir, "init-mysql.sh"),
        env: scriptEnv(config),
        volumeMounts: [configMount, mount(volumes.generatedConf, paths.generatedConfDir)],
        resources: resources(config.resources),
        securityContext: hardened(config),
    };
}

/** The credentials Secret, for the containers that create or update accounts (every key). */
const credentialsMount = mount(volumes.credentials, paths.credentialsDir, true);

/**
 * clone-mysql: fills an empty volume only: a new cluster when every pod is empty, a re-seed of pod 0
 * from the most advanced peer, or a replica's copy of a peer of its primary's cluster.
 */
export function cloneMysqlContainer(config: ClusterConfig): Container {
    return {
        name: "clone-mysql",
        image: config.backupImage,
        command: scriptCommand(paths.configDir, "clone-mysql.sh"),
        env: scriptEnv(config),
        volumeMounts: [...dataMounts(config), credentialsMount],
        resources: resources(config.resources),
        securityContext: hardened(config),
    };
}

/** mysql: the server, started by run-mysql.sh; probes log in as the local administrator over the socket (no password). */
export function mysqlContainer(config: ClusterConfig): Container {
    return {
        name: "mysql",
        image: config.image,
        command: scriptCommand(paths.configDir, "run-mysql.sh"),
        // the user's extraEnv after the component's (validation refuses every name the component uses)
        env: [...scriptEnv(config), ...config.extraEnv.map((variable) => ({ ...variable }))],
        ports: [{ name: "mysql", containerPort: config.port }],
        volumeMounts: [...dataMounts(config), credentialsMount],
        resources: resources(config.resources),
        securityContext: hardened(config),
        // checked every second, so a started server is ready within about a second (the readiness probe
        // runs as soon as this one passes); the budget stays startupTimeoutSeconds
        startupProbe: execProbe("probe-alive.sh", Math.ceil(config.startupTimeoutSeconds / startupProbePeriodSeconds),
            startupProbePeriodSeconds),
        livenessProbe: execProbe("probe-alive.sh", 3),
        // the kubelet runs it once as the startup probe passes, which on a new replica is before the
        // member agent's first verdict; the next run comes a period later: 2 s keeps that wait short,
        // and a replica that stops replicating leaves the read Service within 3 periods
        readinessProbe: execProbe("probe-ready.sh", readinessFailureThreshold, readinessPeriodSeconds),
        lifecycle: { preStop: { exec: { command: scriptCommand(paths.configDir, "pre-stop.sh") } } },
    };
}

/**
 * member: the pod's agent. Decides, again every few seconds, whether pod 0 may take writes and
 * whether a replica may replicate, from the cluster identity and transaction sets of its peers.
 */
export function memberSidecarContainer(config: ClusterConfig): Container {
    return {
        name: "member",
        image: config.image,
        command: scriptCommand(paths.configDir, "member.sh"),
        env: scriptEnv(config),
        volumeMounts: [...dataMounts(config), credentialsMount],
        resources: resources(config.sidecarResources),
        securityContext: hardened(config),
    };
}

/** backup: serves this pod's backup stream to the next replica (stream flavors only). */
export function backupSidecarContainer(config: ClusterConfig): Container {
    return {
        name: "backup",
        image: config.backupImage,
        command: scriptCommand(paths.configDir, "serve-backup.sh"),
        // its own view of the Secret: the backup password only
        env: scriptEnv(config, paths.backupCredentialsDir),
        ports: [{ name: "backup", containerPort: config.backupPort }],
        volumeMounts: [...dataMounts(config), mount(volumes.backupCredentials, paths.backupCredentialsDir, true)],
        resources: resources(config.sidecarResources),
        securityContext: hardened(config),
    };
}

/**
 * metrics: the Prometheus exporter (mysqld_exporter). Runs as uid 65534 and logs in over the socket
 * as the account of that OS user (socket authentication, no password); sees the scripts' ConfigMap
 * (its option file) and the socket's directory read-only, and no Secret.
 */
export function metricsSidecarContainer(config: ClusterConfig): Container | undefined {
    const metrics = config.metrics;
    if (!metrics) {
        return undefined;
    }
    return {
        name: "metrics",
        image: metrics.image,
        command: ["/bin/mysqld_exporter"],
        args: [`--config.my-cnf=${paths.configDir}/${exporterConfigKey}`, `--web.listen-address=:${metrics.port}`],
        ports: [{ name: "metrics", containerPort: metrics.port }],
        volumeMounts: [configMount, mount(volumes.run, paths.runDir, true)],
        resources: resources(metrics.resources),
        securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: metricsUid,
            runAsGroup: metricsUid,
        },
        // no readiness probe: an exporter that cannot reach the server reports mysql_up 0 and keeps
        // the pod in the Services; restarted only when its HTTP endpoint hangs
        livenessProbe: { httpGet: { path: "/", port: "metrics" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    };
}

/** Key of the exporter's option file in the scripts' ConfigMap. */
export const exporterConfigKey = "exporter.cnf";

/** The exporter's option file: the socket account, no password (socket authentication), so no secret. */
export function exporterConfig(): string {
    return [
        "# mysqld_exporter's login: the account named after its OS user, over the socket (no password)",
        "[client]",
        `user=${metricsUser}`,
        `socket=${paths.socket}`,
        "",
    ].join("\n");
}
