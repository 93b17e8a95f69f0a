/**
 * The replication scenarios, run in order on one emulated cluster per engine. Each one states
 * the behaviour it proves; a failed check throws.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { KubeCluster } from "./harness/cluster";
import { sleep, waitFor } from "./harness/process";
import { BackgroundWriter, createAppSchema, loadFiller, writeRows } from "./workload";

export interface Scenario {
    readonly name: string;
    readonly run: (cluster: KubeCluster) => Promise<string | void>;
}

/** A file the test drops in a pod's data volume: gone if the pod ever re-clones. */
const sentinel = (cluster: KubeCluster, ordinal: number) =>
    path.join(cluster.pod(ordinal).volumeDir("data"), "data", "e2e-sentinel");

/** Sentinels in the set-aside copies of pod `ordinal`'s volume. */
export function setAsideSentinels(cluster: KubeCluster, ordinal: number): number {
    const dir = path.join(cluster.pod(ordinal).volumeDir("data"), "set-aside");
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, "e2e-sentinel"))).length : 0;
}

/** A container log of pod `ordinal` (every incarnation of that pod name appends to it), even when it is gone. */
export function log(cluster: KubeCluster, ordinal: number, label: string): string {
    return cluster.podLog(ordinal, label);
}

async function assertConverged(cluster: KubeCluster, rows: number): Promise<string> {
    await cluster.waitForRows(rows);
    const sums = await cluster.checksums();
    const distinct = new Set(Object.values(sums));
    assert.equal(distinct.size, 1, `checksums differ: ${JSON.stringify(sums)}`);
    return `${rows} rows on ${Object.keys(sums).length} pods, CHECKSUM TABLE equal (${[...distinct][0]})`;
}

export async function replicaStatus(cluster: KubeCluster, ordinal: number): Promise<Record<string, string>> {
    const statement = cluster.serverEnv.REPLICATION_SYNTAX === "source" ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
    const output = await cluster.rootSql(ordinal, statement, ["--vertical"]);
    return Object.fromEntries(output.split("\n").map((l) => l.match(/^\s*(\w+): ?(.*)$/)).filter(Boolean)
        .map((m) => [m![1], m![2]]));
}

export async function cloneBytes(cluster: KubeCluster, ordinal: number): Promise<number> {
    const pod = cluster.pods.get(ordinal);
    return pod ? treeBytes(path.join(pod.volumeDir("data"), "clone.tmp")) : 0;
}

/**
 * Apparent bytes of the files under `dir`, read in this process: no `du` spawned per sample, so a
 * watcher samples a fast copy every few milliseconds even on a loaded machine. Files that vanish
 * while it walks count as 0.
 */
function treeBytes(dir: string): number {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return 0;
    }
    let total = 0;
    for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
            total += treeBytes(p);
        } else {
            try {
                total += fs.lstatSync(p).size;
            } catch {
                // removed while walking
            }
        }
    }
    return total;
}

/** Largest size `clone.tmp` reaches during one uncut clone of a fresh pod: what 100% means. */
async function fullCloneBytes(cluster: KubeCluster, ordinal: number): Promise<number> {
    let largest = 0;
    let watching = true;
    const watcher = (async () => {
        while (watching) {
            largest = Math.max(largest, await cloneBytes(cluster, ordinal));
            await sleep(10);
        }
    })();
    await cluster.startPod(ordinal, 600000);
    watching = false;
    await watcher;
    return largest;
}

/**
 * The copy is whole but not yet in place: the stream's own last files are there (mariabackup), or
 * the CLONE statement returned (its progress monitor logged the whole copy) and clone.tmp is not
 * yet renamed.
 */
