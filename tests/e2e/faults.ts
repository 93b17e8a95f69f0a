/**
 * Fault injection, run after the replication scenarios on the same cluster (5 pods). Each
 * fault states what must hold afterwards; acknowledged commits are never lost.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { appUser, KubeCluster } from "./harness/cluster";
import { sleep, waitFor } from "./harness/process";
import { cloneBytes, Scenario } from "./scenarios";
import { AcknowledgedWriter, writeRows } from "./workload";

async function rowCount(cluster: KubeCluster, ordinal: number): Promise<number> {
    return Number(await cluster.rootSql(ordinal, `SELECT COUNT(*) FROM ${appUser.database}.t`));
}

/** Every acknowledged payload is on the primary, then on every pod; checksums equal. */
async function assertNoAcknowledgedLoss(cluster: KubeCluster, tag: string, acked: string[]): Promise<string> {
    assert.ok(acked.length > 20, `only ${acked.length} commits were acknowledged`);
    const onPrimary = Number(await cluster.rootSql(0,
        `SELECT COUNT(*) FROM ${appUser.database}.t WHERE payload LIKE '${tag}-%'`));
    const present = new Set((await cluster.rootSql(0,
        `SELECT payload FROM ${appUser.database}.t WHERE payload LIKE '${tag}-%'`)).split("\n"));
    const lost = acked.filter((p) => !present.has(p));
    assert.deepEqual(lost, [], `${lost.length} acknowledged rows lost`);
    const rows = await rowCount(cluster, 0);
    await cluster.waitForRows(rows);
    const sums = new Set(Object.values(await cluster.checksums()));
    assert.equal(sums.size, 1, "checksums differ");
    return `${acked.length} acknowledged, ${onPrimary} on the primary, 0 lost; ${cluster.pods.size} pods equal`;
}

