/**
 * Data safety (DESIGN.md, "Data safety"): one scenario per rule, run on the suite's cluster after
 * the faults. Each checks that every acknowledged row that reached a surviving copy is still there,
 * that no data directory was removed (sentinel files, live or set aside), and what the pods report.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { appUser, infraDir, KubeCluster } from "./harness/cluster";
import { run, sleep, waitFor } from "./harness/process";
import { log, Scenario } from "./scenarios";
import { AcknowledgedWriter, writeRows } from "./workload";

const table = `${appUser.database}.t`;

/** Every sentinel under the cluster's volumes, live or set aside: a removed copy loses its own. */
function sentinels(cluster: KubeCluster): string[] {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
        for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
            if (entry.isFile() && entry.name === "e2e-safety-sentinel") {
                found.push(fs.readFileSync(path.join(dir, entry.name), "utf8"));
            } else if (entry.isDirectory() && depth < 3) {
                walk(path.join(dir, entry.name), depth + 1);
            }
        }
    };
    cluster.allClaimDirs().forEach((dir) => walk(dir, 0));
    return found.sort();
}

/** Drops a uniquely named sentinel into every running pod's live data directory. */
function plantSentinels(cluster: KubeCluster, label: string): void {
    for (const pod of cluster.pods.values()) {
        fs.writeFileSync(path.join(pod.volumeDir("data"), "data", "e2e-safety-sentinel"), `${label}:${pod.name}:${Date.now()}`);
    }
}

/** No copy was removed: every sentinel planted before is still somewhere. */
function assertNothingRemoved(before: string[], cluster: KubeCluster, except: string[] = []): void {
    const after = new Set(sentinels(cluster));
    const gone = before.filter((s) => !after.has(s) && !except.some((e) => s.includes(e)));
    assert.deepEqual(gone, [], "a data directory was removed");
}

async function payloads(cluster: KubeCluster, ordinal: number, tag: string): Promise<Set<string>> {
    return new Set((await cluster.rootSql(ordinal, `SELECT payload FROM ${table} WHERE payload LIKE '${tag}-%'`)).split("\n").filter(Boolean));
}

async function identity(cluster: KubeCluster, ordinal: number): Promise<string> {
    return cluster.rootSql(ordinal, "SELECT id FROM mysql_cluster.identity");
}

/** The member agent's state line and the readiness probe's verdict of a pod. */
export async function reported(cluster: KubeCluster, ordinal: number): Promise<string> {
    const pod = cluster.pod(ordinal);
    const probe = await pod.exec("mysql", pod.container("mysql").readinessProbe!.command);
    return `${(probe.stdout + probe.stderr).trim().split("\n").pop()}`;
}

export async function converged(cluster: KubeCluster): Promise<string> {
    const rows = Number(await cluster.rootSql(0, `SELECT COUNT(*) FROM ${table}`));
    await cluster.waitForRows(rows, 300000);
    const sums = new Set(Object.values(await cluster.checksums()));
    assert.equal(sums.size, 1, "checksums differ");
    return `${rows} rows equal on ${cluster.pods.size} pods`;
}

/** super_read_only off (MySQL) so root can write on a replica, as an operator by mistake would. */
export const writableAs = (cluster: KubeCluster) => cluster.options.engine === "mysql" ? "SET GLOBAL super_read_only = OFF; " : "SET GLOBAL read_only = OFF; ";
export const readOnlyAgain = (cluster: KubeCluster) => cluster.options.engine === "mysql" ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL read_only = ON";

/** The operator's documented command: set this pod's copy aside and copy the cluster again. */
async function operatorSetsAside(cluster: KubeCluster, ordinal: number, why: string): Promise<void> {
    const result = await cluster.pod(ordinal).exec("member", ["bash", "/opt/mysql-cluster/set-aside.sh", why]);
    assert.equal(result.code, 0, result.stderr);
}

