/**
 * The package as a user installs it: `npm pack` of this repo, installed into another stack
 * program (tests/k8s/consumer), which deploys two clusters in two namespaces with the real CLI.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runOk } from "../e2e/harness/process";
import { kubectl, packedTarball, previewSteps, pulumiOk, realTools, repoRoot, Tools } from "./tools";

describe("the npm package in another stack", function () {
    this.timeout(1800000);
    let t: Tools;
    let dir: string;

    before(async () => {
        t = await realTools();
        dir = path.join(t.workDir, "consumer");
        fs.cpSync(path.join(__dirname, "consumer"), dir, { recursive: true });
        const tarball = await packedTarball(t);
        const own = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({
            name: "mysql-cluster-consumer", private: true,
            dependencies: {
                "mysql-cluster": `file:${tarball}`,
                "@pulumi/pulumi": own.dependencies["@pulumi/pulumi"],
                "@pulumi/kubernetes": own.dependencies["@pulumi/kubernetes"],
            },
            devDependencies: { "typescript": own.devDependencies.typescript, "ts-node": own.devDependencies["ts-node"], "@types/node": own.devDependencies["@types/node"] },
        }, null, 2));
        await runOk("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, timeoutMs: 900000 });
        // team-b is created by the program itself (the cluster's namespace is wired from it)
        await kubectl(t, ["create", "namespace", "team-a"]).catch(() => undefined);
        await pulumiOk(t, dir, ["stack", "init", "consumer"]);
        for (const key of ["billingRootPassword", "billingReplicationPassword", "billingBackupPassword"]) {
            // at most 32 characters: MySQL's limit for the replication password
            await pulumiOk(t, dir, ["config", "set", "--secret", "--stack", "consumer", key, `${key.slice(7, 14)}-${Date.now()}`]);
        }
    });

    it("6. installs from the npm pack tarball and creates two clusters (MariaDB and MySQL) in two namespaces; one is wired to a Namespace and a Secret the same program creates (Outputs)", async () => {
        const installed = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "mysql-cluster", "package.json"), "utf8"));
        assert.ok(fs.existsSync(path.join(dir, "node_modules", "mysql-cluster", "dist", "components", "scripts", "member.sh")),
            "the package lacks the pod scripts");
        // preview resolves the wired values (the Namespace and Secret do not exist yet) and lists every object
        const steps = previewSteps(await pulumiOk(t, dir, ["preview", "--json", "--stack", "consumer"]));
        const creates = steps.filter((s) => s.op === "create").map((s) => `${s.type} ${s.name}`);
        for (const expected of ["kubernetes:apps/v1:StatefulSet billing-statefulset", "kubernetes:core/v1:Service billing-primary", "kubernetes:core/v1:Namespace team-b"]) {
            assert.ok(creates.includes(expected), `preview does not create ${expected}:\n${creates.join("\n")}`);
        }
        await pulumiOk(t, dir, ["up", "--yes", "--skip-preview", "--stack", "consumer"]);
        for (const [ns, name] of [["team-a", "orders"], ["team-b", "billing"]]) {
            const json = JSON.parse(await kubectl(t, ["-n", ns, "get", "pods", "-o", "json"]));
            const ready = json.items.filter((p: any) => p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"))
                .map((p: any) => p.metadata.name).sort();
            assert.deepEqual(ready, [`${name}-0`, `${name}-1`], `${ns}: ready pods`);
        }
        const outputs = JSON.parse(await pulumiOk(t, dir, ["stack", "output", "--json", "--stack", "consumer"]));
        assert.equal(outputs.ordersPrimary.host, "orders-primary.team-a.svc");
        assert.equal(outputs.billingPrimary.host, "billing-primary.team-b.svc");
        assert.equal(outputs.billingSecretName, "billing-db");
        await pulumiOk(t, dir, ["destroy", "--yes", "--skip-preview", "--stack", "consumer"]);
        return installed.version;
    });
});
