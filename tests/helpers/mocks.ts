/**
 * Pulumi mocks that record every registered resource's inputs by type token, and a helper to
 * await outputs. Shared by the unit tests and the e2e harness (which drives pods from exactly
 * what the component registers).
 */
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: any;
    /** Inputs as the engine sent them: secret values still wrapped (see isSecretValue). */
    readonly rawInputs: any;
    /** Provider reference ("urn::id") the resource was registered with, if any. */
    readonly provider?: string;
}

export const registered: Registered[] = [];

/** Value GeneratedPassword mocks return: recognisable, so tests can search for leaks. */
export const mockGeneratedPassword = (name: string) => `generated-${name}-Zq7`;

/**
 * Transforms declared on a component. The engine applies them to the component's children; the mock
 * monitor runs none, so these mocks do what the engine does for the resources registered after the
 * component in one render (all of them its children, parented to it; tests check the parent URNs).
 */
const componentTransforms: pulumi.ResourceTransform[] = [];

async function transformed(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceArgs> {
    if (args.type === types.component) {
        componentTransforms.push(...(args.transforms ?? []));
        return args;
    }
    let inputs = args.inputs;
    for (const transform of componentTransforms) {
        const result = await transform({ custom: args.custom ?? true, type: args.type, name: args.name, props: inputs, opts: {} });
        inputs = result?.props ?? inputs;
    }
    return { ...args, inputs };
}

pulumi.runtime.setMocks({
    async newResource(given: pulumi.runtime.MockResourceArgs) {
        const args = await transformed(given);
        registered.push({
            type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs), rawInputs: args.inputs,
            provider: args.provider,
        });
        const state = { ...args.inputs };
        if (args.type === types.generatedPassword) {
            state.result = mockGeneratedPassword(args.name);
        }
        return { id: `${args.name}-id`, state };
    },
    call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
    },
}, "mysql-cluster", "test", false);

/** The engine's marker of a secret value: `{ [specialSigKey]: specialSecretSig, value }`. */
export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null &&
        (value as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
}

/** A copy with every secret wrapper replaced by its value. */
export function unwrapSecrets(value: any): any {
    if (isSecretValue(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Awaits an Output's value (unknowns are not expected under mocks). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Forgets what was registered, before a new scenario. */
export function resetRegistered(): void {
    registered.length = 0;
    componentTransforms.length = 0;
}

/** Lets pending registrations settle (resource registration is asynchronous). */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setImmediate(resolve));
    }
}

export function byType(type: string): Registered[] {
    return registered.filter((r) => r.type === type);
}

export function one(type: string, name?: string): Registered {
    const found = registered.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
    }
    return found[0];
}

export const types = {
    component: "mysql-cluster:index:MySqlCluster",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    /** Every dynamic resource has this token; GeneratedPassword is the component's only one. */
    generatedPassword: "pulumi-nodejs:dynamic:Resource",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    claimPatch: "kubernetes:core/v1:PersistentVolumeClaimPatch",
} as const;
