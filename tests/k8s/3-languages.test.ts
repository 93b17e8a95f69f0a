/**
 * Other languages through the component provider (provider/pulumi-resource-mysql-cluster), with the
 * real CLI and language hosts against the local control plane: the YAML and Python examples
 * (examples/) deploy the same cluster as the TypeScript stack and reach the same outputs; the
 * monitoring objects need the Prometheus Operator's CRDs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runOk } from "../e2e/harness/process";
import { kexec, kubectl, previewSteps, pulumi, pulumiOk, realTools, repoRoot, Tools } from "./tools";

/** PyPI's Python SDK, the version examples/python/requirements.txt pins. */
const pythonSdk = fs.readFileSync(path.join(repoRoot, "examples", "python", "requirements.txt"), "utf8").match(/^pulumi==\S+$/m)![0];
const outputKeys = ["headlessServiceName", "primaryEndpoint", "readEndpoint", "rootPassword", "secretName", "statefulSetName"];

describe("other languages through the component provider", function () {
    this.timeout(1800000);
    let t: Tools;
    let venv: string;

    /** A copy of examples/<name> in the run's directory, its plugin paths made absolute. */
    function project(name: string): string {
        const dir = path.join(t.workDir, `example-${name}`);
        fs.cpSync(path.join(repoRoot, "examples", name), dir, { recursive: true });
        const file = path.join(dir, "Pulumi.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/path: \.\.\/\.\.\/provider/g, `path: ${path.join(repoRoot, "provider")}`));
        return dir;
    }

    /** The Python program's tools: the venv's python first on PATH (the host runs `python3`). */
    const inVenv = (): Tools => ({ ...t, extraPath: path.join(venv, "bin"), extraEnv: { VIRTUAL_ENV: venv } });

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
        // the Python SDK, generated from the checked-in schema by the CLI release's code generator
        const sdk = path.join(t.workDir, "sdk", "python");
        await runOk(path.join(t.pulumiBin, "gen-sdk"), ["-schema", path.join(repoRoot, "provider", "schema.json"), "-language", "python", "-out", sdk]);
        venv = path.join(t.workDir, "venv");
        await runOk("python3", ["-m", "venv", venv]);
        await runOk(path.join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", pythonSdk, sdk], { timeoutMs: 900000 });
    });

    it("10. YAML (examples/yaml): preview lists the component and its children; up makes a replicating cluster in a Namespace the program creates; the TypeScript stack's outputs", async () => {
        const outputs = await deployed(project("yaml"), "team-yaml");
        assert.deepEqual(Object.keys(outputs).sort(), outputKeys);
        assert.deepEqual(outputs.primaryEndpoint, { host: "db-primary.team-yaml.svc", port: 3306 });
        assert.deepEqual(outputs.readEndpoint, { host: "db-read.team-yaml.svc", port: 3306 });
        assert.equal(outputs.secretName, "db-credentials");
        assert.equal(outputs.rootPassword, "[secret]");
    });

    it("11. Python (examples/python, the generated SDK, PyPI's pulumi): the same cluster and outputs", async () => {
        await kubectl(t, ["create", "namespace", "team-python"]).catch(() => undefined);
        const outputs = await deployed(project("python"), "team-python", inVenv());
        assert.deepEqual(Object.keys(outputs).sort(), outputKeys);
        assert.deepEqual(outputs.primaryEndpoint, { host: "db-primary.team-python.svc", port: 3306 });
        assert.equal(outputs.statefulSetName, "db");
        assert.equal(outputs.rootPassword, "[secret]");
    });

    it("12. monitoring objects: without the Prometheus Operator's CRDs `up` fails naming the missing kind and the fix; with them the ServiceMonitor and PrometheusRule are created", async () => {
        const dir = project("yaml");
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
});
