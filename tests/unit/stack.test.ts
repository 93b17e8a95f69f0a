import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { byType, promiseOf, resetRegistered, settle, types } from "../helpers/mocks";

const root = path.join(__dirname, "..", "..");
const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

describe("the stack program and the library entry points", () => {
    it("Pulumi.yaml makes `pulumi up` run index.ts, while package.json main serves the built library", () => {
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.main, "index.ts");
        assert.ok(fs.existsSync(path.join(root, project.main)));
        assert.equal(packageJson.main, "dist/components/index.js");
        assert.equal(packageJson.types, "dist/components/index.d.ts");
    });

    it("every stack setting the program reads is declared with type, default and description", () => {
        const source = fs.readFileSync(path.join(root, "components", "stackConfig.ts"), "utf8");
        const read = [...source.matchAll(/config\.(?:get|getNumber|getBoolean|getObject<[^>]+>)\("([A-Za-z]+)"\)/g)]
            .map((m) => m[1]).filter((key) => key !== "rootPassword");
        assert.ok(read.length >= 15, `found only ${read.length} settings`);
        for (const key of new Set(read)) {
            const declared = project.config[key];
            assert.ok(declared, `${key} is read but not declared in Pulumi.yaml`);
            assert.ok(declared.type && declared.default !== undefined && declared.description, `${key} is incomplete`);
        }
    });

    it("index.ts deploys one cluster from stack config and exports its endpoints", async () => {
        resetRegistered();
        pulumi.runtime.setAllConfig({
            "mysql-cluster:clusterName": "shop",
            "mysql-cluster:namespace": "prod",
            "mysql-cluster:replicas": "4",
            "mysql-cluster:engine": "mariadb",
            "mysql-cluster:version": "",
            "mysql-cluster:memoryLimit": "2Gi",
            "mysql-cluster:extraConfig": JSON.stringify(["max_connections=800"]),
        });
        const program = await import("../../index");
        await settle();
        const sts = byType(types.statefulSet).map((r) => r.inputs);
        assert.equal(sts.length, 1);
        assert.equal(sts[0].metadata.name, "shop");
        assert.equal(sts[0].metadata.namespace, "prod");
        assert.equal(sts[0].spec.replicas, 4);
        const mysql = sts[0].spec.template.spec.containers[0];
        assert.equal(mysql.image, "mariadb:10.11");
        assert.deepEqual(mysql.resources, { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } });
        const configMap = byType(types.configMap).find((r) => r.inputs.metadata.name.startsWith("shop-config-"))!.inputs;
        assert.match(configMap.data["extra.cnf"], /^max_connections=800$/m);
        assert.deepEqual(await promiseOf(program.primaryEndpoint), { host: "shop-primary.prod.svc", port: 3306 });
        assert.deepEqual(await promiseOf(program.readEndpoint), { host: "shop-read.prod.svc", port: 3306 });
        // no application user configured: URLs name host and port only, nothing embeds a password
        assert.equal(await promiseOf(program.readUrl), "mysql://shop-read.prod.svc:3306");
        assert.equal(await promiseOf(program.primaryConnectionString), "");
    });

    it("`npm run build` produces a library other stacks can import, scripts included", function () {
        this.timeout(120000);
        const build = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" });
        assert.equal(build.status, 0, build.stdout + build.stderr);
        const built = path.join(root, packageJson.main);
        assert.ok(fs.existsSync(path.join(root, packageJson.types)));
        // a fresh node process, as a consuming stack would load it
        const probe = spawnSync("node", ["-e", `
            const lib = require(${JSON.stringify(built)});
            const { podScripts } = require(${JSON.stringify(path.join(path.dirname(built), "scripts.js"))});
            console.log(typeof lib.MySqlCluster, Object.keys(podScripts).length);`], { encoding: "utf8" });
        assert.equal(probe.status, 0, probe.stderr);
        const sourceScripts = fs.readdirSync(path.join(root, "components", "scripts")).filter((f) => f.endsWith(".sh"));
        assert.equal(probe.stdout.trim(), `function ${sourceScripts.length}`);
    });
});
