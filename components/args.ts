import * as pulumi from "@pulumi/pulumi";
import { Engine } from "./flavors";

// String enums as `as const` objects: precise types in TypeScript, enums in the multi-language schema.

/** How a toleration matches a taint. */
export const TolerationOperator = { Exists: "Exists", Equal: "Equal" } as const;
export type TolerationOperator = (typeof TolerationOperator)[keyof typeof TolerationOperator];
/** A taint's effect. */
export const TaintEffect = { NoSchedule: "NoSchedule", PreferNoSchedule: "PreferNoSchedule", NoExecute: "NoExecute" } as const;
export type TaintEffect = (typeof TaintEffect)[keyof typeof TaintEffect];
/** What the scheduler does when a spread constraint cannot be met. */
export const WhenUnsatisfiable = { DoNotSchedule: "DoNotSchedule", ScheduleAnyway: "ScheduleAnyway" } as const;
export type WhenUnsatisfiable = (typeof WhenUnsatisfiable)[keyof typeof WhenUnsatisfiable];
/** "soft" prefers pods on different nodes, "hard" requires it. */
export const PodAntiAffinity = { Soft: "soft", Hard: "hard" } as const;
export type PodAntiAffinity = (typeof PodAntiAffinity)[keyof typeof PodAntiAffinity];

/** How a Service is exposed. */
export const ServiceType = { ClusterIP: "ClusterIP", NodePort: "NodePort", LoadBalancer: "LoadBalancer" } as const;
export type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];
/** What happens to a pod's data claim when the StatefulSet is deleted or scaled down. */
export const ClaimRetention = { Retain: "Retain", Delete: "Delete" } as const;
export type ClaimRetention = (typeof ClaimRetention)[keyof typeof ClaimRetention];

/** The client-facing Service of one endpoint (primary or read). */
export interface ServiceOptions {
    /** Service type; "LoadBalancer" or "NodePort" expose the endpoint outside the cluster (mind `allowedClients`). @default "ClusterIP" */
    readonly type?: ServiceType;
    /** Annotations of the Service, e.g. a cloud load balancer's settings. @default {} */
    readonly annotations?: Readonly<Record<string, string>>;
}

/** A key of a Secret, for an environment variable. */
export interface SecretKeySelector {
    /** Name of the Secret (in the cluster's namespace); not the component's credentials Secret. */
    readonly name: string;
    /** Key within the Secret. */
    readonly key: string;
}

/** An extra environment variable of the `mysql` container: exactly one of `value` and `secretKeyRef`. */
export interface EnvVarOptions {
    /** Variable name: letters, digits and '_', not starting with a digit; none the component sets or reads. */
    readonly name: string;
    /** Plain value, kept in the StatefulSet and in Pulumi state as it is: never a secret (use `secretKeyRef`). @default undefined */
    readonly value?: string;
    /** The value from a key of a Secret, read by the kubelet (nothing reaches state). @default undefined */
    readonly secretKeyRef?: SecretKeySelector;
}

/**
 * Raw Kubernetes affinity (core/v1 `Affinity`), merged with the built-in anti-affinity: the
 * built-in term (see `podAntiAffinity`) is always kept, these terms are added to it.
 */
export interface Affinity {
    /** core/v1 `NodeAffinity`: `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`, `preferredDuringSchedulingIgnoredDuringExecution`. @default undefined */
    readonly nodeAffinity?: Readonly<Record<string, any>>;
    /** core/v1 `PodAffinity`: required and preferred pod affinity terms. @default undefined */
    readonly podAffinity?: Readonly<Record<string, any>>;
    /** core/v1 `PodAntiAffinity`: terms added to the built-in one. @default undefined */
    readonly podAntiAffinity?: Readonly<Record<string, any>>;
}

/** The StatefulSet's `persistentVolumeClaimRetentionPolicy`. */
export interface ClaimRetentionPolicy {
    /** Data claims when the StatefulSet is deleted (e.g. `pulumi destroy`): "Delete" deletes the data. @default "Retain" */
    readonly whenDeleted?: ClaimRetention;
    /** Claims of the pods a scale-down removes: "Delete" deletes their data. @default "Retain" */
    readonly whenScaled?: ClaimRetention;
}

