/**
 * A password generated once and kept in Pulumi state as a secret: the same on every update, new
 * only when the resource is replaced. A dynamic resource, so stacks need no provider plugin
 * besides Kubernetes (docs/design.md, "Dependencies").
 */
import * as pulumi from "@pulumi/pulumi";

export interface GeneratedPasswordArgs {
    /** Number of characters, from [A-Za-z0-9]. */
    readonly length: number;
}

interface State {
    readonly length: number;
    readonly result: string;
}

/** Serialized into state by the Pulumi runtime: self-contained, requires only Node's crypto. */
export const generatedPasswordProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { length: number }): Promise<pulumi.dynamic.CreateResult> {
        const crypto = require("crypto");
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let result = "";
        while (result.length < inputs.length) {
            for (const byte of crypto.randomBytes(2 * inputs.length)) {
                // 248 = 4 x 62: bytes above it are skipped so every character is equally likely
                if (byte < 248 && result.length < inputs.length) {
                    result += alphabet[byte % 62];
                }
            }
        }
        const state: State = { length: inputs.length, result };
        return { id: crypto.randomUUID(), outs: state };
    },
    async diff(_id: string, olds: State, news: { length: number }): Promise<pulumi.dynamic.DiffResult> {
        const changed = olds.length !== news.length;
        return { changes: changed, replaces: changed ? ["length"] : [], deleteBeforeReplace: false };
    },
    async read(id: string, props: State): Promise<pulumi.dynamic.ReadResult> {
        return { id, props };
    },
};

export class GeneratedPassword extends pulumi.dynamic.Resource {
    /** The password; a secret in state and in every output derived from it. */
    public readonly result!: pulumi.Output<string>;

    constructor(name: string, args: GeneratedPasswordArgs, opts?: pulumi.CustomResourceOptions) {
        super(generatedPasswordProvider, name, { length: args.length, result: undefined },
            { ...opts, additionalSecretOutputs: ["result"] });
    }
}
