/**
 * What the data was last deployed with, kept in Pulumi state: a change that the data cannot take
 * (another engine, an older major.minor version, a smaller volume, another StorageClass) fails
 * `pulumi preview` and `pulumi up` before any pod or claim changes. A dynamic resource, like
 * GeneratedPassword.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseQuantity } from "./quantity";

export interface DataGuardInputs {
    readonly engine: string;
    /** major.minor[.patch], as the `version` arg. */
    readonly version: string;
    /** The claims' requested size, as the `storageSize` arg. */
    readonly storageSize: string;
    /** The claims' StorageClass; "" for the cluster's default class. */
    readonly storageClassName: string;
}

/** major.minor of a version string, as numbers ([0, 0] when it has none). */
export function majorMinor(version: string): [number, number] {
    const m = version.match(/^(\d+)\.(\d+)/);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Why the data deployed with `olds` cannot move to `news`, or undefined when it can. */
export function refusal(olds: Partial<DataGuardInputs>, news: DataGuardInputs): { property: string; reason: string } | undefined {
    if (olds.engine === undefined || olds.version === undefined) {
        return undefined; // a new cluster
    }
    if (olds.engine !== news.engine) {
        return {
            property: "engine",
            reason: `engine cannot change from ${olds.engine} to ${news.engine} on existing data: ` +
                `deploy a new cluster and move the data (dump and load), or set engine back to ${olds.engine}`,
        };
    }
    const [oldMajor, oldMinor] = majorMinor(olds.version);
    const [newMajor, newMinor] = majorMinor(news.version);
    if (newMajor < oldMajor || (newMajor === oldMajor && newMinor < oldMinor)) {
        return {
            property: "version",
            reason: `version ${news.version} is older than ${olds.version}, which the data was written by: ` +
                `${news.engine} does not support downgrades in place; set version back to ${olds.version} ` +
                `(or newer), or restore a backup into a new cluster of ${news.version}`,
        };
    }
    // guards recorded before storage was guarded have no storage fields: nothing to compare
    if (olds.storageSize !== undefined && (parseQuantity(news.storageSize) ?? 0) < (parseQuantity(olds.storageSize) ?? 0)) {
        return {
            property: "storageSize",
            reason: `storageSize cannot shrink from ${olds.storageSize} to ${news.storageSize}: Kubernetes never makes a ` +
                `volume smaller; set storageSize back to ${olds.storageSize} (or larger), or deploy a new cluster with ` +
                `${news.storageSize} and move the data into it (dump and load, or replicate from this one)`,
        };
    }
    // a storageClassName wired from an Output is unknown during a preview (the engine's sentinel):
    // it is checked by the update, once known
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    if (olds.storageClassName !== undefined && news.storageClassName !== unknown && olds.storageClassName !== news.storageClassName) {
        const name = (c: string) => (c === "" ? "the cluster's default class" : c);
        return {
            property: "storageClassName",
            reason: `storageClassName cannot change from ${name(olds.storageClassName)} to ${name(news.storageClassName)} ` +
                `on existing volumes: a claim keeps its class for life; set storageClassName back ` +
                `(${olds.storageClassName === "" ? "remove it" : olds.storageClassName}), or deploy a new cluster on ` +
                `${name(news.storageClassName)} and move the data into it (dump and load, or replicate from this one)`,
        };
    }
    return undefined;
}

const fields = (inputs: DataGuardInputs): DataGuardInputs => ({
    engine: inputs.engine, version: inputs.version, storageSize: inputs.storageSize, storageClassName: inputs.storageClassName,
});

/** Serialized into state by the Pulumi runtime, with the functions above it captures. */
export const dataGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
        const failure = refusal(olds ?? {}, news);
        return { inputs: news, failures: failure ? [failure] : [] };
    },
    async create(inputs: DataGuardInputs): Promise<pulumi.dynamic.CreateResult> {
        return { id: inputs.engine, outs: fields(inputs) };
    },
    async diff(_id: string, olds: DataGuardInputs, news: DataGuardInputs): Promise<pulumi.dynamic.DiffResult> {
        const changes = (Object.keys(fields(news)) as (keyof DataGuardInputs)[]).some((k) => olds[k] !== news[k]);
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: DataGuardInputs, news: DataGuardInputs): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: fields(news) };
    },
    async read(id: string, props: DataGuardInputs): Promise<pulumi.dynamic.ReadResult> {
        return { id, props };
    },
};

export class DataGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: { readonly [K in keyof DataGuardInputs]: pulumi.Input<DataGuardInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(dataGuardProvider, name, { engine: args.engine, version: args.version, storageSize: args.storageSize, storageClassName: args.storageClassName }, opts);
    }
}
