/** The my.cnf fragments in the ConfigMap. init-mysql joins base + role + extra + server-id. */
import { ClusterConfig } from "../config";
import { paths } from "../paths";
import { memorySettings } from "./memory";

type Settings = ReadonlyArray<readonly [string, string]>;

function section(comment: string, settings: Settings): string {
    const lines = settings.map(([key, value]) => `${key}=${value}`);
    return [`# ${comment}`, "[mysqld]", ...lines, ""].join("\n");
}

/** Settings of every pod: paths, durable binary log, crash-safe relay log, then the flavor's. */
export function baseServerConfig(config: ClusterConfig): string {
    return section("mysql-cluster: every pod (written by the component; do not edit)", [
        ["datadir", paths.dataDir],
        ["socket", paths.socket],
        ["pid-file", `${paths.runDir}/mysqld.pid`],
        ["tmpdir", paths.tmpDir],
        ["port", String(config.port)],
        ["skip-name-resolve", "ON"],
        ["log-bin", "mysql-bin"],
        // fixed names: the defaults depend on the hostname, which a clone does not share
        ["relay-log", "relay-bin"],
        ["sync_binlog", "1"],
        ["innodb_flush_log_at_trx_commit", "1"],
        ["relay_log_recovery", "ON"],
        // what the images' own option files would set: full Unicode (MariaDB and 5.7 default to latin1);
        // extraConfig may override both
        ["character-set-server", "utf8mb4"],
        ["collation-server", config.flavor.defaultCollation],
        ...config.flavor.serverSettings,
        // sized to the container's memory (extraConfig overrides)
        ...memorySettings(config),
        ...tlsSettings(config),
    ]);
}

function tlsSettings(config: ClusterConfig): Settings {
    if (config.tls === undefined) {
        return [];
    }
    const settings: Array<[string, string]> = [
        ["ssl_ca", `${paths.tlsDir}/ca.crt`],
        ["ssl_cert", `${paths.tlsDir}/tls.crt`],
        ["ssl_key", `${paths.tlsDir}/tls.key`],
    ];
    if (config.tls.requireSecureTransport) {
        settings.push(["require_secure_transport", "ON"]);
    }
    return settings;
}

/** Pod 0 starts read-only too: member.sh makes it writable once no peer holds newer data. */
export function primaryServerConfig(config: ClusterConfig): string {
    return section("mysql-cluster: pod 0, the primary: starts read-only; the member sidecar makes it writable",
        config.flavor.replicaSettings);
}

export function replicaServerConfig(config: ClusterConfig): string {
    return section("mysql-cluster: pods 1..N-1, read replicas", config.flavor.replicaSettings);
}

export function extraServerConfig(config: ClusterConfig): string {
    return section("mysql-cluster: extraConfig", config.extraConfig);
}