export const faults: Scenario[] = [
    {
        name: "F1. kill -9 of the primary's server during a write load",
        async run(cluster) {
            const writer = new AcknowledgedWriter(cluster, "f1");
            await writer.waitAcknowledged(20);
            cluster.pod(0).killContainer("mysql", "SIGKILL");
            await waitFor("primary restarted", 60000, async () => cluster.pod(0).restarts.mysql >= 1);
            await waitFor("primary ready again", 300000, async () => cluster.pod(0).ready);
            await writer.waitAcknowledged(writer.acknowledged().length + 10);
            const acked = await writer.stop();
            return assertNoAcknowledgedLoss(cluster, "f1", acked);
        },
    },
    {
        name: "F2. kill -9 of a replica during a write load",
        async run(cluster) {
            const writer = new AcknowledgedWriter(cluster, "f2");
            await writer.waitAcknowledged(20);
            const before = cluster.pod(2).restarts.mysql;
            cluster.pod(2).killContainer("mysql", "SIGKILL");
            await waitFor("replica restarted", 60000, async () => cluster.pod(2).restarts.mysql > before);
            await writer.waitAcknowledged(writer.acknowledged().length + 20);
            const acked = await writer.stop();
            await cluster.pod(2).waitReady(300000);
            return assertNoAcknowledgedLoss(cluster, "f2", acked);
        },
    },
    {
        name: "F3. the donor killed mid-transfer: the receiving pod fails cleanly and succeeds on retry",
        async run(cluster) {
            const stream = cluster.options.engine === "mariadb";
            await cluster.deletePod(4);
            cluster.deleteVolume(4);
            const starting = cluster.startPod(4, 600000);
            // wait until pod 4's clone is under way, then kill what serves it on pod 3
            await waitFor("pod 4's copy under way", 120000, async () =>
                cluster.pods.get(4)?.currentInit?.name === "clone-mysql" && await cloneBytes(cluster, 4) > 50e6, 20);
            cluster.pod(3).killContainer(stream ? "backup" : "mysql", "SIGKILL");
            const pod = await starting;
            assert.ok(pod.initAttempts["clone-mysql"] >= 2 || new RegExp(`clone from db-3\\.db\\.${cluster.namespace}\\.svc failed`).test(
                fs.readFileSync(pod.logFile("clone-mysql-0"), "utf8")), "the clone was not interrupted");
            await cluster.pod(3).waitReady(300000);
            const rows = await writeRows(cluster, 20, "f3");
            await cluster.waitForRows(rows);
            const sums = new Set(Object.values(await cluster.checksums()));
            assert.equal(sums.size, 1, "checksums differ");
            return `${stream ? "backup sidecar" : "donor server"} of pod 3 killed mid-clone; pod 4 clone attempts: ${pod.initAttempts["clone-mysql"]}; converged`;
        },
    },
    {
        // rule 5: longer than MySQL's default give-up (10 retries x 10 s) by far; replication never gives up
        name: "F4. rule 5: the primary unreachable for 5 minutes: replicas serve reads for maxReplicaLagSeconds, then leave the read Service, and come back by themselves",
        async run(cluster) {
            const outageMs = 300000;
            await cluster.setLink(0, false);
            const t0 = Date.now();
            try {
                await waitFor("replicas not ready", 120000, async () =>
                    [1, 2, 3, 4].every((n) => !cluster.pod(n).ready), 500);
                const droppedAfter = (Date.now() - t0) / 1000;
                // they keep serving reads while their data is at most maxReplicaLagSeconds (30 s) old
                assert.ok(droppedAfter >= 25, `replicas left the read Service ${droppedAfter.toFixed(0)} s after the cut, before their data was 30 s old`);
                await sleep(Math.max(0, outageMs - (Date.now() - t0)));
                await cluster.setLink(0, true);
                await waitFor("replicas ready again", 120000, async () => [1, 2, 3, 4].every((n) => cluster.pod(n).ready), 500);
                const back = (Date.now() - t0 - outageMs) / 1000;
                const rows = await writeRows(cluster, 20, "f4");
                await cluster.waitForRows(rows);
                return `replicas unready ${droppedAfter.toFixed(0)} s after the cut; after ${outageMs / 60000} min all ready ` +
                    `${back.toFixed(0)} s after the link returned, without any manual START`;
            } finally {
                await cluster.setLink(0, true);
            }
        },
    },
    {
        name: "F5. a replica whose replication errors leaves the read Service; rebuilt by deleting its volume",
        async run(cluster) {
            // a row only replica 1 has: the primary's next insert of that id breaks its SQL thread
            const id = Number(await cluster.rootSql(0, `SELECT MAX(id) + 1000 FROM ${appUser.database}.t`));
            const readOnly = cluster.options.engine === "mysql" ? "SET GLOBAL super_read_only = OFF; " : "";
            await cluster.rootSql(1, `${readOnly}SET SESSION sql_log_bin = 0;
                INSERT INTO ${appUser.database}.t (id, payload) VALUES (${id}, 'conflict');`);
            await cluster.rootSql(1, cluster.options.engine === "mysql" ? "SET GLOBAL super_read_only = ON" : "SELECT 1");
            const primary = await cluster.clientSql("primary", `INSERT INTO t (id, payload) VALUES (${id}, 'from-primary')`);
            assert.equal(primary.code, 0, primary.stderr);
            // readiness is what puts a pod behind the read Service
            await waitFor("replica 1 not ready", 60000, async () => !cluster.pod(1).ready, 500);
            await cluster.deletePod(1);
            cluster.deleteVolume(1);
            await cluster.startPod(1, 600000);
            const rows = await writeRows(cluster, 10, "f5");
            await cluster.waitForRows(rows);
            const sums = new Set(Object.values(await cluster.checksums()));
            assert.equal(sums.size, 1, "checksums differ after the rebuild");
            return "broken replica left the read Service; re-cloned after its volume was deleted; converged";
        },
    },
    {
        name: "F6. clients hold every connection of the primary and a replica: every pod stays Ready and alive",
        async run(cluster) {
            const limit = 12;
            const holdSeconds = 60;
            const before = Object.fromEntries([0, 1].map((n) => [n, { ...cluster.pod(n).restarts }]));
            const previous = await cluster.rootSql(0, "SELECT @@GLOBAL.max_connections");
            for (const n of [0, 1]) {
                await cluster.rootSql(n, `SET GLOBAL max_connections = ${limit}`);
            }
            // more sleepers than the limit, on pod 0 (primary Service) and on pod 1 (its own name)
            const launch = (target: "primary" | { ordinal: number }, count: number) => {
                const [client, ...rest] = cluster.clientCommand(target, ["-e", `SELECT SLEEP(${holdSeconds})`]);
                const quoted = [client, ...rest].map((a) => `'${a}'`).join(" ");
                return cluster.clientExec(["bash", "-c", `for i in $(seq ${count}); do ${quoted} >/dev/null 2>&1 & done; wait`],
                    undefined, (holdSeconds + 60) * 1000);
            };
            const sleepers = [launch("primary", limit + 4), launch({ ordinal: 1 }, limit + 4)];
            try {
                await sleep(3000);
                let refused = await cluster.clientSql("primary", "SELECT 1");
                // a slot another connection held for a moment while the sleepers connected (a peer's query)
                // is free again: a few more sleepers take it, up to three times
                for (let round = 0; refused.code === 0 && round < 3; round++) {
                    sleepers.push(launch("primary", 4));
                    await sleep(3000);
                    refused = await cluster.clientSql("primary", "SELECT 1");
                }
                assert.notEqual(refused.code, 0, "the primary still took a client: its connections were not exhausted");
                assert.match(refused.stderr, /Too many connections/);
                let samples = 0;
                const deadline = Date.now() + (holdSeconds - 8) * 1000;
                while (Date.now() < deadline) {
                    const ready = await cluster.readyInApi([0, 1, 2]);
                    assert.deepEqual(ready, [true, true, true], `a pod left Ready while clients held every connection (sample ${samples})`);
                    samples++;
                    await sleep(1000);
                }
                for (const n of [0, 1]) {
                    assert.deepEqual(cluster.pod(n).restarts, before[n], `a container of pod ${n} restarted`);
                }
                await Promise.all(sleepers);
                return `${limit + 4} sleeping clients each on pod 0 and pod 1 (max_connections ${limit}; a new client refused: ` +
                    `Too many connections); pods 0-2 Ready in all ${samples} samples over ${holdSeconds - 8} s; no container restarted`;
            } finally {
                await Promise.all(sleepers);
                for (const n of [0, 1]) {
                    await cluster.rootSql(n, `SET GLOBAL max_connections = ${previous}`);
                }
            }
        },
    },
];