/** CPU and memory for one container, as Kubernetes quantities (e.g. "500m", "1Gi"). */
export interface ComputeResources {
    /** CPU, e.g. "500m" (half a core). @default "500m" for the server, "100m" for the sidecars */
    readonly cpu?: pulumi.Input<string>;
    /** Memory, e.g. "1Gi". @default "1Gi" for the server, "256Mi" for the sidecars */
    readonly memory?: pulumi.Input<string>;
}

/** Requests and limits of a container. */
export interface ResourceRequirements {
    /** What the scheduler reserves. @default see ComputeResources */
    readonly requests?: ComputeResources;
    /** Hard caps. @default none (no limit) */
    readonly limits?: ComputeResources;
}

/** A toleration, as in a pod spec. */
export interface Toleration {
    /** Taint key to match. @default undefined (matches every key, with operator "Exists") */
    readonly key?: string;
    /** "Exists" matches any value of the key; "Equal" matches `value`. @default "Equal" */
    readonly operator?: TolerationOperator;
    /** Taint value to match (with "Equal"). @default undefined */
    readonly value?: string;
    /** Taint effect to match. @default undefined (every effect) */
    readonly effect?: TaintEffect;
    /** How long a pod stays bound to a node after a "NoExecute" taint appears. @default undefined (tolerate forever) */
    readonly tolerationSeconds?: number;
}

/** A topology spread constraint over this cluster's pods (the label selector is added). */
export interface TopologySpreadConstraint {
    /** Largest allowed difference in the number of this cluster's pods between two domains. @default 1 */
    readonly maxSkew?: number;
    /** Node label whose values are the domains, e.g. "topology.kubernetes.io/zone". */
    readonly topologyKey: string;
    /** What the scheduler does when the constraint cannot be met. @default "ScheduleAnyway" */
    readonly whenUnsatisfiable?: WhenUnsatisfiable;
}

/** Pods allowed to reach the client port: labels of their namespace and/or of the pods. */
export interface ClientSelector {
    /** Labels of the namespaces whose pods may connect. @default undefined (the cluster's own namespace) */
    readonly namespaceLabels?: Readonly<Record<string, string>>;
    /** Labels of the pods that may connect. @default undefined (every pod of the selected namespaces) */
    readonly podLabels?: Readonly<Record<string, string>>;
}

/** TLS from an existing Secret, e.g. one cert-manager keeps renewed. */
export interface TlsOptions {
    /**
     * Secret with `tls.crt`, `tls.key` and `ca.crt`. The certificate must name the pods
     * (`*.<name>`, `*.<name>.<namespace>.svc`) and the Services clients use. May be an Output (e.g. the
     * secretName of a cert-manager Certificate).
     */
    readonly secretName: pulumi.Input<string>;
    /** Refuse unencrypted TCP connections (`require_secure_transport`). @default false */
    readonly requireSecureTransport?: boolean;
}

/**
 * A Prometheus exporter sidecar (mysqld_exporter) in every pod. It logs in over the server's socket
 * as a least-privilege account authenticated by its OS user (uid 65534, `nobody`), so it needs no
 * password; the component creates that account on every pod.
 */
