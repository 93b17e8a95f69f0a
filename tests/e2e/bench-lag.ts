/**
 * Benchmark (not a test): replica lag under a write load, per engine, with the shipped defaults
 * side by side with one apply thread (MySQL: 4 workers vs 1; MariaDB: 4 optimistic threads vs 1).
 * A 3-pod cluster of the component; sysbench oltp_write_only with 4 threads on the primary for
 * BENCH_SECONDS; a heartbeat row written on the primary every 250 ms and read on each replica
 * every second gives each replica's lag (pt-heartbeat's method: one clock, exact to the
 * heartbeat's period). Prints p50, p95, max, the trend (least-squares slope of lag over the run)
 * and how long each replica took to catch up once the load stopped. No timing is asserted.
 *
 *   npm run bench:lag
 *
 * Knobs (environment): BENCH_ENGINES=mariadb,mysql  BENCH_SECONDS=120  BENCH_THREADS=4
 * BENCH_TABLES=4  BENCH_TABLE_SIZE=100000  BENCH_RATE=0 (transactions per second sysbench offers,
 * sysbench --rate; 0: as fast as the primary takes them; a fixed rate compares the apply modes
 * at the same load, since on a small machine replicas that keep up take CPU from the primary).
 * Needs root (pods are Linux namespaces).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { MySqlClusterArgs } from "../../components";
import { KubeCluster } from "./harness/cluster";
import { TestKube } from "./harness/kube";
import { runOk, sleep } from "./harness/process";
import { ensureSysbench, hostPath, rootSqlStdin, runBench, shortSocket } from "./benchTools";
import { ensureImages, imageResolver } from "./images";

type Engine = "mariadb" | "mysql";

const engines = (process.env.BENCH_ENGINES ?? "mariadb,mysql").split(",").map((e) => e.trim()) as Engine[];
const seconds = Number(process.env.BENCH_SECONDS ?? 120);
const threads = Number(process.env.BENCH_THREADS ?? 4);
const tables = Number(process.env.BENCH_TABLES ?? 4);
const tableSize = Number(process.env.BENCH_TABLE_SIZE ?? 100000);
const rate = Number(process.env.BENCH_RATE ?? 0);
const workRoot = "/tmp/mysql-cluster-e2e";

const t0 = Date.now();
const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
let kube: TestKube | undefined;
const live = new Set<KubeCluster>();

interface Variant {
    readonly label: string;
    readonly extraConfig: Record<string, string>;
}

/** The shipped defaults (4 parallel apply workers on both engines) beside one apply thread. */
const variants = (engine: Engine): Variant[] => engine === "mysql"
    ? [{ label: "shipped: 4 workers", extraConfig: {} }, { label: "1 worker", extraConfig: { replica_parallel_workers: "1" } }]
    : [{ label: "shipped: 4 optimistic threads", extraConfig: {} },
        { label: "1 thread", extraConfig: { slave_parallel_threads: "0" } }];

interface ReplicaLag {
    readonly ordinal: number;
    /** [seconds since the load started, lag in seconds] */
    readonly samples: Array<[number, number]>;
    catchUpSeconds: number;
}

interface Result {
    readonly engine: Engine;
    readonly variant: string;
    readonly tps: number;
    readonly replicas: ReplicaLag[];
}

const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

/** Least-squares slope of lag against time, in seconds of lag per minute of load. */
function trend(samples: Array<[number, number]>): number {
    const n = samples.length;
    const mx = samples.reduce((s, [x]) => s + x, 0) / n;
    const my = samples.reduce((s, [, y]) => s + y, 0) / n;
    const sxy = samples.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
    const sxx = samples.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    return sxx > 0 ? (sxy / sxx) * 60 : NaN;
}

async function lagOf(cluster: KubeCluster, ordinal: number): Promise<number> {
    const us = await cluster.rootSql(ordinal, "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) FROM bench.hb WHERE id = 1");
    return Number(us) / 1e6;
}

