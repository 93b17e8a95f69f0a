/**
 * Args wired from other resources' outputs. Validation needs values; Outputs have them only once
 * they resolve. So: a *shape* config is resolved at once, from the known values plus a valid
 * placeholder for each wired one (every known value is validated before anything is registered,
 * and the shape decides which children exist); the *full* config is an Output that resolves, and
 * validates, every value once the wired ones are known, failing the update with the field named.
 * Each child's fields are then that Output through its pure builder.
 */
import * as pulumi from "@pulumi/pulumi";
import { MySqlClusterArgs, ResolvedArgs, wirableArgs } from "./args";
import { ClusterConfig, resolveConfig } from "./config";

/** True when the value is, or holds, an Output or a Promise. */
export function holdsOutputs(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return true;
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(holdsOutputs);
    }
    return false;
}

/** Valid stand-ins of the same shape, for the wired values (never used to build a child). */
const placeholders: { readonly [K in (typeof wirableArgs)[number]]: (given: any) => unknown } = {
    namespace: () => "wired",
    image: () => "wired:wired",
    backupImage: () => "wired:wired",
    storageClassName: () => "wired",
    existingSecretName: () => "wired",
    resources: () => ({}),
    sidecarResources: () => ({}),
    labels: () => ({}),
    tls: (tls) => ({ ...tls, secretName: "wired" }),
};

export interface WiredConfig {
    /** Resolved now: every known value validated; wired ones as placeholders. */
    readonly shape: ClusterConfig;
    /** The real config: plain when nothing is wired, else an Output resolving every value. */
    readonly config: ClusterConfig | pulumi.Output<ClusterConfig>;
}

export function resolveWired(name: string, args: MySqlClusterArgs): WiredConfig {
    const given = (args ?? {}) as Record<string, unknown>;
    const wired = wirableArgs.filter((key) => holdsOutputs(given[key]));
    const known = { ...given };
    for (const key of wired) {
        known[key] = placeholders[key](given[key]);
    }
    // throws MySqlClusterArgsError with every problem among the known values
    const shape = resolveConfig(name, known as ResolvedArgs);
    if (wired.length === 0) {
        return { shape, config: shape };
    }
    // only the wired values pass through pulumi.output (never a password: that would make the whole
    // config, and every object built from it, a secret)
    const values = pulumi.output(Object.fromEntries(wired.map((key) => [key, given[key]])));
    const config = values.apply((resolved) => resolveConfig(name, { ...given, ...resolved } as ResolvedArgs));
    return { shape, config };
}

/**
 * A child's args from a builder: the built object when the config is plain; otherwise each
 * top-level field is an Output of the builder's result (apiVersion and kind stay plain: resource
 * types are fixed when registered). The fields are those the shape builds.
 */
export function built<T extends object>(wiring: WiredConfig, build: (config: ClusterConfig) => T): T {
    const { shape, config } = wiring;
    if (!pulumi.Output.isInstance(config)) {
        return build(config);
    }
    const fromShape = build(shape) as Record<string, unknown>;
    const result = config.apply(build) as pulumi.Output<Record<string, unknown>>;
    return Object.fromEntries(Object.keys(fromShape).map((key) =>
        [key, key === "apiVersion" || key === "kind" ? fromShape[key] : result.apply((r) => r[key])])) as T;
}

/** One value of the config, plain or an Output. */
export function configValue<T>(wiring: WiredConfig, pick: (config: ClusterConfig) => T): pulumi.Input<T> {
    const { config } = wiring;
    return pulumi.Output.isInstance(config) ? config.apply(pick) : pick(config);
}
