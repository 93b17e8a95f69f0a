/**
 * Engine flavors as data: everything that differs between MySQL 8.4/9.x and MariaDB lives in
 * this table, so builders and scripts carry no per-engine branches of their own.
 */

/** Database engine. */
/** The database engines (an enum of the multi-language schema). */
export const Engine = { Mysql: "mysql", Mariadb: "mariadb" } as const;
export type Engine = (typeof Engine)[keyof typeof Engine];

/** How a new replica gets its first copy of the data. */
export type BootstrapMethod = "clone" | "stream";

export interface Flavor {
    /** Stable key, e.g. "mysql-8.4". */
    readonly key: string;
    readonly engine: Engine;
    /** Human description of the supported versions, used in error messages and docs. */
    readonly versions: string;
    /** Matches the `version` arg (major.minor, optional patch). */
    readonly versionPattern: RegExp;
    /** Image for the server (and, unless `backupImage` is set, every other container). */
    readonly defaultImage: (version: string) => string;
    /** Separate image for clone-mysql and the backup sidecar (none of the supported flavors needs one). */
    readonly defaultBackupImage?: string;
    readonly bootstrap: BootstrapMethod;
    /** `source`: CHANGE REPLICATION SOURCE / START REPLICA; `master`: CHANGE MASTER / SLAVE. */
    readonly replicationSyntax: "source" | "master";
    /** How run-mysql.sh creates an empty data directory. */
    readonly initMethod: "mysqld" | "mariadb-install-db";
    readonly binaries: {
        readonly server: string;
        readonly client: string;
        readonly installDb?: string;
        /** The upgrade step after a version change, where the server does not do it itself (MariaDB). */
        readonly upgrade?: string;
        /** Turns /usr/share/zoneinfo into SQL for the time-zone tables (loaded at initialisation). */
        readonly tzinfoToSql: string;
        readonly backup?: string;
        readonly stream?: string;
    };
    /**
     * Stream flavors: threads that read the donor's files (backup `--parallel`) and write the copy's
     * (stream tool `--parallel`); unset: one each, and no flag (xbstream before 2.4.7 has none).
     */
    readonly copyThreads?: number;
    /**
     * The privilege that lets the replication account read a peer's replication status (what it
     * retrieved but has not applied counts in every decision): SHOW REPLICA / SLAVE STATUS.
     */
    readonly replicaMonitorGrant: string;
    /** Account that copies data to a new replica, and exactly the privileges its method needs. */
    readonly backupAccount: { readonly user: string; readonly host: string; readonly grants: string };
    /** Server settings every pod of this flavor gets (after the common ones). */
    readonly serverSettings: ReadonlyArray<readonly [string, string]>;
    /** Settings that make a replica read-only. */
    readonly replicaSettings: ReadonlyArray<readonly [string, string]>;
    /** Numeric uid/gid of the `mysql` user in the default image. */
    readonly mysqlUid: number;
    /** ALTER USER ... RETAIN CURRENT PASSWORD (MySQL 8.0.14+): a rotation keeps the old password valid too. */
    readonly dualPasswords: boolean;
    /** Loads a renewed TLS certificate without a restart (none on 5.7: a restart is needed). */
    readonly tlsReloadSql?: string;
    /** collation-server with character-set-server utf8mb4 (the server's own utf8mb4 default). */
    readonly defaultCollation: string;
    /** The images write only to the pod's volumes, so the root filesystem can be read-only. */
    readonly readOnlyRootFilesystem: boolean;
    /**
     * Engine behaviour the scripts handle either way and the e2e suite checks: the prefix of a
     * physical backup's info files (`<prefix>_binlog_info`, `_slave_info`, `_checkpoints`; MariaDB
     * 11 renamed them), none for CLONE.
     */
    readonly backupInfoPrefix?: "xtrabackup" | "mariadb_backup";
    /** How `require_secure_transport` refuses a plaintext client: MySQL and MariaDB 11 name it (3159), MariaDB 10.11 says Access denied (1045). */
    readonly plaintextRefusal: "insecure-transport" | "access-denied";
    /**
     * The file in the data directory where the engine's upgrade step records the version it
     * upgraded the system tables to (MariaDB 11 renamed it); none where the server upgrades itself.
     */
    readonly upgradeInfoFile?: "mysql_upgrade_info" | "mariadb_upgrade_info";
    /**
     * Server-wide privileges of the metrics exporter's account (besides SELECT on performance_schema):
     * status and processlist, binary log and replica status.
     */
    readonly metricsGrants: string;
    /**
     * mysqld_exporter's names for the replica status columns it exports (`mysql_slave_status_` and
     * the column in lower case): MySQL 8.4+ has only SHOW REPLICA STATUS, whose columns were renamed.
     */
    readonly replicaMetrics: { readonly ioRunning: string; readonly sqlRunning: string; readonly lagSeconds: string };
    /**
     * Caches besides the buffer pool whose engine default is fixed whatever the pod's memory:
     * sized to `fraction` of it, within [minBytes, maxBytes] (see builders/memory.ts).
     */
    readonly memoryCaches: ReadonlyArray<{ readonly setting: string; readonly fraction: number; readonly minBytes: number; readonly maxBytes: number }>;
}

