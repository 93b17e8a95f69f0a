/**
 * Benchmark (not a test): what the derived memory sizing buys on a read-heavy load, per engine.
 * One pod of the component with a 2 GiB memory limit, its buffer pool sized from it (the shipped
 * default), beside the same pod with the engines' 128 MiB buffer pool (extraConfig); the same
 * sysbench dataset (larger than 128 MiB, smaller than the derived pool), oltp_read_only with
 * BENCH_THREADS threads: BENCH_WARMUP seconds, then BENCH_SECONDS measured. Prints transactions
 * and queries per second, p95 latency and the buffer pool's miss ratio side by side.
 * No timing is asserted. The emulated pods have no cgroup: the limit sizes the server only.
 *
 *   npm run bench:memory
 *
 * Knobs (environment): BENCH_ENGINES=mariadb,mysql  BENCH_SECONDS=60  BENCH_WARMUP=30
 * BENCH_THREADS=4  BENCH_TABLES=4  BENCH_TABLE_SIZE=600000  BENCH_MEMORY=2Gi. Needs root.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { MySqlClusterArgs } from "../../components";
import { KubeCluster } from "./harness/cluster";
import { TestKube } from "./harness/kube";
import { runOk } from "./harness/process";
import { ensureSysbench, hostPath, rootSqlStdin, runBench, shortSocket } from "./benchTools";
import { table } from "./benchStats";
import { ensureImages, imageResolver } from "./images";

type Engine = "mariadb" | "mysql";

const engines = (process.env.BENCH_ENGINES ?? "mariadb,mysql").split(",").map((e) => e.trim()) as Engine[];
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const warmup = Number(process.env.BENCH_WARMUP ?? 30);
const threads = Number(process.env.BENCH_THREADS ?? 4);
const tables = Number(process.env.BENCH_TABLES ?? 4);
const tableSize = Number(process.env.BENCH_TABLE_SIZE ?? 600000);
const memory = process.env.BENCH_MEMORY ?? "2Gi";
const workRoot = "/tmp/mysql-cluster-e2e";

const t0 = Date.now();
const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
let kube: TestKube | undefined;
const live = new Set<KubeCluster>();

interface Variant {
    readonly label: string;
    readonly extraConfig: Record<string, string>;
}

const variants: Variant[] = [
    { label: `derived from ${memory} (shipped)`, extraConfig: {} },
    { label: "128 MiB (engine default)", extraConfig: { innodb_buffer_pool_size: "134217728" } },
];

interface Result {
    readonly engine: Engine;
    readonly variant: string;
    readonly poolBytes: number;
    readonly dataBytes: number;
    readonly tps: number;
    readonly qps: number;
    readonly p95Ms: number;
    /** Buffer pool reads from disk per logical read request during the measured run. */
    readonly missRatio: number;
}

async function status(cluster: KubeCluster, names: readonly string[]): Promise<number[]> {
    const out = await cluster.rootSql(0, `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map((n) => `'${n}'`).join(", ")})`);
    const map = new Map(out.split("\n").map((l) => l.split("\t") as [string, string]));
    return names.map((n) => Number(map.get(n)));
}