export interface MetricsOptions {
    /**
     * Exporter image; its binary must be `/bin/mysqld_exporter`, as in the official image, version
     * 0.16 or later (earlier ones refuse a login without a password and cannot read MySQL 8.4+'s
     * `SHOW REPLICA STATUS`).
     * @default "prom/mysqld-exporter:v0.16.0"
     */
    readonly image?: string;
    /** Port of the metrics endpoint (`/metrics`), on every pod and on the headless Service; must differ from `port` and `backupPort`. @default 9104 */
    readonly port?: number;
    /** Resources of the exporter container. @default requests cpu "50m", memory "64Mi"; no limits */
    readonly resources?: ResourceRequirements;
    /**
     * Create a `ServiceMonitor` (monitoring.coreos.com/v1) that scrapes every pod through the headless
     * Service. Needs the Prometheus Operator's CRDs in the cluster.
     * @default false
     */
    readonly serviceMonitor?: boolean;
    /**
     * Create a `PrometheusRule` with alerts: server down, replication stopped, replica lag above
     * `lagAlertSeconds`, a pod not ready (kube-state-metrics), a data volume nearly full (kubelet
     * volume stats). Needs the Prometheus Operator's CRDs.
     * @default false
     */
    readonly prometheusRule?: boolean;
    /** Replica lag (seconds) that raises the lag alert. @default maxReplicaLagSeconds */
    readonly lagAlertSeconds?: number;
    /** Free space of a data volume, in percent, below which the disk alert fires. @default 10 */
    readonly diskFreeAlertPercent?: number;
    /** Extra labels on the ServiceMonitor and PrometheusRule (e.g. the `release` label a Prometheus selects on). @default {} */
    readonly monitorLabels?: Readonly<Record<string, string>>;
}

/**
 * Values of `extraConfig`, rendered as `key=value` under `[mysqld]`: strings, as in an option file
 * ("500", "ON"). Numbers and booleans are accepted at run time too (JavaScript callers); the type
 * says string because the multi-language schema has no unions.
 */
export type ServerSettingValue = string;

/**
 * Arguments of {@link MySqlCluster}. The values users wire from other resources (namespace, images,
 * StorageClass, Secrets, resources, labels, passwords) may be Outputs; everything else is a plain
 * value. Every value is validated: before any resource is registered when it is known, and when
 * an Output resolves otherwise (the update then fails with the field named).
 */
