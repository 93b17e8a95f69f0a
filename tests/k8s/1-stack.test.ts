/**
 * This repo's own stack through the real pulumi CLI, the real Kubernetes provider and a real
 * control plane (the local cluster; pods run by its node agent). Each step asserts on what
 * Pulumi and Kubernetes report. Steps build on each other: run in order (mocha --bail).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { findFlavor } from "../../components/flavors";
import { run } from "../e2e/harness/process";
import { kexec, kubectl, previewSteps, pulumi, pulumiOk, realTools, repoRoot, Tools } from "./tools";

const namespace = "k8s-stack";
const stack = "k8s-stack";
const cluster = "db";
const pods = (n: number) => Array.from({ length: n }, (_, i) => `${cluster}-${i}`);

let t: Tools;
const up = (args: string[] = []) => pulumiOk(t, repoRoot, ["up", "--yes", "--skip-preview", "--stack", stack, ...args], 1800000);
const preview = async () => previewSteps(await pulumiOk(t, repoRoot, ["preview", "--json", "--stack", stack]));
const config = (key: string, value: string) => pulumiOk(t, repoRoot, ["config", "set", "--stack", stack, key, value]);
const changed = (steps: ReturnType<typeof previewSteps>) => steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.type} ${s.name}`).sort();

async function readyPods(): Promise<string[]> {
    const json = JSON.parse(await kubectl(t, ["-n", namespace, "get", "pods", "-o", "json"]));
    return json.items.filter((p: any) => p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"))
        .map((p: any) => p.metadata.name).sort();
}

/** The application account's password, from the Secret. */
async function appPassword(): Promise<string> {
    const secret = JSON.parse(await kubectl(t, ["-n", namespace, "get", "secret", `${cluster}-credentials`, "-o", "json"]));
    return Buffer.from(secret.data["user-password"], "base64").toString();
}

/** SQL as the application account from inside pod `from`, through a Service name; password on stdin. */
async function appSql(from: string, host: string, sql: string): Promise<string> {
    const password = await appPassword();
    const result = await kexec(`${namespace}/${from}`, "mysql", ["bash", "-c",
        `IFS= read -r MYSQL_PWD; export MYSQL_PWD; exec mariadb -h ${host} -u app --batch --skip-column-names appdb -e "$1"`, "sql", sql],
    `${password}\n`);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
}

/** uid of each pod: a restarted pod has a new one. */
async function podUids(): Promise<Record<string, string>> {
    const json = JSON.parse(await kubectl(t, ["-n", namespace, "get", "pods", "-o", "json"]));
    return Object.fromEntries(json.items.map((p: any) => [p.metadata.name, p.metadata.uid]));
}

