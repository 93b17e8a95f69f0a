/**
 * Other languages through the component provider of the npm package as a user installs it: each
 * example (examples/yaml, python, go) is copied to a directory of its own, the `npm pack` tarball
 * is installed into it (`npm install <tarball>`), and the real CLI and language hosts deploy it
 * against the local control plane with the plugin paths the examples give
 * (node_modules/mysql-cluster/provider) and the SDKs the package ships (sdk/python, sdk/go). They
 * deploy the same cluster as the TypeScript stack and reach the same outputs; the monitoring
 * objects need the Prometheus Operator's CRDs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runOk } from "../e2e/harness/process";
import { installPackage, kexec, kubectl, previewSteps, pulumi, pulumiOk, realTools, repoRoot, Tools } from "./tools";

const outputKeys = ["headlessServiceName", "primaryEndpoint", "readEndpoint", "rootPassword", "secretName", "statefulSetName"];

/** Every file under dir (relative path to contents), for comparing two generated SDKs; not .gitignore, which npm never packs. */
function filesUnder(dir: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && entry.name !== ".gitignore") {
            const full = path.join(entry.parentPath, entry.name);
            files[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
        }
    }
    return files;
}

describe("other languages through the installed npm package's component provider", function () {
    this.timeout(1800000);
    let t: Tools;

    /** A copy of examples/<name> in the run's directory with the packed package installed into it, as docs/languages.md says. */
    async function project(name: string, copy = name): Promise<string> {
        const dir = path.join(t.workDir, `example-${copy}`);
        fs.cpSync(path.join(repoRoot, "examples", name), dir, { recursive: true });
        await installPackage(t, dir);
        return dir;
    }

    async function deployed(dir: string, namespace: string, tools: Tools = t): Promise<Record<string, any>> {
        const run = (args: string[]) => pulumiOk(tools, dir, args);
        await run(["stack", "init", "dev"]);
        const creates = previewSteps(await run(["preview", "--json", "--stack", "dev"])).filter((s) => s.op === "create").map((s) => `${s.type} ${s.name}`);
        for (const expected of ["mysql-cluster:index:MySqlCluster db", "kubernetes:apps/v1:StatefulSet db-statefulset", "kubernetes:core/v1:Secret db-credentials"]) {
            assert.ok(creates.includes(expected), `preview does not create ${expected}:\n${creates.join("\n")}`);
        }
        await run(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        const pods = JSON.parse(await kubectl(t, ["-n", namespace, "get", "pods", "-o", "json"]));
        const ready = pods.items.filter((p: any) => p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True")).map((p: any) => p.metadata.name).sort();
        assert.deepEqual(ready, ["db-0", "db-1"], `${namespace}: ready pods`);
        // replication: a row written on the primary is read on the replica
        const sql = (pod: string, statement: string) => kexec(`${namespace}/${pod}`, "mysql", ["mariadb", "--defaults-file=/var/run/mysqld/admin.cnf", "-N", "-e", statement]);
        assert.equal((await sql("db-0", "CREATE DATABASE IF NOT EXISTS lang; CREATE TABLE lang.t (v VARCHAR(20) PRIMARY KEY); INSERT INTO lang.t VALUES ('from-" + namespace + "')")).code, 0);
        let seen = "";
        for (let i = 0; i < 30 && seen === ""; i++) {
            seen = (await sql("db-1", "SELECT v FROM lang.t")).stdout.trim();
            if (seen === "") {
                await new Promise((r) => setTimeout(r, 1000));
            }
        }
        assert.equal(seen, `from-${namespace}`);
        const outputs = JSON.parse(await run(["stack", "output", "--json", "--stack", "dev"]));
        await run(["destroy", "--yes", "--skip-preview", "--stack", "dev"]);
        return outputs;
    }

    before(async () => {
        t = await realTools();
    });

    it("14. the installed package serves its shipped schema (integers as integers), and its SDKs are what the CLI release's code generators make of it", async () => {
        const installed = await installPackage(t, fs.mkdtempSync(path.join(t.workDir, "installed-")));
        assert.ok(!fs.existsSync(path.join(installed, "components")), "the package ships TypeScript sources");
        // the CLI normalises what it prints (e.g. `optional`), so the file is read through it too
        const schemaOf = async (source: string) => JSON.parse(await pulumiOk(t, t.workDir, ["package", "get-schema", path.join(installed, "provider", source)]));
        const served = await schemaOf("pulumi-resource-mysql-cluster");
        assert.deepEqual(served, await schemaOf("schema.json"));
        assert.equal(served.resources["mysql-cluster:index:MySqlCluster"].inputProperties.replicas.type, "integer");
        for (const language of ["python", "go"]) {
            const fresh = path.join(t.workDir, "sdk-check", language);
            await runOk(path.join(t.pulumiBin, "gen-sdk"), ["-schema", path.join(installed, "provider", "schema.json"), "-language", language, "-out", fresh]);
            const [shippedFiles, freshFiles] = [filesUnder(path.join(installed, "sdk", language)), filesUnder(fresh)];
            const differing = [...new Set([...Object.keys(shippedFiles), ...Object.keys(freshFiles)])].filter((f) => shippedFiles[f] !== freshFiles[f]);
            assert.deepEqual(differing, [], `sdk/${language} is not what gen-sdk makes of provider/schema.json: run \`npm run sdk\``);
        }
    });

    it("10. YAML (examples/yaml): preview lists the component and its children; up makes a replicating cluster in a Namespace the program creates; the TypeScript stack's outputs", async () => {
        const outputs = await deployed(await project("yaml"), "team-yaml");
        assert.deepEqual(Object.keys(outputs).sort(), outputKeys);
        assert.deepEqual(outputs.primaryEndpoint, { host: "db-primary.team-yaml.svc", port: 3306 });
        assert.deepEqual(outputs.readEndpoint, { host: "db-read.team-yaml.svc", port: 3306 });
        assert.equal(outputs.secretName, "db-credentials");
        assert.equal(outputs.rootPassword, "[secret]");
    });

    it("11. Python (examples/python: a venv with PyPI's pulumi and the package's sdk/python): the same cluster and outputs", async () => {
        await kubectl(t, ["create", "namespace", "team-python"]).catch(() => undefined);
        const dir = await project("python");
        // docs/languages.md: a venv with requirements.txt, activated (its python3 first on PATH)
        await runOk("python3", ["-m", "venv", "venv"], { cwd: dir });
        await runOk(path.join(dir, "venv", "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"], { cwd: dir, timeoutMs: 900000 });
        const outputs = await deployed(dir, "team-python", { ...t, extraPath: path.join(dir, "venv", "bin"), extraEnv: { VIRTUAL_ENV: path.join(dir, "venv") } });
        assert.deepEqual(Object.keys(outputs).sort(), outputKeys);
        assert.deepEqual(outputs.primaryEndpoint, { host: "db-primary.team-python.svc", port: 3306 });
        assert.equal(outputs.statefulSetName, "db");
        assert.equal(outputs.rootPassword, "[secret]");
    });

    it("12. monitoring objects: without the Prometheus Operator's CRDs `up` fails naming the missing kind and the fix; with them the ServiceMonitor and PrometheusRule are created", async () => {
        const dir = await project("yaml", "yaml-monitoring");
        const file = path.join(dir, "Pulumi.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8")
            .replace("name: team-yaml", "name: team-monitoring")
            .replace("      storageSize: 256Mi", "      storageSize: 256Mi\n      metrics:\n        serviceMonitor: true\n        prometheusRule: true"));
        await pulumiOk(t, dir, ["stack", "init", "monitoring"]);
        const crds = ["servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"];
        await kubectl(t, ["delete", "crd", ...crds, "--ignore-not-found"]);
        const failed = await pulumi(t, dir, ["up", "--yes", "--skip-preview", "--stack", "monitoring"]);
        assert.notEqual(failed.code, 0, "up succeeded without the CRDs");
        assert.match(failed.stdout + failed.stderr, /ServiceMonitor/);
        assert.match(failed.stdout + failed.stderr, /CRD|no matches for kind/i);
        // the Prometheus Operator's CRDs (their group, versions and names; the schema left open)
        for (const [plural, kind] of [["servicemonitors", "ServiceMonitor"], ["prometheusrules", "PrometheusRule"]]) {
            await kubectl(t, ["apply", "-f", "-"], JSON.stringify({
                apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
                metadata: { name: `${plural}.monitoring.coreos.com` },
                spec: {
                    group: "monitoring.coreos.com", scope: "Namespaced",
                    names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
                    versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
                },
            }));
        }
        await kubectl(t, ["wait", "--for=condition=Established", ...crds.map((c) => `crd/${c}`), "--timeout=60s"]);
        await pulumiOk(t, dir, ["up", "--yes", "--skip-preview", "--stack", "monitoring"]);
        const monitor = JSON.parse(await kubectl(t, ["-n", "team-monitoring", "get", "servicemonitor", "db", "-o", "json"]));
        assert.equal(monitor.spec.endpoints[0].port, "metrics");
        const rule = JSON.parse(await kubectl(t, ["-n", "team-monitoring", "get", "prometheusrule", "db", "-o", "json"]));
        assert.ok(rule.spec.groups[0].rules.some((r: any) => r.alert === "MySqlClusterReplicationStopped"));
        // the exporter answers on every pod (scraped through its pod, as Prometheus would)
        const scrape = await kexec("team-monitoring/db-1", "member", ["bash", "-c", 'exec 3<>/dev/tcp/127.0.0.1/9104 && printf "GET /metrics HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3']);
        assert.match(scrape.stdout, /^mysql_up 1$/m, scrape.stdout.slice(0, 500));
        assert.match(scrape.stdout, /^mysql_slave_status_slave_io_running\{[^}]*\} 1$/m);
        await pulumiOk(t, dir, ["destroy", "--yes", "--skip-preview", "--stack", "monitoring"]);
    });

    it("13. Go (examples/go: go.mod takes the package's sdk/go, the Go host builds the program): the same cluster and outputs", async () => {
        await kubectl(t, ["create", "namespace", "team-go"]).catch(() => undefined);
        const outputs = await deployed(await project("go"), "team-go");
        assert.deepEqual(Object.keys(outputs).sort(), outputKeys);
        assert.deepEqual(outputs.primaryEndpoint, { host: "db-primary.team-go.svc", port: 3306 });
        assert.equal(outputs.statefulSetName, "db");
        assert.equal(outputs.rootPassword, "[secret]");
    });
});