export interface MySqlClusterArgs {
    /** Number of pods: pod 0 is the primary, the others read replicas. An integer >= 1. @default 3 */
    readonly replicas?: number;
    /** Namespace of every object (must already exist; e.g. a Namespace's `metadata.name`). A DNS-1123 label. @default "default" */
    readonly namespace?: pulumi.Input<string>;
    /** Database engine: "mysql" or "mariadb". @default "mysql" */
    readonly engine?: Engine;
    /**
     * Engine version: mysql "9.7" (LTS) or "8.4" (LTS), other "9.x" accepted (5.7 is refused: end-of-life,
     * no GTIDs); mariadb "10.11", "11.4" or "11.8" (LTS); a patch level ("9.7.4") pins the default image
     * tag. A newer version rolls the pods (replicas first); an older major.minor is refused. Proven by
     * this repository's suites: MySQL 9.7, MariaDB 10.11 and 11.8; MySQL 8.4 and MariaDB 11.4 on paper only.
     * @default "9.7" for mysql, "10.11" for mariadb
     */
    readonly version?: string;
    /** Server image (it also runs the `init-mysql` init container). @default "mysql:<version>" or "mariadb:<version>" */
    readonly image?: pulumi.Input<string>;
    /**
     * Image of clone-mysql and the backup sidecar. No supported flavor needs a separate one.
     * @default the server image
     */
    readonly backupImage?: pulumi.Input<string>;
    /**
     * Size of each pod's data volume (Kubernetes quantity). A larger size expands the existing
     * claims in place (the StorageClass must allow expansion); a smaller one is refused.
     * @default "10Gi"
     */
    readonly storageSize?: string;
    /** StorageClass of the data volumes; fixed once the cluster exists. @default the cluster's default StorageClass */
    readonly storageClassName?: pulumi.Input<string>;
    /**
     * Size limit of the server's tmpdir, an emptyDir on the node's disk (sorts, ALTER TABLE's
     * temporary files, the binary log cache of large transactions): a pod that exceeds it is
     * evicted by the kubelet (and restarts), so a runaway query cannot fill the node's disk.
     * @default "2Gi"
     */
    readonly tmpSize?: string;
    /**
     * Resources of the server container (and the init containers). A limit below its request is refused.
     * @default requests cpu "500m", memory "1Gi"; no limits
     */
    readonly resources?: pulumi.Input<ResourceRequirements>;
    /** Resources of the `member` sidecar and of the backup sidecar (stream flavors). @default requests cpu "100m", memory "256Mi"; no limits */
    readonly sidecarResources?: pulumi.Input<ResourceRequirements>;
    /** Root password (`root@localhost` only; there is no `root@'%'`). @default generated, 32 alphanumerics, kept in state as a secret */
    readonly rootPassword?: pulumi.Input<string>;
    /**
     * Password of the replication account `repl@'%'` (REPLICATION SLAVE only). At most 32 characters
     * on MySQL (its replication limit; checked when the value is known).
     * @default generated
     */
    readonly replicationPassword?: pulumi.Input<string>;
    /** Password of the clone/backup account, also the secret that opens the backup stream. @default generated */
    readonly backupPassword?: pulumi.Input<string>;
    /**
     * Use this existing Secret instead of creating one. It must hold the keys `root-password`,
     * `replication-password` and `backup-password` (and `user-password` when `user` is set).
     * Conflicts with the password args. The component never reads it, so the same program may
     * create it (pass its `metadata.name`: the pods wait for it); a missing key is named in the pods'
     * logs. Changing its values rotates the passwords like any change of the Secret.
     * @default undefined (a Secret `<name>-credentials` is created)
     */
    readonly existingSecretName?: pulumi.Input<string>;
    /**
     * Extra server settings under `[mysqld]`, e.g. `{ max_connections: "500" }`: strings, as in an
     * option file (JavaScript callers may pass numbers and booleans; `true` is `ON`). Settings the
     * component manages (server-id, datadir, socket, port, log-bin, relay-log, read_only,
     * super_read_only, gtid_mode, gtid_domain_id, ...) are refused.
     * @default {}
     */
    readonly extraConfig?: Readonly<Record<string, ServerSettingValue>>;
    /** Client port of the server and the Services. @default 3306 */
    readonly port?: number;
    /** Port on which stream flavors serve backups to new replicas. @default 3307 */
    readonly backupPort?: number;
    /**
     * A replica lagging more than this leaves the read Service. The same bound holds while the
     * primary restarts or is unreachable: a replica whose I/O thread reconnects keeps serving reads
     * for at most this long since it last received, then leaves.
     * @default 30
     */
    readonly maxReplicaLagSeconds?: number;
    /**
     * Time a server may take to start (first init, crash recovery of a large datadir) before the
     * kubelet restarts it; sizes the startup probe. A pod still copying its data counts as alive:
     * no probe cuts a copy short. At least 60.
     * @default 3600
     */
    readonly startupTimeoutSeconds?: number;
    /**
     * How long pod 0, restarting with data, waits for peers that do not answer before it takes
     * writes. Peers that answer are always compared first: pod 0 never takes writes while a peer of
     * its cluster holds transactions it lacks. Lower it for faster restarts while a replica's node is
     * down; raise it where a replica may come back with newer data than the primary. At least 0.
     * @default 30
     */
    readonly primaryPeerWaitSeconds?: number;
    /**
     * How long `pulumi up` waits for the StatefulSet's rollout (every pod Ready, e.g. after a
     * scale-up whose new pods copy a large data directory) before it fails the update. The
     * provider's own default is 10 minutes, too short for a large clone: allow roughly size / 100 MB/s
     * plus a few minutes. 1 to 10080.
     * @default 60
     */
    readonly awaitTimeoutMinutes?: number;
    /**
     * Do not wait for the StatefulSet's rollout at all (annotation `pulumi.com/skipAwait`): `pulumi up`
     * ends once the objects are applied; watch `kubectl rollout status statefulset/<name>` yourself.
     * For very large copies, or CI previews against real clusters.
     * @default false
     */
    readonly skipAwait?: boolean;
    /** Extra labels on every object and pod (the `app.kubernetes.io/*` labels are the component's). @default {} */
    readonly labels?: pulumi.Input<Readonly<Record<string, pulumi.Input<string>>>>;
    /** Keep pods on different nodes: "soft" prefers it, "hard" requires it. @default "soft" */
    readonly podAntiAffinity?: PodAntiAffinity;
    /** Node labels the pods must run on. @default {} */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /** Taints the pods tolerate. @default [] */
    readonly tolerations?: Toleration[];
    /** Spread of the pods over a topology (zones, ...). @default [] */
    readonly topologySpreadConstraints?: TopologySpreadConstraint[];
    /** PriorityClass of the pods. @default undefined (the cluster default) */
    readonly priorityClassName?: string;
    /** Raw pod affinity (node, pod and pod anti-affinity terms), added to the built-in anti-affinity, never replacing it. @default undefined (the built-in anti-affinity only) */
    readonly affinity?: Affinity;
    /** Secrets (names, in the namespace) the kubelet uses to pull the images. @default [] */
    readonly imagePullSecrets?: string[];
    /** Extra annotations of the pods (the component's own `mysql-cluster.pulumi.com/*` keys are refused). A change rolls the pods. @default {} */
    readonly podAnnotations?: Readonly<Record<string, string>>;
    /**
     * Extra environment variables of the `mysql` container. Names the component sets, its scripts mention, or that change how
     * its scripts and clients run (`MYSQL_*`, `MARIADB_*`, `HOME`, `PATH`, `BASH_*`, ...) are refused, and so
     * is a `secretKeyRef` to the component's credentials Secret.
     * @default []
     */
    readonly extraEnv?: EnvVarOptions[];
    /** The primary (write) Service: type and annotations. @default type "ClusterIP", no annotations */
    readonly primaryService?: ServiceOptions;
    /** The read Service: type and annotations. The headless Service stays `clusterIP: None`. @default type "ClusterIP", no annotations */
    readonly readService?: ServiceOptions;
    /**
     * What happens to the data claims when the StatefulSet is deleted or scaled down. The default keeps
     * the data; "Delete" is an explicit choice to lose it.
     * @default whenDeleted "Retain", whenScaled "Retain"
     */
    readonly persistentVolumeClaimRetentionPolicy?: ClaimRetentionPolicy;
    /**
     * Who may connect to the client port, besides the cluster's own pods (a NetworkPolicy).
     * `[]` admits only the cluster's own pods. The backup port only ever admits the cluster's own pods.
     * @default undefined (every pod in the cluster may connect to the client port)
     */
    readonly allowedClients?: ClientSelector[];
    /** Application database created on the first start of the primary. @default undefined (none) */
    readonly database?: string;
    /** Application account (`'<user>'@'%'`, ALL on `database`), created with the database (needs `database`). @default undefined (none) */
    readonly user?: string;
    /** Password of `user` (Secret key `user-password`). @default generated when `user` is set */
    readonly userPassword?: pulumi.Input<string>;
    /**
     * Serve TLS with this certificate; replicas (and CLONE) then connect to their source over
     * TLS and verify its certificate against `ca.crt` (see docs/tls.md).
     * @default undefined (no TLS configured)
     */
    readonly tls?: TlsOptions;
    /**
     * Export Prometheus metrics from every pod (an exporter sidecar, a `metrics` port on the headless
     * Service), optionally with a ServiceMonitor and alert rules (see docs/metrics.md).
     * @default undefined (no exporter)
     */
    readonly metrics?: MetricsOptions;
}

/** The args that may be Outputs. */
export const wirableArgs = [
    "namespace", "image", "backupImage", "storageClassName", "existingSecretName", "resources", "sidecarResources", "labels", "tls",
] as const;
type WirableArg = (typeof wirableArgs)[number];

/**
 * MySqlClusterArgs with every wirable value known: what validation reads. Passwords stay Inputs
 * (they only ever reach the Secret).
 */
export type ResolvedArgs = Omit<MySqlClusterArgs, WirableArg> & { readonly [K in WirableArg]?: pulumi.Unwrap<MySqlClusterArgs[K]> };
