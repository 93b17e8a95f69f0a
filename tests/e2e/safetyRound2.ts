/**
 * Data safety, round 2 (docs/design.md rules 9, 10 and 12): faults a cluster meets in which a
 * decision that read only applied transactions, only live copies, or resumed on a timer would lose
 * acknowledged rows, start an empty cluster, or apply a source it has not checked. Each checks the
 * rows, that no copy was removed, and the message the operator sees. Runs after safety.ts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { appUser, KubeCluster } from "./harness/cluster";
import { run, sleep, waitFor } from "./harness/process";
import { converged, readOnlyAgain, reported, writableAs } from "./safety";
import { log, Scenario } from "./scenarios";
import { writeRows } from "./workload";

const table = `${appUser.database}.t`;

/** Every log of a container of pod `ordinal` (each restart has its own file), oldest first. */
function containerLogs(cluster: KubeCluster, ordinal: number, container: string): string {
    return Array.from({ length: 10 }, (_, n) => log(cluster, ordinal, `${container}-${n}`)).join("");
}

async function count(cluster: KubeCluster, ordinal: number, tag: string): Promise<number> {
    return Number(await cluster.rootSql(ordinal, `SELECT COUNT(*) FROM ${table} WHERE payload LIKE '${tag}-%'`));
}

/** The copies set aside on pod `ordinal`'s volume: directory names, with the facts recorded beside each. */
function asideCopies(cluster: KubeCluster, ordinal: number): Array<{ name: string; facts: string }> {
    const dir = path.join(cluster.claimDir(ordinal), "set-aside");
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())
        .map((e) => ({ name: e.name, facts: fs.existsSync(path.join(dir, `${e.name}.facts`)) ? fs.readFileSync(path.join(dir, `${e.name}.facts`), "utf8") : "" }));
}

