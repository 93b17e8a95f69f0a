/**
 * Stack configuration (Pulumi.yaml `config:`) to MySqlCluster args, for this repo's own stack
 * program. Empty strings in stack config mean "use the component's default".
 */
import * as pulumi from "@pulumi/pulumi";
import { MySqlClusterArgs, ServerSettingValue } from "./args";
import { Engine } from "./flavors";

export interface StackSettings {
    readonly clusterName: string;
    readonly args: MySqlClusterArgs;
}

const optional = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);

/** Parses `extraConfig` entries ("name=value"); a malformed entry names itself in the error. */
export function parseExtraConfig(entries: readonly string[]): Record<string, ServerSettingValue> {
    const settings: Record<string, ServerSettingValue> = {};
    for (const entry of entries) {
        const eq = typeof entry === "string" ? entry.indexOf("=") : -1;
        if (eq <= 0) {
            throw new Error(`config extraConfig: entry ${JSON.stringify(entry)} must look like "name=value"`);
        }
        settings[entry.slice(0, eq).trim()] = entry.slice(eq + 1).trim();
    }
    return settings;
}

export function readStackSettings(config: pulumi.Config): StackSettings {
    const limits = {
        cpu: optional(config.get("cpuLimit")),
        memory: optional(config.get("memoryLimit")),
    };
    const rootPassword = config.getSecret("rootPassword");
    return {
        clusterName: config.get("clusterName") ?? "mysql",
        args: {
            namespace: optional(config.get("namespace")),
            replicas: config.getNumber("replicas"),
            engine: optional(config.get("engine")) as Engine | undefined,
            version: optional(config.get("version")),
            image: optional(config.get("image")),
            backupImage: optional(config.get("backupImage")),
            storageSize: optional(config.get("storageSize")),
            storageClassName: optional(config.get("storageClassName")),
            resources: {
                requests: { cpu: optional(config.get("cpuRequest")), memory: optional(config.get("memoryRequest")) },
                limits: limits.cpu !== undefined || limits.memory !== undefined ? limits : undefined,
            },
            existingSecretName: optional(config.get("existingSecretName")),
            extraConfig: parseExtraConfig(config.getObject<string[]>("extraConfig") ?? []),
            maxReplicaLagSeconds: config.getNumber("maxReplicaLagSeconds"),
            startupTimeoutSeconds: config.getNumber("startupTimeoutSeconds"),
            primaryPeerWaitSeconds: config.getNumber("primaryPeerWaitSeconds"),
            awaitTimeoutMinutes: config.getNumber("awaitTimeoutMinutes"),
            skipAwait: config.getBoolean("skipAwait"),
            database: optional(config.get("database")),
            user: optional(config.get("user")),
            // secret stack values cannot have a schema default, so rootPassword is not declared
            ...(config.get("rootPassword") !== undefined ? { rootPassword } : {}),
        },
    };
}