describe("the stack through the real pulumi CLI and a real control plane", function () {
    this.timeout(1800000);

    before(async () => {
        t = await realTools();
        // a stack config file left in the repo root by an interrupted run would carry its settings over
        fs.rmSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), { force: true });
        await kubectl(t, ["create", "namespace", namespace]).catch(() => undefined);
        await pulumiOk(t, repoRoot, ["stack", "init", stack]);
        for (const [key, value] of [["clusterName", cluster], ["namespace", namespace], ["engine", "mariadb"],
            ["replicas", "3"], ["storageSize", "256Mi"], ["cpuRequest", "100m"], ["memoryRequest", "256Mi"],
            ["database", "appdb"], ["user", "app"], ["primaryPeerWaitSeconds", "10"]]) {
            await config(key, value);
        }
    });

    after(async () => {
        // the stack's config file lives in the repo root while the suite runs
        await pulumi(t, repoRoot, ["stack", "rm", "--yes", "--force", "--stack", stack]);
    });

    it("1. preview of a new stack lists what it creates; up succeeds with every pod Ready; the endpoints work from a pod", async () => {
        const creates = changed(await preview());
        for (const expected of ["create kubernetes:apps/v1:StatefulSet db-statefulset", "create kubernetes:core/v1:ConfigMap db-config",
            "create kubernetes:core/v1:ConfigMap db-topology", "create kubernetes:core/v1:Secret db-credentials",
            "create kubernetes:core/v1:Service db-primary", "create kubernetes:core/v1:Service db-read",
            "create mysql-cluster:index:MySqlCluster db"]) {
            assert.ok(creates.includes(expected), `preview lacks "${expected}":\n${creates.join("\n")}`);
        }
        await up();
        assert.deepEqual(await readyPods(), pods(3));
        const outputs = JSON.parse(await pulumiOk(t, repoRoot, ["stack", "output", "--json", "--stack", stack]));
        assert.deepEqual(outputs.primaryEndpoint, { host: `${cluster}-primary.${namespace}.svc`, port: 3306 });
        assert.equal(outputs.rootPassword, "[secret]");
        await appSql("db-1", outputs.primaryEndpoint.host, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, 'through-primary')");
        const read = await waitForValue(() => appSql("db-2", outputs.readEndpoint.host, "SELECT v FROM t WHERE id = 1"), "through-primary");
        assert.equal(read, "through-primary");
    });

    it("2a. the StatefulSet's await timeout is the component's (60 min), not the provider's 10", async () => {
        const state = JSON.parse(await pulumiOk(t, repoRoot, ["stack", "export", "--stack", stack]));
        const sts = state.deployment.resources.find((r: any) => r.type === "kubernetes:apps/v1:StatefulSet");
        assert.deepEqual(sts.customTimeouts, { create: 3600, update: 3600 }, JSON.stringify(sts.customTimeouts));
    });

    it("2. a second preview shows no changes; refresh finds no drift", async () => {
        const result = await pulumi(t, repoRoot, ["preview", "--expect-no-changes", "--stack", stack]);
        assert.equal(result.code, 0, `preview found changes:\n${result.stdout}`);
        const refresh = await pulumi(t, repoRoot, ["refresh", "--yes", "--expect-no-changes", "--stack", stack]);
        assert.equal(refresh.code, 0, `refresh found drift:\n${refresh.stdout}`);
    });

    it("2b. another engine on the existing data fails preview and up, before anything changes", async () => {
        const before = await podUids();
        await config("engine", "mysql");
        try {
            for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
                const r = await pulumi(t, repoRoot, [...command, "--stack", stack]);
                assert.notEqual(r.code, 0, `${command[0]} accepted an engine change`);
                assert.match(r.stdout + r.stderr, /engine cannot change from mariadb to mysql on existing data/);
            }
        } finally {
            await config("engine", "mariadb");
        }
        assert.deepEqual(await podUids(), before, "pods changed");
        assert.deepEqual(changed(await preview()), [], "the failed up left a change behind");
    });

    it("3. replicas 3 -> 5 -> 3 updates the StatefulSet in place without rolling pods; a server option change rolls them; data kept", async () => {
        const first = await podUids();
        await config("replicas", "5");
        // the real provider replaces a ConfigMap on any data change (unless the provider sets
        // enableConfigMapMutable): the topology ConfigMap is replaced, which rolls nothing; the new
        // pods' claims are created at the current size before the StatefulSet makes the pods
        assert.deepEqual(changed(await preview()), [
            "create kubernetes:core/v1:PersistentVolumeClaimPatch db-data-3", "create kubernetes:core/v1:PersistentVolumeClaimPatch db-data-4",
            "replace kubernetes:core/v1:ConfigMap db-topology", "update kubernetes:apps/v1:StatefulSet db-statefulset"]);
        await up();
        assert.deepEqual(await readyPods(), pods(5));
        await config("replicas", "3");
        // scaling down forgets the two claim patches (retainOnDelete): the claims and their data stay
        assert.deepEqual(changed(await preview()), [
            "delete kubernetes:core/v1:PersistentVolumeClaimPatch db-data-3", "delete kubernetes:core/v1:PersistentVolumeClaimPatch db-data-4",
            "replace kubernetes:core/v1:ConfigMap db-topology", "update kubernetes:apps/v1:StatefulSet db-statefulset"]);
        await up();
        const kept = await kubectl(t, ["-n", namespace, "get", "pvc", `data-${cluster}-3`, `data-${cluster}-4`, "-o", "name"]);
        assert.equal(kept.trim().split("\n").length, 2, `the scaled-away pods' claims were not kept: ${kept}`);
        assert.deepEqual(await readyPods(), pods(3));
        const before = await podUids();
        assert.deepEqual(before, first, "scaling restarted pods 0-2");
        await pulumiOk(t, repoRoot, ["config", "set", "--path", "--stack", stack, "extraConfig[0]", "max_connections=200"]);
        const steps = changed(await preview());
        assert.deepEqual(steps, ["replace kubernetes:core/v1:ConfigMap db-config", "update kubernetes:apps/v1:StatefulSet db-statefulset"]);
        await up();
        // the provider built here (f47bc2d6f199) can end its StatefulSet await on the status of the
        // previous generation (it does not compare status.observedGeneration): wait for the rollout
        // the way kubectl does, then check that every pod was replaced
        await kubectl(t, ["-n", namespace, "rollout", "status", `statefulset/${cluster}`, "--timeout=600s"]);
        const after = await podUids();
        assert.ok(pods(3).every((p) => before[p] !== after[p]), "the option change did not roll every pod");
        assert.deepEqual(await readyPods(), pods(3));
        for (const pod of pods(3)) {
            const r = await kexec(`${namespace}/${pod}`, "mysql", ["bash", "-c", "mariadb --defaults-file=/var/run/mysqld/admin.cnf -N -e 'SELECT @@max_connections'"]);
            assert.equal(r.stdout.trim(), "200", `${pod}: ${r.stderr}`);
        }
        assert.equal(await appSql("db-0", `${cluster}-primary.${namespace}.svc`, "SELECT COUNT(*) FROM t"), "1", "data lost in the rollout");
        // the scripts' ConfigMap is content-named and immutable: the new one is what the pods mount, the old one is gone
        const maps = JSON.parse(await kubectl(t, ["-n", namespace, "get", "configmaps", "-o", "json"])).items
            .filter((m: any) => /^db-config-[0-9a-f]{10}$/.test(m.metadata.name));
        assert.equal(maps.length, 1, `config revisions left: ${maps.map((m: any) => m.metadata.name).join(" ")}`);
        assert.equal(maps[0].immutable, true);
        const sts = JSON.parse(await kubectl(t, ["-n", namespace, "get", "statefulset", cluster, "-o", "json"]));
        assert.equal(sts.spec.template.spec.volumes.find((v: any) => v.name === "config").configMap.name, maps[0].metadata.name);
    });

    it("4. a larger storageSize expands every claim in place: preview shows the claim patches, no StatefulSet change; no pod restarts; rows kept", async () => {
        const before = await podUids();
        await config("storageSize", "512Mi");
        const steps = changed(await preview());
        assert.deepEqual(steps.filter((s) => !s.includes("dynamic:Resource")), [0, 1, 2].map((n) =>
            `update kubernetes:core/v1:PersistentVolumeClaimPatch ${cluster}-data-${n}`), steps.join("\n"));
        assert.deepEqual(steps.filter((s) => s.includes("dynamic:Resource")), [`update pulumi-nodejs:dynamic:Resource ${cluster}-data-guard`]);
        await up();
        for (const n of [0, 1, 2]) {
            const claim = `data-${cluster}-${n}`;
            const capacity = await waitForValue(async () => JSON.parse(await kubectl(t, ["-n", namespace, "get", "pvc", claim, "-o", "json"]))
                .status?.capacity?.storage ?? "", "512Mi");
            assert.equal(capacity, "512Mi", `${claim} not expanded`);
        }
        // the template keeps its first size (immutable); the claims carry the new one
        const sts = JSON.parse(await kubectl(t, ["-n", namespace, "get", "statefulset", cluster, "-o", "json"]));
        assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "256Mi");
        assert.deepEqual(await podUids(), before, "pods were restarted or replaced");
        assert.deepEqual(await readyPods(), pods(3));
        assert.equal(await appSql("db-2", `${cluster}-read.${namespace}.svc`, "SELECT COUNT(*) FROM t"), "1");
        assert.deepEqual(changed(await preview()), [], "a second preview after the expansion shows changes");
    });

    it("4b. a smaller storageSize and another StorageClass fail preview and up with the field named, before anything changes", async () => {
        const before = await podUids();
        await config("storageSize", "256Mi");
        let result = await pulumi(t, repoRoot, ["preview", "--stack", stack]);
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /storageSize cannot shrink from 512Mi to 256Mi: Kubernetes never makes a volume smaller/);
        result = await pulumi(t, repoRoot, ["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.notEqual(result.code, 0);
        await config("storageSize", "512Mi");
        await config("storageClassName", "other-class");
        result = await pulumi(t, repoRoot, ["preview", "--stack", stack]);
        assert.notEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /storageClassName cannot change from the cluster's default class to other-class on existing volumes/);
        await pulumiOk(t, repoRoot, ["config", "rm", "--stack", stack, "storageClassName"]);
        const claim = JSON.parse(await kubectl(t, ["-n", namespace, "get", "pvc", `data-${cluster}-0`, "-o", "json"]));
        assert.equal(claim.spec.resources.requests.storage, "512Mi");
        assert.deepEqual(await podUids(), before);
        assert.deepEqual(changed(await preview()), []);
    });

    it("7. through the API: a deleted pod 0 comes back on its own data; a rollout restart rolls every pod; rows kept", async () => {
        const primary = `${cluster}-primary.${namespace}.svc`;
        await appSql("db-1", primary, "INSERT INTO t VALUES (2, 'before-delete')");
        const before = await podUids();
        await kubectl(t, ["-n", namespace, "delete", "pod", `${cluster}-0`, "--wait=true"]);
        await kubectl(t, ["-n", namespace, "wait", "--for=condition=Ready", `pod/${cluster}-0`, "--timeout=300s"]);
        assert.notEqual((await podUids())[`${cluster}-0`], before[`${cluster}-0`], "pod 0 was not recreated");
        assert.equal(await waitForValue(() => appSql("db-1", primary, "SELECT COUNT(*) FROM t"), "2"), "2", "rows lost");
        await kubectl(t, ["-n", namespace, "rollout", "restart", `statefulset/${cluster}`]);
        await kubectl(t, ["-n", namespace, "rollout", "status", `statefulset/${cluster}`, "--timeout=600s"]);
        const after = await podUids();
        assert.ok(pods(3).every((p) => after[p] !== before[p]), "the rollout did not restart every pod");
        assert.equal(await appSql("db-2", `${cluster}-read.${namespace}.svc`, "SELECT COUNT(*) FROM t"), "2");
    });

    it("8. a new root password in stack config: `up` changes the Secret, the running servers take it, no pod restarts", async () => {
        const before = await podUids();
        await pulumiOk(t, repoRoot, ["config", "set", "--secret", "--stack", stack, "rootPassword", "rotated root pw"]);
        const steps = changed(await preview());
        // the real provider replaces a Secret on a data change (as it does ConfigMaps, unless the provider
        // sets enableSecretMutable); the pods are not touched: they read the new files from the volume
        assert.ok(steps.includes("replace kubernetes:core/v1:Secret db-credentials"), `preview: ${steps.join("; ")}`);
        assert.ok(!steps.some((step) => /StatefulSet|ConfigMap/.test(step)), `a password change touches the pods: ${steps.join("; ")}`);
        await up();
        assert.deepEqual(await podUids(), before, "pods were restarted for a password change");
        const login = (pod: string) => kexec(`${namespace}/${pod}`, "mysql", ["bash", "-c",
            "IFS= read -r MYSQL_PWD; export MYSQL_PWD; exec mariadb -u root --socket=/var/run/mysqld/mysqld.sock -N -e 'SELECT 1'"], "rotated root pw\n");
        for (const pod of pods(3)) {
            const result = await waitForValue(async () => (await login(pod)).stdout.trim(), "1", 120000);
            assert.equal(result, "1", `root with the new password on ${pod}`);
        }
    });

    it("9. version 10.11 -> 11.8 through `up`: replicas roll first, one by one; each runs the upgrade step; rows and replication kept; writes only briefly unavailable; a downgrade is refused", async () => {
        const primary = `${cluster}-primary.${namespace}.svc`;
        await appSql("db-1", primary, "CREATE TABLE upgrade_w (n INT PRIMARY KEY)");
        // a client pod outside the StatefulSet writes through the primary Service while the pods roll
        await kubectl(t, ["-n", namespace, "apply", "-f", "-"], JSON.stringify({
            apiVersion: "v1", kind: "Pod", metadata: { name: "upgrade-client", namespace },
            spec: {
                terminationGracePeriodSeconds: 1,
                // the image's root filesystem is read-only: the writer's stop file lives on a volume
                volumes: [{ name: "scratch", emptyDir: {} }],
                containers: [{ name: "client", image: "mariadb:10.11", command: ["sleep", "infinity"], volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] }],
            },
        }));
        assert.equal(await waitForValue(async () => String((await kexec(`${namespace}/upgrade-client`, "client", ["true"])).code), "0", 120000), "0");
        const stopFile = "/scratch/stop-writer";
        const writer = run(path.join(repoRoot, "local-cluster", "kexec.sh"), [`${namespace}/upgrade-client`, "-c", "client", "--", "bash", "-c",
            `IFS= read -r MYSQL_PWD; export MYSQL_PWD; n=0
            while [[ ! -e ${stopFile} ]]; do
              n=$((n + 1))
              if mariadb -h "$1" -u app --connect-timeout=2 appdb -e "INSERT INTO upgrade_w VALUES ($n)" 2>/dev/null; then r=ok; else r=fail; fi
              echo "$r $n $(date +%s%3N)"; sleep 0.2
            done`, "writer", primary], { input: `${await appPassword()}\n`, timeoutMs: 1800000 });
        const before = await podUids();
        await config("version", "11.8");
        const steps = changed(await preview());
        assert.ok(steps.includes("update kubernetes:apps/v1:StatefulSet db-statefulset"), steps.join("\n"));
        assert.deepEqual(steps.filter((s) => /^(replace|delete|create)/.test(s) && !/ConfigMap db-config/.test(s)), [], steps.join("\n"));
        await up();
        await kubectl(t, ["-n", namespace, "rollout", "status", `statefulset/${cluster}`, "--timeout=900s"]);
        const stopped = await kexec(`${namespace}/upgrade-client`, "client", ["touch", stopFile]);
        assert.equal(stopped.code, 0, `the writer could not be stopped: ${stopped.stderr}`);
        const lines = (await writer).stdout.trim().split("\n").map((l) => l.split(" ")).filter((f) => f.length === 3);
        // every pod replaced, highest ordinal first
        const json = JSON.parse(await kubectl(t, ["-n", namespace, "get", "pods", "-o", "json"]));
        const started = Object.fromEntries(json.items.map((p: any) => [p.metadata.name, Date.parse(p.metadata.creationTimestamp)]));
        assert.ok(pods(3).every((p) => before[p] !== undefined && json.items.find((i: any) => i.metadata.name === p).metadata.uid !== before[p]), "a pod was not rolled");
        assert.ok(started["db-2"] < started["db-1"] && started["db-1"] < started["db-0"], `roll order: ${JSON.stringify(started)}`);
        // MariaDB 11 names the upgrade step's marker mariadb_upgrade_info (the flavor data says which)
        const infoFile = findFlavor("mariadb", "11.8")?.upgradeInfoFile;
        assert.ok(infoFile, "the 11.8 flavor names no upgrade marker");
        for (const pod of pods(3)) {
            const r = await kexec(`${namespace}/${pod}`, "mysql", ["bash", "-c", `mariadb --defaults-file=/var/run/mysqld/admin.cnf -N -e 'SELECT VERSION()'; cat "$DATADIR/${infoFile}"; echo`]);
            assert.equal(r.code, 0, r.stderr);
            const [version, upgradeInfo] = r.stdout.trim().split("\n");
            assert.match(version, /^11\.8\./, `${pod} runs ${version}`);
            // mariadb-upgrade ran on this pod's own copy (the file records the version it upgraded to)
            assert.match(upgradeInfo, /^11\.8\./, `${pod}'s ${infoFile}: ${upgradeInfo}`);
            assert.match(await kubectl(t, ["-n", namespace, "logs", pod, "-c", "member"]), /system tables match the server \(mariadb-upgrade\)/);
        }
        // every acknowledged write is on every pod
        const acked = lines.filter((f) => f[0] === "ok").map((f) => Number(f[1]));
        assert.ok(acked.length > 20, `only ${acked.length} writes acknowledged`);
        const counts = await Promise.all(pods(3).map(async (pod) => waitForValue(async () => (await kexec(`${namespace}/${pod}`, "mysql", ["bash", "-c",
            `mariadb --defaults-file=/var/run/mysqld/admin.cnf -N -e 'SELECT COUNT(*) FROM appdb.upgrade_w WHERE n IN (${acked.join(",")})'`])).stdout.trim(), String(acked.length))));
        assert.deepEqual(counts, pods(3).map(() => String(acked.length)), "acknowledged writes missing");
        // the longest time between two acknowledged writes: pod 0's restart into 11.8
        const okTimes = lines.filter((f) => f[0] === "ok").map((f) => Number(f[2]));
        const gap = Math.max(...okTimes.slice(1).map((t, i) => t - okTimes[i])) / 1000;
        assert.ok(gap < 90, `writes unavailable for ${gap} s`);
        console.log(`      upgrade 10.11 -> 11.8: ${acked.length} writes acknowledged, ${lines.length - acked.length} refused; ` +
            `longest write gap ${gap.toFixed(1)} s; ${acked.length} rows on each of 3 pods`);

        // and back is refused before anything changes
        const uids = await podUids();
        await config("version", "10.11");
        const r = await pulumi(t, repoRoot, ["preview", "--stack", stack]);
        assert.notEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /version 10\.11 is older than 11\.8, which the data was written by/);
        await config("version", "11.8");
        assert.deepEqual(await podUids(), uids);
        await kubectl(t, ["-n", namespace, "delete", "pod", "upgrade-client", "--wait=true"]);
    });

    it("5. destroy removes every object the component created and keeps the volumes", async () => {
        await pulumiOk(t, repoRoot, ["destroy", "--yes", "--skip-preview", "--stack", stack], 1200000);
        const left = await kubectl(t, ["-n", namespace, "get", "statefulsets,services,configmaps,secrets,pods", "-o", "name"]);
        assert.deepEqual(left.split("\n").filter((l) => l && !l.includes("kube-root-ca.crt")), []);
        const claims = await kubectl(t, ["-n", namespace, "get", "pvc", "-o", "name"]);
        assert.ok(claims.includes(`persistentvolumeclaim/data-${cluster}-0`), `the volumes were not kept: ${claims}`);
    });

    it("5b. up again on the kept volumes: new generated passwords are applied to the old data; rows kept", async () => {
        await up();
        assert.deepEqual(await readyPods(), pods(3));
        // the application password is a new generated one: it works on the old data
        assert.equal(await waitForValue(() => appSql("db-1", `${cluster}-primary.${namespace}.svc`, "SELECT COUNT(*) FROM t"), "2"), "2");
        await pulumiOk(t, repoRoot, ["destroy", "--yes", "--skip-preview", "--stack", stack], 1200000);
    });
});

async function waitForValue(read: () => Promise<string>, expected: string, timeoutMs = 60000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        last = await read().catch((e) => String(e));
        if (last === expected) {
            return last;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    return last;
}