async function bench(engine: Engine, version: string, variant: Variant, index: number): Promise<Result> {
    const secret = () => crypto.randomBytes(12).toString("hex");
    const namespace = `mem-${engine}-${index}`;
    const workDir = path.join(workRoot, namespace);
    const args: MySqlClusterArgs = {
        engine, version, replicas: 1, rootPassword: secret(), replicationPassword: secret(), backupPassword: secret(),
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory } },
        sidecarResources: { requests: { cpu: "20m", memory: "64Mi" } },
        extraConfig: variant.extraConfig,
    };
    kube ??= await TestKube.start(log);
    const cluster = await KubeCluster.create({ engine, name: "db", namespace, kube, workDir, images: await imageResolver(), log, args });
    live.add(cluster);
    try {
        await cluster.scaleTo(1);
        const sbPassword = secret();
        await rootSqlStdin(cluster, 0, ["CREATE DATABASE sbtest",
            `CREATE USER 'sbtest'@'localhost' IDENTIFIED BY '${sbPassword}'`, "GRANT ALL ON sbtest.* TO 'sbtest'@'localhost'",
        ].map((x) => `${x};\n`).join(""));
        const sbConfig = path.join(workDir, "sysbench.cfg"); // options file: no password in any argv
        // the socket lies in the pod's run volume, which a restart replaces: link it again after one
        const linkSocket = () => shortSocket(hostPath(cluster.pod(0), "mysql", cluster.serverEnv.SOCKET), namespace);
        fs.writeFileSync(sbConfig, ["db-driver=mysql", `mysql-socket=${linkSocket()}`,
            "mysql-user=sbtest", `mysql-password=${sbPassword}`, "mysql-db=sbtest", ""].join("\n"), { mode: 0o600 });
        const sb = (...rest: string[]) => ["--config-file=" + sbConfig, "oltp_read_only", `--tables=${tables}`, `--table-size=${tableSize}`, ...rest];
        log(`${engine}, ${variant.label}: sysbench prepare, ${tables} tables x ${tableSize} rows`);
        await runOk("sysbench", sb("--threads=2", "prepare"), { timeoutMs: 1800000 });
        // from a cold pool: restart the pod, so neither variant starts with the load's pages cached
        await cluster.restartPod(0);
        linkSocket();
        const poolBytes = Number(await cluster.rootSql(0, "SELECT @@innodb_buffer_pool_size"));
        const dataBytes = Number(await cluster.rootSql(0,
            "SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'sbtest'"));
        log(`${engine}, ${variant.label}: buffer pool ${(poolBytes / 2 ** 20).toFixed(0)} MiB, data ${(dataBytes / 2 ** 20).toFixed(0)} MiB; ` +
            `warm-up ${warmup} s, then ${seconds} s of oltp_read_only with ${threads} threads`);
        if (warmup > 0) {
            await runOk("sysbench", sb(`--threads=${threads}`, `--time=${warmup}`, "run"), { timeoutMs: (warmup + 120) * 1000 });
        }
        const counters = ["Innodb_buffer_pool_reads", "Innodb_buffer_pool_read_requests"];
        const before = await status(cluster, counters);
        const out = await runOk("sysbench", sb(`--threads=${threads}`, `--time=${seconds}`, "--percentile=95", "run"),
            { timeoutMs: (seconds + 120) * 1000 });
        const after = await status(cluster, counters);
        const field = (re: RegExp) => Number(out.match(re)?.[1] ?? NaN);
        return {
            engine, variant: variant.label, poolBytes, dataBytes,
            tps: field(/transactions:\s+\d+\s+\(([\d.]+) per sec/), qps: field(/queries:\s+\d+\s+\(([\d.]+) per sec/),
            p95Ms: field(/95th percentile:\s+([\d.]+)/), missRatio: (after[0] - before[0]) / Math.max(1, after[1] - before[1]),
        };
    } finally {
        await cluster.destroy(true);
        live.delete(cluster);
    }
}

function report(results: readonly Result[]): void {
    console.log(`\nsysbench oltp_read_only, ${threads} threads, ${seconds} s after a ${warmup} s warm-up, ${tables} x ${tableSize} rows, ` +
        "one pod restarted after the load (cold pool)\n");
    console.log(table([
        ["engine", "buffer pool", "pool MiB", "data MiB", "tps", "qps", "p95 ms", "pool misses per 1000 reads"],
        ...results.map((r) => [r.engine, r.variant, (r.poolBytes / 2 ** 20).toFixed(0), (r.dataBytes / 2 ** 20).toFixed(0),
            r.tps.toFixed(0), r.qps.toFixed(0), r.p95Ms.toFixed(2), (r.missRatio * 1000).toFixed(2)]),
    ]));
    const knobs = Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_")).map(([k, v]) => `${k}=${v} `).join("");
    console.log(`Command: ${knobs}npm run bench:memory`);
}

async function main(): Promise<void> {
    if (process.getuid?.() !== 0) {
        throw new Error("the benchmark needs root (pods are Linux namespaces)");
    }
    if (engines.some((e) => e !== "mariadb" && e !== "mysql") || ![seconds, threads, tables, tableSize].every((n) => Number.isInteger(n) && n > 0)
        || !(Number.isInteger(warmup) && warmup >= 0)) {
        throw new Error("bad knobs: BENCH_ENGINES (mariadb, mysql), BENCH_SECONDS, BENCH_THREADS, BENCH_TABLES, BENCH_TABLE_SIZE " +
            "(positive integers), BENCH_WARMUP (0 or more)");
    }
    await ensureSysbench(log);
    const versions = await ensureImages(log);
    const results: Result[] = [];
    let index = 0;
    for (const engine of engines) {
        for (const variant of variants) {
            results.push(await bench(engine, engine === "mysql" ? versions.mysqlVersion : versions.mariadbVersion, variant, index++));
        }
    }
    await kube?.stop(true);
    report(results);
    process.exit(0);
}

runBench("bench-memory", main, async () => {
    await Promise.all([...live].map((c) => c.destroy(false)));
    await kube?.stop(false);
});
