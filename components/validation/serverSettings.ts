/** `extraConfig`: server settings under `[mysqld]`, none of those the component manages. */
import { MySqlClusterArgs } from "../args";
import { Problems } from "./problems";

/** Settings the component owns; overriding them would break replication or the scripts. */
const managedSettings = [
    "bind_address", "datadir", "enforce_gtid_consistency", "gtid_mode", "log_bin", "log_replica_updates",
    "log_slave_updates", "pid_file", "plugin_load_add", "port", "read_only", "relay_log",
    "relay_log_recovery", "report_host", "server_id", "skip_networking", "socket", "super_read_only",
    "skip_replica_start", "skip_slave_start", "gtid_strict_mode", "gtid_domain_id",
    "ssl_ca", "ssl_cert", "ssl_key", "require_secure_transport",
];

const settingName = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export function resolveExtraConfig(
    given: MySqlClusterArgs["extraConfig"],
    problems: Problems,
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