const ioRunning = async (cluster: KubeCluster, ordinal: number) => {
    const status = await cluster.rootSql(ordinal, cluster.serverEnv.REPLICATION_SYNTAX === "source" ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS", ["--vertical"]);
    return /(Replica|Slave)_IO_Running: Yes/.test(status);
};

export const safetyRound2: Scenario[] = [
    {
        name: "D9. rule 9: every replica's copy set aside while pod 0 is down, then pod 0's volume lost: pod 0 never starts a new cluster",
        async run(cluster) {
            await cluster.scaleTo(3);
            const rows = await writeRows(cluster, 30, "d9");
            await cluster.waitForRows(rows);
            const id = await cluster.rootSql(0, "SELECT id FROM mysql_cluster.identity");
            const before = [1, 2].map((n) => asideCopies(cluster, n).length);
            await cluster.deletePod(0);
            for (const n of [1, 2]) {
                const result = await cluster.pod(n).exec("member", ["bash", "/opt/mysql-cluster/set-aside.sh", "d9: set aside while pod 0 is down"]);
                assert.equal(result.code, 0, result.stderr);
            }
            // each restarts its server, sets its copy aside with the copy's facts beside it, and waits for pod 0
            await waitFor("pods 1 and 2 set their copies aside", 180000, async () =>
                [1, 2].every((n, i) => asideCopies(cluster, n).length > before[i] &&
                    asideCopies(cluster, n).some((c) => c.facts.startsWith(`${id}\t`))), 500);
            cluster.deleteVolume(0);
            const mark = log(cluster, 0, "clone-mysql-0").length;
            const pod0 = await cluster.launchPod(0);
            const says = await waitFor("pod 0 to refuse a new cluster", 120000, async () =>
                /no pod serves data, but copies are set aside \([^)]*\)/.exec(log(cluster, 0, "clone-mysql-0").slice(mark))?.[0], 500);
            await sleep(5000);
            assert.equal(pod0.ready, false, "pod 0 became ready");
            assert.doesNotMatch(log(cluster, 0, "clone-mysql-0").slice(mark), /initialising a new primary/);
            assert.ok(!fs.existsSync(path.join(cluster.claimDir(0), "data")), "pod 0 initialised a data directory");

            // the operator restores pod 1's copy (docs/operations.md): pod 0 re-seeds from it, pod 2 copies it
            await cluster.deletePod(1);
            const aside = path.join(cluster.claimDir(1), "set-aside");
            const newest = asideCopies(cluster, 1).map((c) => c.name).sort().pop()!;
            fs.renameSync(path.join(aside, newest), path.join(cluster.claimDir(1), "data"));
            fs.rmSync(path.join(aside, `${newest}.facts`));
            await cluster.launchPod(1);
            for (const n of [0, 1, 2]) {
                await cluster.pod(n).waitReady(600000);
            }
            assert.equal(await cluster.rootSql(0, "SELECT id FROM mysql_cluster.identity"), id, "pod 0 started another cluster");
            assert.equal(await count(cluster, 0, "d9"), 30, "rows lost");
            assert.match(log(cluster, 0, "clone-mysql-0").slice(mark), /re-seeding from pod 1/);
            return `pod 0 refused: "${says}"; after the operator restored pod 1's copy, re-seeded from it: ${await converged(cluster)}`;
        },
    },
    {
        name: "D10. rule 10: replicas' appliers blocked while their receivers run, then pod 0 lost: rows only in relay logs are kept",
        async run(cluster) {
            // a global read lock on each replica holds its applier; the receiver goes on writing the relay log
            const locks = [1, 2].map((n) => cluster.rootSql(n, "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(40);").catch((e: Error) => e));
            await sleep(1500);
            const rows = await writeRows(cluster, 40, "d10");
            await sleep(2000);
            const applied = [await count(cluster, 1, "d10"), await count(cluster, 2, "d10")];
            assert.deepEqual(applied, [0, 0], "the appliers were not held: the test proves nothing");
            await cluster.crashPod(0);
            cluster.deleteVolume(0);
            const mark = log(cluster, 0, "clone-mysql-0").length;
            await cluster.launchPod(0);
            const waited = await waitFor("pod 0 to wait for the appliers", 60000, async () =>
                /has not applied all it retrieved \([^)]*\)/.exec(log(cluster, 0, "clone-mysql-0").slice(mark))?.[0], 250);
            await Promise.all(locks);
            await cluster.pod(0).waitReady(600000);
            assert.equal(await count(cluster, 0, "d10"), 40, "acknowledged rows that had reached the replicas' relay logs were lost");
            await cluster.pod(1).waitReady(300000);
            await cluster.pod(2).waitReady(300000);
            return `${rows} rows; the 40 written while the appliers were held reached only relay logs; pod 0 waited ` +
                `("${waited.slice(0, 90)}..."), then re-seeded with all 40: ${await converged(cluster)}`;
        },
    },
    {
        name: "D11. rule 12: a replica halted for an errant transaction stays halted while pod 0 restarts; it applies nothing",
        async run(cluster) {
            await cluster.rootSql(2, `${writableAs(cluster)}INSERT INTO ${table} (payload) VALUES ('d11-errant'); ${readOnlyAgain(cluster)}`);
            await waitFor("pod 2 halted", 60000, async () => /halted: errant transactions/.test(await reported(cluster, 2)), 500);
            await cluster.restartPod(0);
            await writeRows(cluster, 20, "d11-after");
            await waitFor("pod 1 has the new rows", 120000, async () => (await count(cluster, 1, "d11-after")) === 20, 500);
            await sleep(6000); // three of pod 2's rounds after pod 0 came back
            const says = await reported(cluster, 2);
            assert.match(says, /halted: errant transactions on this replica/);
            assert.equal(cluster.pod(2).ready, false, "a halted replica became ready");
            assert.equal(await count(cluster, 2, "d11-after"), 0, "the halted replica applied events of the restarted pod 0");
            assert.equal(await ioRunning(cluster, 2), false, "the halted replica's receiver runs");
            assert.equal(Number(await cluster.rootSql(2, `SELECT COUNT(*) FROM ${table} WHERE payload = 'd11-errant'`)), 1, "data not kept");
            const member = containerLogs(cluster, 2, "member");
            assert.doesNotMatch(member.slice(member.lastIndexOf("halted: errant")), /a fresh check passed: replicating again/);
            const result = await cluster.pod(2).exec("member", ["bash", "/opt/mysql-cluster/set-aside.sh", "d11: errant row"]);
            assert.equal(result.code, 0, result.stderr);
            await waitFor("pod 2 re-cloned and ready", 600000, async () => cluster.pod(2).ready &&
                (await count(cluster, 2, "d11-after")) === 20, 1000);
            return `through pod 0's restart pod 2 stayed halted ("${says.slice(0, 80)}..."), its receiver stopped, ` +
                `0 of 20 new rows applied; after the operator's set-aside: ${await converged(cluster)}`;
        },
    },
    {
        name: "D12. rule 11: pod 0 comes back with an older copy of itself while its peers are down, takes writes after the peer wait, then a peer returns: it steps down",
        async run(cluster) {
            await writeRows(cluster, 20, "d12-a");
            await cluster.deletePod(0);
            const volume = cluster.claimDir(0);
            await run("cp", ["-a", volume, `${volume}.older`]);
            await cluster.startPod(0);
            const rows = await writeRows(cluster, 30, "d12-b");
            await cluster.waitForRows(rows);
            for (const n of [2, 1, 0]) {
                await cluster.deletePod(n);
            }
            fs.renameSync(volume, `${volume}.newer`);
            fs.renameSync(`${volume}.older`, volume);
            const mark = containerLogs(cluster, 0, "member").length;
            await cluster.startPod(0, 120000); // no peer answers: it takes writes after primaryPeerWaitSeconds
            await waitFor("pod 0 to take writes", 60000, async () =>
                /taking writes as transaction origin \S+/.test(containerLogs(cluster, 0, "member").slice(mark)), 500);
            const origin = /taking writes as transaction origin (\S+)/.exec(containerLogs(cluster, 0, "member").slice(mark))![1];
            // pod 0's new writes, straight to it (no peer is back yet, so it still takes them)
            let refused = "";
            await waitFor("pod 0 to acknowledge 2 new rows", 90000, async () => {
                const r = await cluster.clientSql({ ordinal: 0 }, "INSERT INTO t (payload) VALUES ('d12-c-0'), ('d12-c-1')", 10000);
                refused = r.stderr.trim();
                return r.code === 0;
            }, 1000).catch((e: Error) => { throw new Error(`${e.message} (last error: ${refused})`); });
            const acked = await count(cluster, 0, "d12-c");
            assert.equal(acked, 2, "pod 0 did not take writes");
            await cluster.launchPod(1);
            const says = await waitFor("pod 0 to step down", 120000, async () => {
                const line = await reported(cluster, 0);
                return /halted: stepped down: pod [12], which did not answer before this pod took writes, holds transactions it lacks/.test(line) ? line : undefined;
            }, 1000);
            assert.equal(await cluster.rootSql(0, "SELECT @@GLOBAL.read_only"), "1", "pod 0 still takes writes");
            await waitFor("pod 0 out of the primary Service", 30000, async () => !cluster.pod(0).ready, 500);
            assert.notEqual((await cluster.clientSql("primary", "INSERT INTO t (payload) VALUES ('d12-refused')", 15000)).code, 0,
                "a write was accepted after the step-down");
            // the operator keeps pod 1's history: pod 0's copy (with its 2 new rows) is set aside, and it re-seeds
            const result = await cluster.pod(0).exec("member", ["bash", "/opt/mysql-cluster/set-aside.sh", "d12: keep pod 1's history"]);
            assert.equal(result.code, 0, result.stderr);
            if (!cluster.pods.has(2)) {
                await cluster.launchPod(2);
            }
            for (const n of [0, 1, 2]) {
                await cluster.pod(n).waitReady(600000);
            }
            assert.equal(await count(cluster, 0, "d12-b"), 30, "pod 1's rows were lost");
            assert.equal(await count(cluster, 0, "d12-c"), 0, "the stepped-down primary's rows were not set aside");
            // the new origin (MySQL: a server_uuid; MariaDB: "<domain>-<server id>") is in the kept copy's set
            assert.ok(asideCopies(cluster, 0).some((c) => c.facts.split("\t")[2]?.toLowerCase().includes(origin.toLowerCase())),
                `the stepped-down copy is not kept aside with its new origin ${origin}`);
            fs.rmSync(`${volume}.newer`, { recursive: true }); // the test's own copy, not the component's
            return `pod 0 took writes as origin ${origin} (${acked} rows acknowledged); when a peer answered it stepped down ` +
                `("${says.slice(0, 110)}..."); the operator kept the peers' history, pod 0's copy stays set aside: ${await converged(cluster)}`;
        },
    },
    {
        name: "D13. rule 8: a server setting that changes how SQL text reads (sql_mode NO_BACKSLASH_ESCAPES, ANSI_QUOTES) on the replicas: pod 0 restarts and decides on their real sets; on MySQL the decisions' arithmetic is the server's GTID_SUBTRACT",
        async run(cluster) {
            const modes = new Map<number, string>();
            for (const n of [1, 2]) {
                modes.set(n, await cluster.rootSql(n, "SELECT @@GLOBAL.sql_mode"));
                await cluster.rootSql(n, "SET GLOBAL sql_mode = CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'NO_BACKSLASH_ESCAPES', 'ANSI_QUOTES')");
            }
            const marks = [0, 1, 2].map((n) => containerLogs(cluster, n, "member").length);
            await writeRows(cluster, 20, "d13-a");
            await cluster.restartPod(0); // a new origin (MySQL: its gtid_executed now spans lines)
            const rows = await writeRows(cluster, 20, "d13-b");
            await cluster.waitForRows(rows);
            const sets = await cluster.rootSql(1, cluster.options.engine === "mysql" ? "SELECT @@GLOBAL.gtid_executed" : "SELECT @@GLOBAL.gtid_binlog_state");
            for (const n of [1, 2]) {
                // each replica followed pod 0 through its restart: its agent read its own sets and pod 0's
                await waitFor(`pod ${n} replicating from the restarted pod 0`, 60000, async () => {
                    const state = await cluster.pod(n).exec("member", ["bash", "-c", 'cat "$RUN_DIR/member.state"']);
                    return /^replicating\tfrom pod 0$/.test(state.stdout.trim()) && cluster.pod(n).ready;
                }, 500);
                const logs = containerLogs(cluster, n, "member").slice(marks[n]) + (n === 1 ? containerLogs(cluster, 0, "member").slice(marks[0]) : "");
                assert.doesNotMatch(logs, /could not be compared|not parse/, `pod ${n} or pod 0 could not read a set`);
            }
            let arithmetic = "";
            if (cluster.options.engine === "mysql") {
                arithmetic = `; ${await serverArithmetic(cluster, 1)}`;
            }
            for (const [n, mode] of modes) {
                await cluster.rootSql(n, `SET GLOBAL sql_mode = '${mode}'`);
            }
            return `replicas' sets read under the setting (${sets.split(",").length} origins); pod 0 restarted and took writes${arithmetic}: ${await converged(cluster)}`;
        },
    },
];