export const safety: Scenario[] = [
    {
        name: "D0. 3 pods, the filler dropped, a sentinel in every copy",
        async run(cluster) {
            await cluster.scaleTo(3);
            await cluster.rootSql(0, `DROP TABLE IF EXISTS ${appUser.database}.filler`);
            plantSentinels(cluster, "d0");
            return converged(cluster);
        },
    },
    {
        name: "D1. rule 3/10: pod 0's node and volume lost under a write load: re-seeded from the most advanced peer",
        async run(cluster) {
            const before = sentinels(cluster);
            const id = await identity(cluster, 1);
            const writer = new AcknowledgedWriter(cluster, "d1");
            await sleep(3000);
            await cluster.crashPod(0);
            const acked = (await writer.stopTimed()).map((a) => a.payload);
            // what survived: the rows on any replica when the primary was lost
            await sleep(2000);
            const survived = new Set([...await payloads(cluster, 1, "d1"), ...await payloads(cluster, 2, "d1")]);
            cluster.deleteVolume(0);
            const mark = log(cluster, 0, "clone-mysql-0").length; // logs of earlier pods of this name come first
            const t0 = Date.now();
            await cluster.startPod(0, 600000);
            const seeded = (Date.now() - t0) / 1000;
            const bootstrap = log(cluster, 0, "clone-mysql-0").slice(mark);
            assert.match(bootstrap, /re-seeding from pod [12]: it holds the most advanced data of this cluster/);
            assert.doesNotMatch(bootstrap, /initialising a new primary/);
            assert.equal(await identity(cluster, 0), id, "pod 0 started another cluster");
            const onPrimary = await payloads(cluster, 0, "d1");
            const lostByRecovery = [...survived].filter((p) => !onPrimary.has(p));
            assert.deepEqual(lostByRecovery, [], "rows on a surviving copy were lost by the recovery");
            const asyncWindow = acked.filter((p) => !survived.has(p)).length;
            const rows = await writeRows(cluster, 20, "d1-after");
            assert.ok(rows > 0);
            assertNothingRemoved(before, cluster, ["db-0:"]);
            return `${acked.length} acknowledged; ${asyncWindow} acknowledged but on no replica when pod 0 was lost (asynchronous ` +
                `replication); 0 of ${survived.size} surviving rows lost by the recovery; pod 0 re-seeded and serving ` +
                `in ${seeded.toFixed(1)} s; ${await converged(cluster)}`;
        },
    },
    {
        name: "D2. rule 3: full-cluster stop, pod 0's volume lost, pods started 0, 2, 1: pod 0 waits, then re-seeds",
        async run(cluster) {
            plantSentinels(cluster, "d2");
            const before = sentinels(cluster);
            const id = await identity(cluster, 0);
            const rows = await writeRows(cluster, 50, "d2");
            await cluster.waitForRows(rows);
            for (const n of [2, 1, 0]) {
                await cluster.deletePod(n);
            }
            cluster.deleteVolume(0);
            const mark = log(cluster, 0, "clone-mysql-0").length;
            const pod0 = await cluster.launchPod(0);
            await sleep(15000);
            assert.equal(pod0.ready, false, "pod 0 became ready with no peer to ask");
            assert.match(log(cluster, 0, "clone-mysql-0").slice(mark), /pods 1 2 have not answered/);
            assert.ok(!fs.existsSync(path.join(pod0.volumeDir("data"), "data")), "pod 0 initialised a new data directory");
            await cluster.launchPod(2);
            await sleep(3000);
            await cluster.launchPod(1);
            for (const n of [0, 1, 2]) {
                await cluster.pod(n).waitReady(600000);
            }
            assert.equal(await identity(cluster, 0), id, "pod 0 started another cluster");
            assert.equal(Number(await cluster.rootSql(0, `SELECT COUNT(*) FROM ${table}`)), rows, "rows lost");
            assertNothingRemoved(before, cluster, ["d2:db-0:"]);
            const bootstrap = log(cluster, 0, "clone-mysql-0").slice(mark);
            assert.doesNotMatch(bootstrap, /initialising a new primary/);
            return `pod 0 waited (not ready: "${bootstrap.match(/pods 1 2 have not answered[^\n]*/)![0].slice(0, 60)}..."), ` +
                `then re-seeded from ${bootstrap.match(/cloning from (db-\d)/)![1]}; ${await converged(cluster)}`;
        },
    },
    {
        name: "D3. rules 1/3: pod 0's volume replaced by an older copy of itself: set aside, re-seeded, nothing lost",
        async run(cluster) {
            plantSentinels(cluster, "d3");
            await cluster.deletePod(0);
            const volume = cluster.claimDir(0);
            const older = `${volume}.older`;
            await run("cp", ["-a", volume, older]);
            await cluster.startPod(0);
            const rows = await writeRows(cluster, 100, "d3");
            await cluster.waitForRows(rows);
            const before = sentinels(cluster);
            await cluster.deletePod(0);
            fs.renameSync(volume, `${volume}.newer`);
            fs.renameSync(older, volume);
            await cluster.startPod(0, 600000);
            const member = log(cluster, 0, "member-0");
            assert.match(member, /hold transactions of this cluster that this copy lacks/);
            assert.match(log(cluster, 0, "mysql-1"), /SET ASIDE the data directory/);
            assert.equal(Number(await cluster.rootSql(0, `SELECT COUNT(*) FROM ${table}`)), rows, "rows lost");
            fs.rmSync(`${volume}.newer`, { recursive: true }); // the test's own copy, not the component's
            assertNothingRemoved(before.filter((s) => !s.startsWith("d3:db-0")), cluster);
            assert.ok(sentinels(cluster).some((s) => s.startsWith("d3:db-0")), "the older copy was not kept aside");
            return `the older copy took no writes, was set aside and pod 0 re-seeded: ${await converged(cluster)}`;
        },
    },
    {
        name: "D4. rule 4: an errant transaction on a replica: it stops, leaves the read Service, keeps its data, says why",
        async run(cluster) {
            const before = sentinels(cluster);
            await cluster.rootSql(2, `${writableAs(cluster)}INSERT INTO ${table} (payload) VALUES ('errant'); ${readOnlyAgain(cluster)}`);
            const t0 = Date.now();
            await waitFor("pod 2 not ready", 60000, async () => !cluster.pod(2).ready, 250);
            const left = (Date.now() - t0) / 1000;
            await writeRows(cluster, 10, "d4");
            // the readiness message turns into the member agent's verdict within a round or two
            const says = await waitFor("pod 2 to say why", 30000, async () => {
                const line = await reported(cluster, 2);
                return /halted: errant transactions on this replica/.test(line) ? line : undefined;
            }, 1000);
            assert.equal(Number(await cluster.rootSql(2, `SELECT COUNT(*) FROM ${table} WHERE payload = 'errant'`)), 1, "data not kept");
            assertNothingRemoved(before, cluster);
            await operatorSetsAside(cluster, 2, "errant transaction written by hand");
            await waitFor("pod 2 re-cloned and ready", 600000, async () => cluster.pod(2).ready &&
                /SET ASIDE the data directory .*errant transaction written by hand/.test(log(cluster, 2, "mysql-1")), 500);
            assert.equal(Number(await cluster.rootSql(2, `SELECT COUNT(*) FROM ${table} WHERE payload = 'errant'`)), 0);
            assertNothingRemoved(before, cluster);
            return `left the read Service ${left.toFixed(1)} s after the write; reported "${says}"; ` +
                `the operator's set-aside.sh kept the copy and re-cloned: ${await converged(cluster)}`;
        },
    },
    {
        name: "D5. rules 2/4: a volume of another cluster under pod 2: it never replicates, says why, keeps the data",
        async run(cluster) {
            plantSentinels(cluster, "d5");
            const before = sentinels(cluster);
            await cluster.rootSql(2, `${writableAs(cluster)}SET SESSION sql_log_bin = 0; ` +
                `UPDATE mysql_cluster.identity SET id = 'another-cluster'; ${readOnlyAgain(cluster)}`);
            await cluster.deletePod(2);
            await cluster.launchPod(2); // it must not become ready
            await sleep(15000);
            assert.equal(cluster.pod(2).ready, false, "a copy of another cluster became ready");
            const says = await reported(cluster, 2);
            assert.match(says, /halted: the source belongs to cluster .*, this copy to another-cluster/);
            const status = await cluster.rootSql(2, cluster.serverEnv.REPLICATION_SYNTAX === "source" ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS", ["--vertical"]);
            assert.match(status, /(Replica|Slave)_IO_Running: No/);
            assertNothingRemoved(before, cluster);
            await operatorSetsAside(cluster, 2, "volume of another cluster");
            await cluster.pod(2).waitReady(600000);
            assertNothingRemoved(before, cluster);
            return `reported "${says}"; freed by the operator (set aside, re-cloned): ${await converged(cluster)}`;
        },
    },
    {
        name: "D6. rule 7: pod 0 stops quickly even when a replica vanished without closing its connection",
        async run(cluster) {
            await writeRows(cluster, 10, "d6");
            await cluster.setLink(2, false);
            try {
                const t0 = Date.now();
                await cluster.deletePod(0);
                const stopped = (Date.now() - t0) / 1000;
                const t1 = Date.now();
                await cluster.startPod(0);
                const started = (Date.now() - t1) / 1000;
                assert.ok(stopped < 20, `pod 0 took ${stopped} s to stop`);
                return `pod 0 stopped in ${stopped.toFixed(1)} s with pod 2 cut off, took writes again ${started.toFixed(1)} s later`;
            } finally {
                await cluster.setLink(2, true);
                await cluster.pod(2).waitReady(300000);
            }
        },
    },
    {
        name: "D7. rule 7: rolling restart (2, 1, 0) under a write load: write-unavailability per pod",
        async run(cluster) {
            const writer = new AcknowledgedWriter(cluster, "d7");
            await sleep(2000);
            const windows: string[] = [];
            for (const n of [2, 1, 0]) {
                const t0 = Date.now();
                // while the primary restarts, the replicas stay in the read Service (their data is at
                // most maxReplicaLagSeconds old): sampled through the API's Ready condition
                let replicasOut = 0;
                let samples = 0;
                let stop = false;
                const watching = n === 0;
                const watcher = (async () => {
                    while (watching && !stop) {
                        const ready = await cluster.readyInApi([1, 2]);
                        samples++;
                        if (!ready.every(Boolean)) {
                            replicasOut++;
                        }
                        // often enough for a restart of a few seconds to give more than 5 samples
                        await sleep(100);
                    }
                })();
                await cluster.restartPod(n, 300000);
                const t1 = Date.now();
                stop = true;
                await watcher;
                const sampled = samples;
                if (watching) {
                    assert.ok(sampled > 5, `only ${sampled} readiness samples during pod 0's restart`);
                    assert.equal(replicasOut, 0, `a replica left the read Service in ${replicasOut} of ${sampled} samples during pod 0's restart`);
                    windows.push(`replicas 1 and 2 Ready in all ${sampled} samples during pod 0's restart`);
                }
                await sleep(2000);
                const acks = writer.acknowledged().map((a) => a.at).filter((at) => at >= t0 - 1000 && at <= t1 + 2000);
                let gap = 0;
                for (let i = 1; i < acks.length; i++) {
                    gap = Math.max(gap, acks[i] - acks[i - 1]);
                }
                windows.push(`pod ${n}: restart ${((t1 - t0) / 1000).toFixed(1)} s, longest write gap ${(gap / 1000).toFixed(1)} s`);
            }
            const acked = await writer.stop();
            const present = await payloads(cluster, 0, "d7");
            assert.deepEqual(acked.filter((p) => !present.has(p)), [], "acknowledged rows lost");
            return `${windows.join("; ")}; ${acked.length} acknowledged, 0 lost; ${await converged(cluster)}`;
        },
    },
    {
        name: "D8. rule 8: a silent client on the donors' clone port does not hold a scale-up",
        async run(cluster) {
            const port = cluster.serverEnv.BOOTSTRAP_METHOD === "stream" ? cluster.serverEnv.BACKUP_PORT : cluster.serverEnv.MYSQL_PORT;
            // the silent clients: connect to every donor and send nothing
            const silent = [0, 1, 2].map((n) => run(path.join(infraDir, "pod-exec.sh"), ["bash", "-c",
                `exec 3<>/dev/tcp/db-${n}.db/${port}; sleep 20`], { env: cluster.clientEnv(), timeoutMs: 30000 }));
            await sleep(1000);
            cluster.deleteVolume(3); // a fresh pod 3: it must copy a donor
            const mark = log(cluster, 3, "clone-mysql-0").length;
            const t0 = Date.now();
            await cluster.scaleTo(4, 300000);
            const took = (Date.now() - t0) / 1000;
            const clone = log(cluster, 3, "clone-mysql-0").slice(mark);
            assert.match(clone, new RegExp(`clone from db-\\d\\.db\\.${cluster.namespace}\\.svc complete`));
            assert.doesNotMatch(clone, /clone from .* failed/, "a silent client made a clone attempt fail");
            const started = clone.match(/(\d\d:\d\d:\d\d)Z \[clone-mysql.sh\] cloning from/);
            await Promise.all(silent);
            await cluster.scaleTo(3);
            return `pod 3 ready ${took.toFixed(1)} s after the scale-up with a silent client on port ${port} of every donor ` +
                `(copy started ${started ? started[1] : "?"}); ${await converged(cluster)}`;
        },
    },
];