function copyLanded(cluster: KubeCluster, ordinal: number): boolean {
    const pod = cluster.pod(ordinal);
    const dir = path.join(pod.volumeDir("data"), "clone.tmp");
    const attempt = (pod.initAttempts["clone-mysql"] ?? 1) - 1;
    return ["xtrabackup_checkpoints", "mariadb_backup_checkpoints"].some((f) => fs.existsSync(path.join(dir, f))) ||
        (fs.existsSync(dir) && /\(the whole copy/.test(log(cluster, ordinal, `clone-mysql-${attempt}`)));
}

/**
 * Watches a pod's clone and kills clone-mysql once `clone.tmp` holds `fraction` of `expectedBytes`,
 * or, for a late cut, once the copy has fully landed but is not yet in place (whichever comes first).
 */
async function cutCloneAt(cluster: KubeCluster, ordinal: number, fraction: number, expectedBytes: number): Promise<number> {
    const deadline = Date.now() + 300000;
    for (;;) {
        const pod = cluster.pods.get(ordinal);
        const init = pod?.currentInit;
        if (pod && init?.name === "clone-mysql") {
            const bytes = await cloneBytes(cluster, ordinal);
            if (bytes >= fraction * expectedBytes || (fraction > 0.5 && copyLanded(cluster, ordinal))) {
                process.kill(-init.child.pid!, "SIGKILL");
                return bytes / expectedBytes;
            }
            if (init.child.exitCode !== null) {
                throw new Error(`the clone finished before it could be cut at ${fraction * 100}%`);
            }
        }
        if (Date.now() > deadline) {
            throw new Error("no clone to cut");
        }
        await sleep(10);
    }
}

export const scenarios: Scenario[] = [
    {
        name: "1. 3 pods from empty; rows through the primary Service reach every replica",
        async run(cluster) {
            await cluster.scaleTo(3);
            // all three start at once: pod 0 starts the cluster only after both peers answered empty
            assert.match(log(cluster, 0, "clone-mysql-0"), /have not answered[^]*initialising a new primary/);
            for (const n of [1, 2]) {
                assert.match(log(cluster, n, "clone-mysql-0"), /answering peers as an empty member/);
                assert.match(log(cluster, n, "clone-mysql-0"), new RegExp(`clone from db-[01]\\.db\\.${cluster.namespace}\\.svc complete`));
                // issue 13.3: a donor is a pod that can serve (its backup listener answers), never one
                // whose server answers while its sidecar is still starting: no connection is refused
                // (two pods that chose the same free donor at once may still find it busy, and retry)
                assert.doesNotMatch(log(cluster, n, "clone-mysql-0"), /Connection refused/i);
            }
            for (const n of [0, 1, 2]) {
                // the images' defaults the component's own option file must restore: full Unicode
                assert.equal(await cluster.rootSql(n, "SELECT @@character_set_server"), "utf8mb4", `pod ${n}`);
                assert.equal(await cluster.rootSql(n, "SELECT @@collation_server"), cluster.flavor.defaultCollation, `pod ${n}`);
                // time-zone tables loaded at initialisation, and copied with the data
                assert.equal(await cluster.rootSql(n, "SELECT CONVERT_TZ('2026-01-01 12:00:00', 'UTC', 'Europe/Berlin')"),
                    "2026-01-01 13:00:00", `pod ${n}: time-zone tables`);
                // the engine's upgrade step ran on every pod's own copy (MariaDB; MySQL upgrades itself)
                if (cluster.serverEnv.UPGRADE_TOOL) {
                    await waitFor(`pod ${n}'s upgrade step`, 30000, async () =>
                        /system tables match the server \(mariadb-upgrade\)/.test(log(cluster, n, "member-0")) || undefined);
                }
            }
            await createAppSchema(cluster);
            const rows = await writeRows(cluster, 500, "s1");
            for (const n of [0, 1, 2]) {
                fs.writeFileSync(sentinel(cluster, n), "");
            }
            return assertConverged(cluster, rows);
        },
    },
    {
        name: "2. a non-admin user cannot write on a replica; reads through the read Service work",
        async run(cluster) {
            for (let i = 0; i < 3; i++) {
                const read = await cluster.clientSql("read", "SELECT COUNT(*) FROM t");
                assert.equal(read.code, 0, read.stderr);
                assert.ok(Number(read.stdout) >= 500);
            }
            for (const n of [1, 2]) {
                const write = await cluster.clientSql({ ordinal: n }, "INSERT INTO t (payload) VALUES ('forbidden')");
                assert.notEqual(write.code, 0, `a write on replica ${n} succeeded`);
                assert.match(write.stderr, /read.only/i);
            }
            return "writes on replicas refused (read-only); 3 reads through the read Service answered";
        },
    },
    {
        name: "M1. the metrics exporter of every pod logs in over the socket: the server is up, the replicas' threads run, their lag is read",
        async run(cluster) {
            const port = cluster.options.args.metrics?.port ?? 9104;
            const replica = cluster.flavor.replicaMetrics;
            const seen: string[] = [];
            for (const n of [0, 1, 2]) {
                // through the pod's name on the headless Service, as a ServiceMonitor scrapes it
                const host = `${cluster.name}-${n}.${cluster.serviceName}`;
                const text = await waitFor(`pod ${n}'s exporter reports the server up`, 60000, async () => {
                    const r = await cluster.clientExec(["bash", "-c",
                        'exec 3<>"/dev/tcp/$0/$1" && printf "GET /metrics HTTP/1.0\r\nHost: %s\r\n\r\n" "$0" >&3 && cat <&3', host, String(port)]);
                    return r.code === 0 && /^mysql_up 1$/m.test(r.stdout) ? r.stdout : undefined;
                });
                const value = (metric: string) => text.match(new RegExp(`^${metric}(\\{[^}]*\\})? (\\S+)$`, "m"))?.[2];
                assert.ok(Number(value("mysql_global_status_uptime")) > 0, `pod ${n}: no uptime in the exporter's output`);
                if (n === 0) {
                    assert.equal(value(replica.ioRunning), undefined, "pod 0 reports a replication thread");
                    seen.push("pod 0: up");
                    continue;
                }
                assert.equal(value(replica.ioRunning), "1", `pod ${n}: ${replica.ioRunning} is ${value(replica.ioRunning)}`);
                assert.equal(value(replica.sqlRunning), "1", `pod ${n}: ${replica.sqlRunning} is ${value(replica.sqlRunning)}`);
                const lag = value(replica.lagSeconds);
                assert.ok(lag !== undefined && Number(lag) >= 0, `pod ${n}: ${replica.lagSeconds} is ${lag}`);
                seen.push(`pod ${n}: threads running, lag ${lag} s`);
            }
            // least privilege: the exporter's account cannot read the application's rows
            const grants = await cluster.rootSql(0, "SHOW GRANTS FOR 'nobody'@'localhost'");
            assert.doesNotMatch(grants, /^GRANT [^\n]*\b(ALL|SELECT)\b[^\n]* ON \*\.\*/m, grants);
            assert.match(grants, /ON `?performance_schema`?\.\*/, grants);
            return `${seen.join("; ")} (mysqld_exporter over the socket, as nobody; grants: ${grants.split("\n")[0].replace(/ TO .*/, "")})`;
        },
    },
    {
        name: "3. container restart of a replica: no re-clone, catches up",
        async run(cluster) {
            const pod = cluster.pod(1);
            pod.killContainer("mysql", "SIGKILL");
            const rows = await writeRows(cluster, 300, "s3");
            await waitFor("pod 1 restarted", 60000, async () => pod.restarts.mysql >= 1);
            await pod.waitReady(120000);
            assert.ok(fs.existsSync(sentinel(cluster, 1)), "pod 1 re-cloned");
            return assertConverged(cluster, rows);
        },
    },
    {
        name: "4. pod restart (init containers re-run): clone skipped, replication resumes",
        async run(cluster) {
            const stopping = cluster.pod(2);
            const shutdowns = () => (fs.readFileSync(stopping.logFile("mysql-0"), "utf8").match(/: Shutdown complete\b/g) ?? []).length;
            const before = shutdowns();
            await cluster.deletePod(2);
            assert.deepEqual(stopping.preStopRuns, [{ container: "mysql", code: 0 }], "the preStop hook did not run cleanly");
            assert.equal(shutdowns(), before + 1, "the server did not shut down cleanly");
            const rows = await writeRows(cluster, 300, "s4");
            const pod = await cluster.startPod(2);
            assert.equal(pod.initAttempts["clone-mysql"], 1);
            assert.match(log(cluster, 2, "clone-mysql-0"), /data directory present: clone skipped/);
            assert.ok(fs.existsSync(sentinel(cluster, 2)), "pod 2 re-cloned");
            return assertConverged(cluster, rows);
        },
    },
    {
        name: "5. clone cut at ~50% and late (~90% or the stream complete, before it is in place): the next attempt re-clones",
        async run(cluster) {
            await loadFiller(cluster, 400);
            const rows = await writeRows(cluster, 10, "s5");
            await cluster.waitForRows(rows);
            await cluster.deletePod(2);
            cluster.deleteVolume(2);
            const mark = log(cluster, 2, "clone-mysql-0").length;
            const expected = await fullCloneBytes(cluster, 2);
            // rule 9: a copy shows it advancing (bytes, percent, rate) in the pod's log
            const progress = log(cluster, 2, "clone-mysql-0").slice(mark).match(/copied \d+ MB, \d+% of \d+ MB, \d+ MB\/s/g) ?? [];
            assert.ok(progress.length > 0, "the clone logged no progress");
            await cluster.deletePod(2);
            cluster.deleteVolume(2);
            const starting = cluster.startPod(2, 600000);
            starting.catch(() => undefined); // awaited below; a failed cut must not leave it unhandled
            const first = await cutCloneAt(cluster, 2, 0.5, expected);
            await waitFor("the second clone attempt", 60000, async () => cluster.pods.get(2)?.initAttempts["clone-mysql"] === 2);
            const second = await cutCloneAt(cluster, 2, 0.9, expected);
            const pod = await starting;
            assert.ok(pod.initAttempts["clone-mysql"] >= 3);
            assert.ok(pod.restarts.mysql === 0, "the server crash-looped");
            const summary = await assertConverged(cluster, rows);
            return `progress logged (${progress[progress.length - 1]}); cut at ${(first * 100).toFixed(0)}% and ` +
                `${(second * 100).toFixed(0)}% of ${(expected / 1e6).toFixed(0)} MB; ${summary}`;
        },
    },
    {
        name: "6. the donor replicates in GTID mode: the next clone still works",
        async run(cluster) {
            const mariadb = cluster.options.engine === "mariadb";
            await cluster.deletePod(2);
            await cluster.deletePod(1);
            cluster.deleteVolume(1);
            cluster.deleteVolume(2);
            await cluster.startPod(1);
            await cluster.startPod(2);
            for (const n of [1, 2]) {
                const status = await replicaStatus(cluster, n);
                if (mariadb) {
                    assert.equal(status.Using_Gtid, "Slave_Pos", `pod ${n} does not replicate in GTID mode`);
                } else {
                    assert.equal(status.Auto_Position, "1", `pod ${n} does not use GTID auto-position`);
                }
            }
            if (mariadb) {
                // the info files' names are the version's (xtrabackup_* on 10.11, mariadb_backup_* on 11.x)
                const prefix = cluster.flavor.backupInfoPrefix;
                assert.match(log(cluster, 1, "member-0"), new RegExp(`position from ${prefix}_binlog_info[^]*gtid_slave_pos`));
                // pod 2's donor is the replica pod 1: the copy's own mysql.gtid_slave_pos, a real position
                assert.match(log(cluster, 2, "member-0"), new RegExp(`position from the copy's mysql.gtid_slave_pos \\(the donor was a replica; ${prefix}_slave_info`));
                assert.match(log(cluster, 2, "member-0"), /gtid_slave_pos is now '\d+-\d+-\d+/);
            }
            const rows = await writeRows(cluster, 200, "s6");
            return assertConverged(cluster, rows);
        },
    },
    {
        name: "7. scale 3 -> 5 while a write load runs on the primary",
        async run(cluster) {
            // four sessions: the primary commits concurrently, and the replicas (the new pods' donors)
            // apply in parallel while they are copied; together about as fast as one session without a
            // pause, so a loaded machine's replicas still catch up
            const writers = [0, 1, 2, 3].map((i) => new BackgroundWriter(cluster, `s7-${i}`, 0.04));
            await sleep(2000);
            await cluster.scaleTo(5);
            await sleep(2000);
            await Promise.all(writers.map((w) => w.stop()));
            const rows = Number(await cluster.rootSql(0, "SELECT COUNT(*) FROM appdb.t"));
            const loaded = Number(await cluster.rootSql(0, "SELECT COUNT(*) FROM appdb.t WHERE payload LIKE 's7-%'"));
            assert.ok(loaded > 100, `only ${loaded} rows written under load`);
            const converged = await assertConverged(cluster, rows);
            if (cluster.options.engine !== "mariadb") {
                return `${loaded} rows written during the scale-up; ${converged}`;
            }
            // pods 3 and 4 copy the nearest pod that can serve: a replica applying in parallel under
            // the load (pod 0 only when none can); converged above means no transaction was re-applied
            const positions: string[] = [];
            for (const n of [3, 4]) {
                const member = log(cluster, n, "member-0");
                const fromReplica = /position from the copy's mysql.gtid_slave_pos \(the donor was a replica; \S+, not used, said: ([^)]*)\)/.exec(member);
                const now = /gtid_slave_pos is now '([^']*)'/.exec(member)?.[1];
                assert.ok(now, `pod ${n} logged no replication position`);
                if (fromReplica) {
                    positions.push(`pod ${n}: slave_info said "${fromReplica[1].replace(/;\s*$/, "")}", the copy's own position ${now}`);
                }
                assert.equal(await cluster.rootSql(n, "SELECT @@GLOBAL.slave_parallel_threads"), "4", `pod ${n} applies with one thread`);
            }
            assert.ok(positions.length > 0, "neither pod 3 nor pod 4 was copied from a replica");
            return `${loaded} rows written during the scale-up; slave_info vs the copy's position: ${positions.join("; ")}; ${converged}`;
        },
    },
    {
        name: "8. scale 5 -> 3 -> 5 keeping the volumes: resume from their data, or re-clone after a purge",
        async run(cluster) {
            for (const n of [3, 4]) {
                fs.writeFileSync(sentinel(cluster, n), "");
            }
            await cluster.scaleTo(3);
            const rows = await writeRows(cluster, 300, "s8");
            await cluster.scaleTo(5);
            for (const n of [3, 4]) {
                assert.ok(fs.existsSync(sentinel(cluster, n)), `pod ${n} re-cloned instead of resuming`);
                assert.match(log(cluster, n, "clone-mysql-0"), /clone skipped/);
            }
            const resumed = await assertConverged(cluster, rows);

            // away while the primary purges every binary log they would need: they must re-clone
            await cluster.scaleTo(3);
            await writeRows(cluster, 300, "s8-purged");
            await cluster.rootSql(0, "FLUSH BINARY LOGS");
            await sleep(1000);
            await cluster.rootSql(0, "PURGE BINARY LOGS BEFORE NOW() + INTERVAL 1 SECOND");
            const after = await writeRows(cluster, 10, "s8-after");
            await cluster.scaleTo(5, 600000);
            for (const n of [3, 4]) {
                await waitFor(`pod ${n} re-cloned`, 300000, async () => !fs.existsSync(sentinel(cluster, n)) &&
                    /SET ASIDE the data directory as .*purged binary logs/.test(log(cluster, n, "mysql-1")) && cluster.pod(n).ready);
                // the old copy is kept (renamed aside), never removed
                assert.equal(setAsideSentinels(cluster, n), 1, `pod ${n}'s old copy was not kept`);
            }
            return `returning pods resumed (${resumed}); after a purge they set their copies aside and re-cloned: ${await assertConverged(cluster, after)}`;
        },
    },
];

/** Run last, after every other scenario and fault has logged what it logs. */
export const leakCheck: Scenario = {
    name: "9. no password in any pod log or process argument list",
    async run(cluster) {
        const secrets = cluster.secretValues;
        const sampler = cluster.argvSampler;
        assert.ok(sampler.samples > 10, `only ${sampler.samples} process-list samples were taken`);
        assert.deepEqual(sampler.leaks, [], "a password was visible in a process argument list");
        const files = cluster.logFiles();
        const leaks: string[] = [];
        for (const file of files) {
            const text = fs.readFileSync(file, "utf8");
            leaks.push(...secrets.filter((secret) => text.includes(secret)).map(() => path.basename(file)));
        }
        assert.deepEqual(leaks, [], "a password appears in a pod log");
        return `${secrets.length} passwords searched in ${files.length} logs and in ` +
            `${sampler.samples} samples of every process's argument list (${sampler.processes} lists): 0 found`;
    },
};
