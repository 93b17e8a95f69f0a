/** The pod template's extras: image pull secrets, annotations, and the `mysql` container's extra env. */
import { EnvVarOptions, ResolvedArgs } from "../args";
import { podScripts } from "../scripts";
import { annotationMap, dns1123Subdomain } from "./names";
import { Problems } from "./problems";

/** An extra variable, resolved: a plain value or a Secret key. */
export type ExtraEnvVar =
    | { readonly name: string; readonly value: string }
    | { readonly name: string; readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } } };

export interface PodExtras {
    readonly imagePullSecrets: readonly string[];
    readonly podAnnotations: ReadonlyArray<readonly [string, string]>;
    readonly extraEnv: readonly ExtraEnvVar[];
}

/** Prefix of the component's own annotations (the config checksum). */
export const componentAnnotationPrefix = "mysql-cluster.pulumi.com/";

/**
 * Every variable the component sets on a container (tests/unit/knobs.test.ts checks the containers
 * against this list), and those its scripts, bash and the server's clients read.
 */
export const componentEnvNames: readonly string[] = [
    "APP_DATABASE", "APP_USER", "BACKUP_GRANTS", "BACKUP_PORT", "BACKUP_TOOL", "BACKUP_USER", "BACKUP_USER_HOST",
    "BOOTSTRAP_METHOD", "CLUSTER_NAME", "CONFIG_DIR", "CONF_FILE", "COPY_THREADS", "CREDENTIALS_DIR", "DATADIR",
    "DATA_ROOT", "DUAL_PASSWORDS", "ENGINE", "HEADLESS_SERVICE", "INIT_METHOD", "INSTALL_DB", "LOCAL_ADMIN_USER",
    "MAX_REPLICA_LAG_SECONDS", "METRICS_GRANTS", "METRICS_USER", "MYSQLD", "MYSQL_CLIENT", "MYSQL_PORT", "NAMESPACE",
    "POD_NAME", "PRIMARY_PEER_WAIT_SECONDS", "REPLICA_MONITOR_GRANT", "REPLICATION_SYNTAX", "REPLICATION_USER", "RUN_DIR",
    "SERVER_ID_BASE", "SETUP_TIMEOUT_SECONDS", "SOCKET", "STREAM_TOOL", "TLS_CA", "TLS_RELOAD_SQL", "TMPDIR",
    "TOPOLOGY_FILE", "TRANSFER_IDLE_TIMEOUT_SECONDS", "TZINFO_TO_SQL", "UPGRADE_TOOL",
    // read by bash, the scripts ($HOSTNAME is the pod's ordinal) or the clients' option-file search
    "HOME", "PATH", "HOSTNAME", "IFS", "ENV", "SHELLOPTS", "POSIXLY_CORRECT", "LD_PRELOAD", "LD_LIBRARY_PATH", "USER", "LOGNAME",
];
/**
 * Every upper-case variable the pod scripts mention: their tunables (`${MEMBER_POLL_SECONDS:-2}`) and
 * constants. Read from the scripts themselves, so a variable added to a script is refused at once.
 */
export const scriptVariableNames: readonly string[] = [...new Set(Object.values(podScripts)
    .flatMap((text) => [...text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g), ...text.matchAll(/^\s*(?:readonly |local |export )?([A-Z][A-Z0-9_]*)=/gm)])
    .map((match) => match[1]))].sort();