const MiB = 2 ** 20;

/** SHOW SLAVE STATUS (MariaDB, MySQL 5.7) and SHOW REPLICA STATUS (MySQL 8.4+) as mysqld_exporter names them. */
const slaveColumnMetrics = {
    ioRunning: "mysql_slave_status_slave_io_running",
    sqlRunning: "mysql_slave_status_slave_sql_running",
    lagSeconds: "mysql_slave_status_seconds_behind_master",
};
const replicaColumnMetrics = {
    ioRunning: "mysql_slave_status_replica_io_running",
    sqlRunning: "mysql_slave_status_replica_sql_running",
    lagSeconds: "mysql_slave_status_seconds_behind_source",
};

const mysqlModern = (key: string, versions: string, versionPattern: RegExp): Flavor => ({
    key,
    engine: "mysql",
    versions,
    versionPattern,
    defaultImage: (version) => `mysql:${version}`,
    bootstrap: "clone",
    replicationSyntax: "source",
    initMethod: "mysqld",
    binaries: { server: "mysqld", client: "mysql", tzinfoToSql: "mysql_tzinfo_to_sql" },
    replicaMonitorGrant: "REPLICATION CLIENT",
    backupAccount: { user: "clone", host: "%", grants: "BACKUP_ADMIN" },
    serverSettings: [
        ["gtid_mode", "ON"],
        ["enforce_gtid_consistency", "ON"],
        ["plugin-load-add", "mysql_clone.so"],
        // the pod's local administrator logs in over the socket as its OS user (no password)
        ["plugin-load-add", "auth_socket.so"],
        ["secure-file-priv", "NULL"],
        ["loose-mysqlx", "OFF"],
        // a silent network cut is noticed in seconds, not the default 60 (heartbeats every 5 s)
        ["replica_net_timeout", "10"],
        // member.sh starts replication once the source is known to hold everything this copy has
        ["skip_replica_start", "ON"],
        // parallel apply (the 8.0.27+ defaults, stated): 4 workers, commits in the source's order
        ["replica_parallel_workers", "4"],
        ["replica_preserve_commit_order", "ON"],
    ],
    replicaSettings: [
        ["read_only", "ON"],
        ["super_read_only", "ON"],
    ],
    mysqlUid: 999,
    dualPasswords: true,
    defaultCollation: "utf8mb4_0900_ai_ci",
    tlsReloadSql: "ALTER INSTANCE RELOAD TLS",
    readOnlyRootFilesystem: true,
    plaintextRefusal: "insecure-transport",
    metricsGrants: "PROCESS, REPLICATION CLIENT",
    replicaMetrics: replicaColumnMetrics,
    // key_buffer_size is 8 MiB already; the rest is sized by the server from the buffer pool
    memoryCaches: [],
});

/**
 * MariaDB 10.11 and 11.x differ in defaults the component takes over (the utf8mb4 collation) and
 * in behaviour the scripts handle either way (info-file names, the plaintext refusal).
 */
interface MariadbGeneration {
    readonly defaultCollation: string;
    readonly backupInfoPrefix: "xtrabackup" | "mariadb_backup";
    readonly plaintextRefusal: Flavor["plaintextRefusal"];
    readonly upgradeInfoFile: NonNullable<Flavor["upgradeInfoFile"]>;
}

const mariadb10: MariadbGeneration = { defaultCollation: "utf8mb4_general_ci", backupInfoPrefix: "xtrabackup", plaintextRefusal: "access-denied", upgradeInfoFile: "mysql_upgrade_info" };
/**
 * 11.8 (and 11.4, on paper): utf8mb4's default collation is utf8mb4_uca1400_ai_ci (Unicode 14);
 * mariadb-backup writes mariadb_backup_* info files and mariadb-upgrade mariadb_upgrade_info; SSL is on by default with a self-made
 * certificate, and require_secure_transport refuses plaintext with error 3159. InnoDB's
 * `innodb_snapshot_isolation` is ON from 11.6: a transaction that would overwrite a row changed
 * after its snapshot fails with ER_CHECKREAD instead of silently writing over it; the component
 * keeps the server's default (replicas apply row events, which it does not affect).
 */
const mariadb11: MariadbGeneration = { defaultCollation: "utf8mb4_uca1400_ai_ci", backupInfoPrefix: "mariadb_backup", plaintextRefusal: "insecure-transport", upgradeInfoFile: "mariadb_upgrade_info" };