/**
 * Must-hold 8, for a suite whose pods run with a short startupTimeoutSeconds (60 s): a copy made in
 * the server container (after a set-aside) that lasts longer than that budget is not cut short.
 */
export const shortBudget: Scenario[] = [
    {
        name: "D14. must-hold 8: a replica's re-copy in the server container lasts longer than startupTimeoutSeconds (pod 0 away for it): liveness follows its progress and never restarts it",
        async run(cluster) {
            const budget = cluster.options.args.startupTimeoutSeconds;
            assert.ok(budget !== undefined && budget <= 60, `this scenario needs a suite with startupTimeoutSeconds <= 60 (has ${budget})`);
            const rows = await writeRows(cluster, 20, "d14");
            await cluster.waitForRows(rows);
            await cluster.deletePod(0); // pod 1's copy waits for pod 0, its source
            const before = cluster.pod(1).restarts.mysql;
            const result = await cluster.pod(1).exec("member", ["bash", "/opt/mysql-cluster/set-aside.sh", "d14: a long re-copy"]);
            assert.equal(result.code, 0, result.stderr);
            // run-mysql.sh restarts into the copy: the set-aside is done and the copy waits for its source
            // (read from this container's own log: older ones of pod 1 say the same from earlier scenarios)
            const current = () => {
                const file = cluster.pod(1).logFile(`mysql-${cluster.pod(1).restarts.mysql}`);
                return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
            };
            await waitFor("pod 1 copying in its server container", 120000, async () =>
                cluster.pod(1).restarts.mysql > before && /pod 0 has no data yet or does not answer/.test(current()), 500);
            const restarts = cluster.pod(1).restarts.mysql;
            const copying = Date.now();
            await sleep((budget! + 45) * 1000);
            assert.equal(cluster.pod(1).restarts.mysql, restarts, "liveness restarted the copying server container");
            const waited = Math.round((Date.now() - copying) / 1000);
            await cluster.startPod(0);
            await cluster.pod(1).waitReady(600000);
            assert.equal(cluster.pod(1).restarts.mysql, restarts, "the server container was restarted during the copy");
            const copied = /clone from \S+ complete/.test(current());
            assert.ok(copied, "pod 1 did not finish a copy in its server container");
            return `pod 1's copy ran ${Math.round((Date.now() - copying) / 1000)} s in its server container (${waited} s of it waiting for pod 0) ` +
                `with startupTimeoutSeconds ${budget}: 0 restarts; ${await converged(cluster)}`;
        },
    },
];