/** Prefixes of variables the images' entrypoints, the server's clients (MYSQL_PWD, MYSQL_HOST, ...) and bash read. */
export const componentEnvPrefixes: readonly string[] = ["MYSQL_", "MARIADB_", "LIBMYSQL_", "BASH_", "BASH"];

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function resolvePodExtras(args: ResolvedArgs, credentialsSecret: string | undefined, problems: Problems): PodExtras {
    let imagePullSecrets: readonly string[] = [];
    if (args.imagePullSecrets !== undefined && !Array.isArray(args.imagePullSecrets)) {
        problems.push(`imagePullSecrets must be a list of Secret names, got ${JSON.stringify(args.imagePullSecrets)}`);
    } else {
        imagePullSecrets = args.imagePullSecrets ?? [];
    }
    imagePullSecrets.forEach((name, i) => {
        if (!(typeof name === "string" && dns1123Subdomain.test(name) && name.length <= 253)) {
            problems.push(`imagePullSecrets[${i}] must be the name of a Secret (DNS-1123 subdomain), got ${JSON.stringify(name)}`);
        } else if (imagePullSecrets.indexOf(name) !== i) {
            problems.push(`imagePullSecrets[${i}] repeats ${JSON.stringify(name)}; list each Secret once`);
        }
    });
    const podAnnotations = annotationMap("podAnnotations", args.podAnnotations, problems);
    for (const [key] of podAnnotations) {
        if (key.startsWith(componentAnnotationPrefix)) {
            problems.push(`podAnnotations.${key} is set by the component; use a key outside ${componentAnnotationPrefix}`);
        }
    }
    return { imagePullSecrets: [...imagePullSecrets], podAnnotations, extraEnv: resolveExtraEnv(args.extraEnv, credentialsSecret, problems) };
}

function resolveExtraEnv(given: EnvVarOptions[] | undefined, credentialsSecret: string | undefined, problems: Problems): ExtraEnvVar[] {
    if (given !== undefined && !Array.isArray(given)) {
        problems.push(`extraEnv must be a list such as [{ name: "TZ", value: "UTC" }], got ${JSON.stringify(given)}`);
        return [];
    }
    const seen = new Set<string>();
    const resolved: ExtraEnvVar[] = [];
    (given ?? []).forEach((variable, i) => {
        const field = `extraEnv[${i}]`;
        const { name, value, secretKeyRef } = variable ?? ({} as EnvVarOptions);
        for (const key of Object.keys(variable ?? {})) {
            if (!["name", "value", "secretKeyRef"].includes(key)) {
                problems.push(`${field}.${key} is not a field; use name with value or secretKeyRef`);
            }
        }
        if (typeof name !== "string" || !envName.test(name)) {
            problems.push(`${field}.name must be letters, digits and '_', not starting with a digit, got ${JSON.stringify(name)}`);
            return;
        }
        if (componentEnvNames.includes(name) || scriptVariableNames.includes(name) || componentEnvPrefixes.some((prefix) => name.startsWith(prefix))) {
            problems.push(`${field}.name ${name} is set or read by the component (its scripts, bash or the server's clients); use another name`);
        }
        if (seen.has(name)) {
            problems.push(`${field}.name ${name} is listed twice; keep one`);
        }
        seen.add(name);
        if ((value === undefined) === (secretKeyRef === undefined)) {
            problems.push(`${field} (${name}) must set exactly one of value and secretKeyRef`);
            return;
        }
        if (value !== undefined) {
            if (typeof value !== "string") {
                problems.push(`${field}.value (${name}) must be a plain string; for a secret use secretKeyRef (a plain value is stored as it is), got ${describe(value)}`);
                return;
            }
            resolved.push({ name, value });
            return;
        }
        const ref = secretKeyRef!;
        if (!(typeof ref?.name === "string" && dns1123Subdomain.test(ref.name))) {
            problems.push(`${field}.secretKeyRef.name (${name}) must be the name of a Secret, got ${JSON.stringify(ref?.name)}`);
        } else if (ref.name === credentialsSecret) {
            problems.push(`${field}.secretKeyRef (${name}) names the component's credentials Secret ${ref.name}: its passwords never go into env; use another Secret`);
        }
        if (!(typeof ref?.key === "string" && /^[-._a-zA-Z0-9]{1,253}$/.test(ref.key))) {
            problems.push(`${field}.secretKeyRef.key (${name}) must be a Secret key (letters, digits, '-', '_', '.'), got ${JSON.stringify(ref?.key)}`);
        }
        resolved.push({ name, valueFrom: { secretKeyRef: { name: ref?.name, key: ref?.key } } });
    });
    return resolved;
}

/** A value for a message, without printing what may be a secret (an Output's content is never read). */
function describe(value: unknown): string {
    return value !== null && typeof value === "object" ? "an object (an Output or a secret?)" : typeof value;
}