const mariadb = (key: string, versions: string, versionPattern: RegExp, generation: MariadbGeneration): Flavor => ({
    key,
    engine: "mariadb",
    versions,
    versionPattern,
    defaultImage: (version) => `mariadb:${version}`,
    bootstrap: "stream",
    replicationSyntax: "master",
    initMethod: "mariadb-install-db",
    binaries: {
        server: "mariadbd",
        client: "mariadb",
        installDb: "mariadb-install-db",
        upgrade: "mariadb-upgrade",
        tzinfoToSql: "mariadb-tzinfo-to-sql",
        backup: "mariadb-backup",
        stream: "mbstream",
    },
    // with one thread each the unpacking was the stream's limit (bench:clone, docs/benchmarks.md)
    copyThreads: 2,
    // --slave-info on a primary needs SLAVE MONITOR as well, or the backup fails at its very end
    replicaMonitorGrant: "SLAVE MONITOR",
    backupAccount: {
        user: "backup",
        host: "localhost",
        grants: "RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SLAVE MONITOR",
    },
    serverSettings: [
        ["binlog_format", "ROW"],
        ["log_slave_updates", "ON"],
        ["slave_net_timeout", "10"],
        // MariaDB keeps binary logs forever by default; a replica further behind re-clones
        ["binlog_expire_logs_seconds", "604800"],
        // member.sh starts replication once the source is known to hold everything this copy has
        ["skip_slave_start", "ON"],
        // a replica with a transaction of its own stops instead of mixing it into the primary's history
        ["gtid_strict_mode", "ON"],
        // reconnect attempts (every 10 s) before giving up: ~115 days; member.sh restarts it anyway
        ["master_retry_count", "1000000"],
        // parallel apply: 4 threads, optimistic (every mode commits in the primary's order, so the
        // data is always a prefix of its history). A copy taken from such a replica starts from its
        // own mysql.gtid_slave_pos, not from the backup's slave_info, which was seen over a thousand
        // transactions behind the data (replication.sh, positioning_sql)
        ["slave_parallel_threads", "4"],
        ["slave_parallel_mode", "optimistic"],
    ],
    // MariaDB has no super_read_only; read_only binds every account without READ_ONLY ADMIN
    replicaSettings: [["read_only", "ON"]],
    mysqlUid: 999,
    dualPasswords: false,
    // LOCAL: never binary-logged (a logged FLUSH on a replica would be an errant transaction)
    tlsReloadSql: "FLUSH LOCAL SSL",
    // REPLICATION CLIENT is BINLOG MONITOR since 10.5; SHOW SLAVE STATUS needs SLAVE MONITOR
    metricsGrants: "PROCESS, BINLOG MONITOR, SLAVE MONITOR",
    replicaMetrics: slaveColumnMetrics,
    readOnlyRootFilesystem: true,
    // 128 MiB each by default, even in a 256 MiB pod: the MyISAM key cache (the component creates
    // no MyISAM tables) and the Aria page cache (system tables, on-disk internal temporary tables)
    memoryCaches: [
        { setting: "key_buffer_size", fraction: 1 / 128, minBytes: 8 * MiB, maxBytes: 128 * MiB },
        { setting: "aria_pagecache_buffer_size", fraction: 1 / 16, minBytes: 16 * MiB, maxBytes: 128 * MiB },
    ],
    ...generation,
});

/** Every supported flavor, in the order versions are matched. */
export const flavors: readonly Flavor[] = [
    mysqlModern("mysql-8.4", "8.4", /^8\.4(\.\d+)?$/),
    mysqlModern("mysql-9", "9.x", /^9\.\d+(\.\d+)?$/),
    mariadb("mariadb-10.11", "10.11", /^10\.11(\.\d+)?$/, mariadb10),
    mariadb("mariadb-11.4", "11.4", /^11\.4(\.\d+)?$/, mariadb11),
    mariadb("mariadb-11.8", "11.8 (LTS)", /^11\.8(\.\d+)?$/, mariadb11),
];

/**
 * Version used when the `version` arg is not set: for MySQL the newest LTS, 9.7 (April 2026), the
 * version the e2e and Kubernetes suites run; 8.4 LTS stays selectable (checked on paper only).
 */
export const defaultVersions: Readonly<Record<Engine, string>> = { mysql: "9.7", mariadb: "10.11" };

/**
 * Versions that were supported once and are refused now, with why and what to do instead: MySQL
 * 5.7 ran without GTIDs, so every data-safety decision (which copy is the most advanced, what a
 * replica lacks) was blind on it; it is end-of-life (October 2023) and no binaries run here.
 */
export const removedVersions: ReadonlyArray<{ readonly engine: Engine; readonly pattern: RegExp; readonly why: string }> = [
    {
        engine: "mysql",
        pattern: /^5\.7(\.\d+)?$/,
        why: "MySQL 5.7 is no longer supported: it is end-of-life and ran without GTIDs, so the component " +
            "could not check which copy holds which transactions. Use version \"8.4\" or \"9.7\" (move the data " +
            "with a logical dump, or replicate into a new 8.4 cluster)",
    },
];

/** The flavor for an engine and version, or undefined when the pair is not supported. */
export function findFlavor(engine: Engine, version: string): Flavor | undefined {
    return flavors.find((f) => f.engine === engine && f.versionPattern.test(version));
}

/** Supported versions of an engine, for error messages. */
export function supportedVersions(engine: Engine): string {
    return flavors.filter((f) => f.engine === engine).map((f) => f.versions).join(", ");
}