/**
 * MySQL: gtid.sh's arithmetic against the server's own GTID_SUBTRACT on pod `ordinal`, through the
 * agents' path (gtid_subtract with gtid_sql, which fails when the two disagree), on the pods' real
 * sets and on sets of every shape (tags, gaps, overlaps, upper case, empty sides).
 */
async function serverArithmetic(cluster: KubeCluster, ordinal: number): Promise<string> {
    const real = await Promise.all([0, 1, 2].map((n) => cluster.rootSql(n, "SELECT REPLACE(@@GLOBAL.gtid_executed, CHAR(10 USING utf8mb4), '')")));
    const u = (await cluster.rootSql(0, "SELECT @@server_uuid")).toLowerCase();
    const v = "cccccccc-2222-2222-2222-222222222222";
    const pairs: Array<[string, string]> = [
        [real[0], real[1]], [real[1], real[0]], [real[2], real[0]], [real[0], ""], ["", real[0]],
        [`${u}:1-20`, `${u}:1-5:11-18`], [`${u}:1-10,${u}:1-12:14`, `${u}:3-4`], [`${u.toUpperCase()}:1-5`, `${u}:2-3`],
        [`${u}:tag_a:1-3,${v}:5-9`, `${u}:1-3`], [`${u}:tag_a:1-3:7`, `${u}:tag_a:2,${v}:1-100`], [`${v}:1-5:7-9`, `${v}:6`],
        [`${v}:1`, `${v}:1`], ["", ""],
    ];
    const script = [
        "set -euo pipefail; cd /opt/mysql-cluster; source lib.sh; source gtid.sh",
        'gtid_sql() { echo x >>"$RUN_DIR/d13.asked"; sql "$RUN_DIR/admin.cnf"; }',
        'rm -f "$RUN_DIR/d13.asked"; n=0; bad=0',
        'while IFS="|" read -r a b; do n=$((n + 1)); gtid_subtract "$a" "$b" >/dev/null || { bad=$((bad + 1)); echo "pair $n: $a - $b" >&2; }; done',
        'echo "$n $bad $(wc -l <"$RUN_DIR/d13.asked" 2>/dev/null || echo 0)"',
    ].join("\n");
    const result = await cluster.pod(ordinal).exec("member", ["bash", "-c", script], { input: pairs.map(([a, b]) => `${a}|${b}`).join("\n") + "\n" });
    assert.equal(result.code, 0, result.stderr);
    const [n, bad, asked] = result.stdout.trim().split(" ").map(Number);
    assert.equal(n, pairs.length, result.stdout);
    assert.equal(bad, 0, `gtid.sh and GTID_SUBTRACT disagree: ${result.stderr}`);
    assert.equal(asked, pairs.length, "the server was not asked for every pair");
    return `gtid.sh and the server's GTID_SUBTRACT agree on ${n} pairs (the pods' real sets, tags, gaps, overlaps, upper case, empty)`;
}
