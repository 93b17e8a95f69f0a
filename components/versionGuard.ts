/**
 * The engine and version the data was last deployed with, kept in Pulumi state: a change that the
 * data cannot take (another engine, an older major.minor version) fails `pulumi preview` and
 * `pulumi up` before any pod changes. A dynamic resource, like GeneratedPassword.
 */
import * as pulumi from "@pulumi/pulumi";

export interface VersionGuardInputs {
    readonly engine: string;
    /** major.minor[.patch], as the `version` arg. */
    readonly version: string;
}

/** major.minor of a version string, as numbers ([0, 0] when it has none). */
export function majorMinor(version: string): [number, number] {
    const m = version.match(/^(\d+)\.(\d+)/);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Why the data deployed with `olds` cannot move to `news`, or undefined when it can. */
export function refusal(olds: Partial<VersionGuardInputs>, news: VersionGuardInputs): { property: string; reason: string } | undefined {
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
    return undefined;
}

/** Serialized into state by the Pulumi runtime, with the two functions above it captures. */
export const versionGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: any, news: any): Promise<pulumi.dynamic.CheckResult> {
        const failure = refusal(olds ?? {}, news);
        return { inputs: news, failures: failure ? [failure] : [] };
    },
    async create(inputs: VersionGuardInputs): Promise<pulumi.dynamic.CreateResult> {
        return { id: inputs.engine, outs: { engine: inputs.engine, version: inputs.version } };
    },
    async diff(_id: string, olds: VersionGuardInputs, news: VersionGuardInputs): Promise<pulumi.dynamic.DiffResult> {
        return { changes: olds.engine !== news.engine || olds.version !== news.version, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id: string, _olds: VersionGuardInputs, news: VersionGuardInputs): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: { engine: news.engine, version: news.version } };
    },
    async read(id: string, props: VersionGuardInputs): Promise<pulumi.dynamic.ReadResult> {
        return { id, props };
    },
};

export class VersionGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: VersionGuardInputs, opts?: pulumi.CustomResourceOptions) {
        super(versionGuardProvider, name, { engine: args.engine, version: args.version }, opts);
    }
}