async function bench(engine: Engine, version: string, variant: Variant, index: number): Promise<Result> {
    const secret = () => crypto.randomBytes(12).toString("hex");
    const namespace = `lag-${engine}-${index}`;
    const workDir = path.join(workRoot, namespace);
    const args: MySqlClusterArgs = {
        engine, version, replicas: 3, rootPassword: secret(), replicationPassword: secret(), backupPassword: secret(),
        resources: { requests: { cpu: "100m", memory: "512Mi" } }, sidecarResources: { requests: { cpu: "20m", memory: "64Mi" } },
        extraConfig: variant.extraConfig,
    };
    kube ??= await TestKube.start(log);
    const cluster = await KubeCluster.create({ engine, name: "db", namespace, kube, workDir, images: await imageResolver(), log, args });
    live.add(cluster);
    try {
        log(`${engine}, ${variant.label}: 3 pods`);
        await cluster.scaleTo(3);
        const sbPassword = secret();
        await rootSqlStdin(cluster, 0, [
            "CREATE DATABASE sbtest", "CREATE DATABASE bench",
            "CREATE TABLE bench.hb (id INT PRIMARY KEY, ts TIMESTAMP(6) NOT NULL)",
            "INSERT INTO bench.hb VALUES (1, NOW(6))",
            `CREATE USER 'sbtest'@'localhost' IDENTIFIED BY '${sbPassword}'`, "GRANT ALL ON sbtest.* TO 'sbtest'@'localhost'",
        ].map((x) => `${x};\n`).join(""));
        const sbConfig = path.join(workDir, "sysbench.cfg"); // options file: no password in any argv
        fs.writeFileSync(sbConfig, ["db-driver=mysql", `mysql-socket=${shortSocket(hostPath(cluster.pod(0), "mysql", cluster.serverEnv.SOCKET), namespace)}`,
            "mysql-user=sbtest", `mysql-password=${sbPassword}`, "mysql-db=sbtest", ""].join("\n"), { mode: 0o600 });
        log(`${engine}, ${variant.label}: sysbench prepare, ${tables} tables x ${tableSize} rows`);
        await runOk("sysbench", [`--config-file=${sbConfig}`, "oltp_write_only", `--tables=${tables}`, `--table-size=${tableSize}`,
            "--threads=2", "prepare"], { timeoutMs: 1800000 });
        for (const n of [1, 2]) { // the load's own start: replicas caught up with the prepare
            const said = new Set<string>();
            const lagOrNaN = (ordinal: number) => lagOf(cluster, ordinal).catch((e) => {
                const why = e instanceof Error ? e.message : String(e);
                if (!said.has(why)) {
                    said.add(why);
                    log(`${engine}: pod ${ordinal}'s lag cannot be read yet: ${why.slice(0, 300)}`);
                }
                return NaN;
            });
            // a fresh heartbeat, then its age on the replica: read right after the beat, the lag is the
            // replica's delay (read a second later it would never drop below 1 s)
            for (let i = 0; i < 600; i++) {
                await rootSqlStdin(cluster, 0, "UPDATE bench.hb SET ts = NOW(6) WHERE id = 1;\n");
                await sleep(250);
                if (await lagOrNaN(n) <= 1) {
                    break;
                }
                await sleep(750);
            }
        }

        let beating = true;
        const heartbeat = (async () => {
            while (beating) {
                await cluster.rootSql(0, "UPDATE bench.hb SET ts = NOW(6) WHERE id = 1").catch(() => undefined);
                await sleep(250);
            }
        })();
        log(`${engine}, ${variant.label}: oltp_write_only, ${threads} threads, ${seconds} s${rate > 0 ? `, offered ${rate} tps` : ""}; ` +
            "sampling each replica's lag every second");
        const started = Date.now();
        const sysbench = new Promise<string>((resolve, reject) => {
            const child = spawn("sysbench", [`--config-file=${sbConfig}`, "oltp_write_only", `--tables=${tables}`, `--table-size=${tableSize}`,
                `--threads=${threads}`, `--time=${seconds}`, `--rate=${rate}`, "--report-interval=30", "run"], { stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            let err = "";
            child.stderr.on("data", (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
            child.stdout.on("data", (d: Buffer) => {
                out += d.toString();
                for (const line of d.toString().split("\n").filter((l) => /^\[ \d+s \]/.test(l))) {
                    log(`${engine}: sysbench ${line.trim()}`);
                }
            });
            child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`sysbench run exited ${code}: ${(err || out).trim().slice(-2000)}`))));
        });
        const replicas: ReplicaLag[] = [1, 2].map((ordinal) => ({ ordinal, samples: [], catchUpSeconds: NaN }));
        let loadDone = false;
        void sysbench.then(() => { loadDone = true; }, () => { loadDone = true; });
        while (!loadDone) {
            const at = (Date.now() - started) / 1000;
            const lags = await Promise.all(replicas.map((r) => lagOf(cluster, r.ordinal).catch(() => NaN)));
            replicas.forEach((r, i) => Number.isFinite(lags[i]) && r.samples.push([at, lags[i]]));
            if (Math.round(at) % 30 === 0) {
                log(`${engine}: ${at.toFixed(0)} s: lag ${lags.map((l) => l.toFixed(2)).join(" s, ")} s`);
            }
            await sleep(Math.max(0, 1000 - ((Date.now() - started) % 1000)));
        }
        const output = await sysbench;
        const ended = Date.now();
        for (const r of replicas) {
            for (;;) {
                const lag = await lagOf(cluster, r.ordinal).catch(() => NaN);
                if (lag < 1 || Date.now() - ended > 600000) {
                    r.catchUpSeconds = (Date.now() - ended) / 1000;
                    break;
                }
                await sleep(250);
            }
        }
        beating = false;
        await heartbeat;
        const tps = Number(output.match(/transactions:\s+\d+\s+\(([\d.]+) per sec/)?.[1] ?? NaN);
        return { engine, variant: variant.label, tps, replicas };
    } finally {
        await cluster.destroy(true);
        live.delete(cluster);
    }
}

function report(results: Result[]): void {
    console.log(`\nreplica lag under sysbench oltp_write_only, ${threads} threads, ${seconds} s, ${tables} x ${tableSize} rows, ` +
        `${rate > 0 ? `offered ${rate} tps` : "no rate limit"}; ` +
        "lag = time since the primary's last heartbeat (250 ms period) that the replica has applied, sampled every second\n");
    console.log("engine | apply | primary tps | replica | p50 lag | p95 lag | max lag | trend | catch-up after the load");
    console.log("--- | --- | --- | --- | --- | --- | --- | --- | ---");
    for (const r of results) {
        for (const replica of r.replicas) {
            const lags = replica.samples.map(([, l]) => l);
            console.log(`${r.engine} | ${r.variant} | ${r.tps.toFixed(0)} | pod ${replica.ordinal} | ${quantile(lags, 0.5).toFixed(2)} s | ` +
                `${quantile(lags, 0.95).toFixed(2)} s | ${Math.max(...lags).toFixed(2)} s | ${trend(replica.samples).toFixed(2)} s/min | ` +
                `${replica.catchUpSeconds.toFixed(1)} s`);
        }
    }
}

async function main(): Promise<void> {
    if (process.getuid?.() !== 0) {
        throw new Error("the benchmark needs root (pods are Linux namespaces)");
    }
    if (engines.some((e) => e !== "mariadb" && e !== "mysql") || ![seconds, threads, tables, tableSize].every((n) => Number.isInteger(n) && n > 0) ||
        !(Number.isInteger(rate) && rate >= 0)) {
        throw new Error("bad knobs: BENCH_ENGINES (mariadb, mysql), BENCH_SECONDS, BENCH_THREADS, BENCH_TABLES, BENCH_TABLE_SIZE " +
            "(positive integers), BENCH_RATE (0 or a positive integer)");
    }
    await ensureSysbench(log);
    const versions = await ensureImages(log);
    const results: Result[] = [];
    let index = 0;
    for (const engine of engines) {
        for (const variant of variants(engine)) {
            results.push(await bench(engine, engine === "mysql" ? versions.mysqlVersion : versions.mariadbVersion, variant, index++));
            report(results);
        }
    }
    await kube?.stop(true);
    process.exit(0);
}

runBench("bench-lag", main, async () => {
    await Promise.all([...live].map((c) => c.destroy(false)));
    await kube?.stop(false);
});
