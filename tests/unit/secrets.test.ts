import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, mockGeneratedPassword, promiseOf, types } from "../helpers/mocks";
import { render, RenderedCluster } from "../helpers/render";

const userPasswords = { rootPassword: "Root-Pw-7731", replicationPassword: "Repl-Pw-5512", backupPassword: "Backup-Pw-9093" };
const generatedPasswords = ["root", "replication", "backup"].map((p) => mockGeneratedPassword(`db-${p}-password`));

/** Every string inside a value, with the path where it sits. */
function strings(value: unknown, at = ""): Array<[string, string]> {
    if (typeof value === "string") {
        return [[at, value]];
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
    }
    return [];
}

/** Everything registered except the Secret itself and the password generators. */
function plainPlaces(r: RenderedCluster): Array<[string, string]> {
    return r.resources
        .filter((x) => x.type !== types.secret && x.type !== types.generatedPassword)
        .flatMap((x) => strings(x.inputs, `${x.type}/${x.name}`));
}

async function nonSecretOutputs(r: RenderedCluster): Promise<Array<[string, string]>> {
    const { cluster } = r;
    const outputs = {
        primaryEndpoint: cluster.primaryEndpoint, readEndpoint: cluster.readEndpoint,
        headlessServiceName: cluster.headlessServiceName, statefulSetName: cluster.statefulSetName,
        secretName: cluster.secretName,
    };
    return strings(await promiseOf(pulumi.output(outputs)), "outputs");
}

describe("no secret in a plain place", () => {
    for (const [label, args, passwords] of [
        ["user-supplied passwords", userPasswords, Object.values(userPasswords)],
        ["generated passwords", {}, generatedPasswords],
    ] as const) {
        it(`${label}: none in the ConfigMap, annotations, labels, env values or non-secret outputs`, async () => {
            for (const engine of ["mysql", "mariadb"] as const) {
                const r = await render("db", { ...args, engine });
                const leaks = [...plainPlaces(r), ...await nonSecretOutputs(r)]
                    .filter(([, text]) => passwords.some((p) => text.includes(p)));
                assert.deepEqual(leaks, []);
                // the passwords did reach the Secret: the search above looked in the right shape of data
                const secretValues = Object.values(r.secret.stringData);
                assert.deepEqual([...secretValues].sort(), [...passwords].sort());
            }
        });
    }

    it("the Secret's values are Pulumi secrets, so state stores them encrypted", async () => {
        const { cluster, resources } = await render("db", userPasswords);
        assert.equal(await (cluster.rootPassword as any).isSecret, true);
        const secret = resources.find((x) => x.type === types.secret)!;
        assert.ok(isSecretValue(secret.rawInputs.stringData), "stringData reached the engine unencrypted");
    });

    it("generated passwords: one GeneratedPassword of 32 characters per account", async () => {
        const r = await render("db");
        const generators = r.resources.filter((x) => x.type === types.generatedPassword && x.name.endsWith("-password"));
        assert.deepEqual(generators.map((g) => g.name).sort(),
            ["db-backup-password", "db-replication-password", "db-root-password"]);
        for (const g of generators) {
            assert.equal(g.inputs.length, 32);
        }
    });
});
