/**
 * Benchmark (not a test): how long our clone path takes to bring up a replica, next to the physical
 * limits on this machine and to what users do by hand, per engine (MariaDB 10.11: mariabackup
 * stream; MySQL 9.x: CLONE plugin), at several dataset sizes, side by side in one run:
 *
 *   - ours: pod 1 from start to Ready on an empty volume (init containers, clone, replication set-up,
 *     server start, the member agent's first verdict, the readiness probe), the donor's datadir
 *     evicted from the page cache first;
 *   - raw network copy: the same datadir as a tar stream through socat (64 KiB buffers) from one pod
 *     network namespace to another, its source evicted first: the least any clone spends moving bytes;
 *   - cp -a: the same datadir on the same filesystem, cold (evicted) and warm: the local limit;
 *   - dump | load (smallest size only): every user database dumped over TCP into a fresh server.
 *
 * Medians of BENCH_RUNS runs; the fixed cost and the throughput come from a least-squares line of
 * time against bytes over every run of every size. A scale-up's time to Ready is split into phases.
 * Nothing is asserted on timing.
 *
 *   npm run bench:clone
 *
 * Knobs (environment): BENCH_ENGINES=mariadb,mysql  BENCH_SIZES_GB=1,4 (datasets, ascending; ~1 GB
 * per 4 x 1M sysbench rows)  BENCH_RUNS=3  BENCH_TABLES=4  BENCH_KEEP=1 (keep the work dirs of a
 * failed run). Needs root (pods are Linux namespaces, see infra/README.md).
 *
 * BENCH_LARGE_GB=20 runs the large-dataset check instead (not in CI; about 2.2 x that much free
 * disk): the data is loaded in steps of 4 GB, each step's binary logs purged, then one new replica
 * bootstraps with the component's default probes and timeouts; prints its phases, its copy rate
 * and the progress lines it logged while copying.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KubeCluster, infraDir } from "./harness/cluster";
import { TestKube } from "./harness/kube";
import { RunResult, runOk, sleep } from "./harness/process";
import { ensureSysbench, hostPath, rootSqlStdin, shortSocket } from "./benchTools";
import { cachedBytes, duBytes, evictFromPageCache, localCopy, now, rawNetworkCopy, secondsSince } from "./benchCopy";
import { Fit, gb, leastSquares, mbps, median, pct, table } from "./benchStats";
import { ensureImages, imageResolver } from "./images";

type Engine = "mariadb" | "mysql";

const engines = (process.env.BENCH_ENGINES ?? "mariadb,mysql").split(",").map((e) => e.trim()) as Engine[];
const sizesGb = (process.env.BENCH_SIZES_GB ?? "1,4").split(",").map((s) => Number(s.trim()));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const tables = Number(process.env.BENCH_TABLES ?? 4);
const keepOnFailure = process.env.BENCH_KEEP === "1";
const largeGb = process.env.BENCH_LARGE_GB === undefined ? undefined : Number(process.env.BENCH_LARGE_GB);
/** The large check loads this much per step, then purges the step's binary logs (they would double the disk it needs). */
const largeStepGb = 4;
const workRoot = "/tmp/mysql-cluster-e2e";
const rawCopyPort = 4444;
let kube: TestKube | undefined;

const t0 = Date.now();
const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
const s2 = (x: number) => x.toFixed(2);

// ---- cleanup on success, failure and interrupt --------------------------------------------
const clusters = new Set<KubeCluster>();
const workDirs = new Set<string>();
const children = new Set<ChildProcess>();
let cleaning: Promise<void> | undefined;
let interrupted = false;

function cleanup(removeFiles: boolean): Promise<void> {
    cleaning ??= (async () => {
        for (const child of children) { // our own long-running children (each leads its group)
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                // gone already
            }
        }
        for (const cluster of clusters) {
            await cluster.destroy(removeFiles).catch((e) => log(`destroy ${cluster.namespace}: ${e}`));
        }
        await kube?.stop(removeFiles).catch((e) => log(`stopping the control plane: ${e}`));
        for (const dir of workDirs) {
            if (removeFiles) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }
    })();
    return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
        if (interrupted) {
            return;
        }
        interrupted = true;
        log(`${signal}: cleaning up`);
        void cleanup(true).finally(() => process.exit(130));
    });
}

/** Like run(), but the child leads its own process group and is killed by cleanup(). */
function runTracked(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; logFile?: string } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        children.add(child);
        const logStream = options.logFile ? fs.createWriteStream(options.logFile, { flags: "a" }) : undefined;
        let stdout = "";
        let stderr = "";
        const keep = (s: string, d: Buffer) => (s + d.toString()).slice(-64 * 1024);
        child.stdout!.on("data", (d: Buffer) => { stdout = keep(stdout, d); logStream?.write(d); });
        child.stderr!.on("data", (d: Buffer) => { stderr = keep(stderr, d); logStream?.write(d); });
        child.on("close", (code, signal) => {
            children.delete(child);
            logStream?.end();
            resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
        });
    });
}

async function runTrackedOk(what: string, command: string, args: readonly string[], options: Parameters<typeof runTracked>[2] = {}): Promise<string> {
    const result = await runTracked(command, args, options);
    if (result.code !== 0) {
        throw new Error(`${what} exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(-2000)}`);
    }
    return result.stdout;
}

// ---- helpers -----------------------------------------------------------------------------

/** The measurement under way, and the other runs' network namespaces seen during each one. */
let phase: string | undefined;
const foreignActivity = new Map<string, Set<string>>();
setInterval(() => {
    if (phase === undefined || !fs.existsSync("/run/netns")) {
        return;
    }
    for (const n of fs.readdirSync("/run/netns").filter((x) => !x.startsWith("bench") && !x.startsWith("e2enode"))) {
        foreignActivity.set(phase, (foreignActivity.get(phase) ?? new Set()).add(n.replace(/-.*/, "-*")));
    }
}, 200).unref();

// ---- the benchmark ------------------------------------------------------------------------

interface Mark {
    readonly label: string;
    /** Seconds since pod 1 was started. */
    readonly at: number;
}

/** One start of pod 1 on an empty volume, to Ready. */
interface Bootstrap {
    readonly seconds: number;
    readonly marks: Mark[];
    readonly attempts: number;
    /** The donor's datadir bytes in the page cache when pod 1 started. */
    readonly donorCachedBytes: number;
}

/** What one dataset size measured. */
interface SizeResult {
    readonly sizeGb: number;
    readonly datasetBytes: number;
    readonly replicaBytes: number;
    readonly loadSeconds: number;
    /** Whether the load's binary logs left pod 0 (they are in its du -sb otherwise; no clone copies them). */
    readonly binlogsPurged: boolean;
    readonly bootstraps: Bootstrap[];
    readonly raw: number[];
    readonly cpCold: number[];
    readonly cpWarm: number[];
    readonly dumpLoad?: { seconds: number; loadedBytes: number };
}

/** The large-dataset check (BENCH_LARGE_GB): one bootstrap with the default probes and timeouts. */
interface LargeResult {
    readonly sizeGb: number;
    readonly datasetBytes: number;
    readonly replicaBytes: number;
    readonly loadSeconds: number;
    readonly bootstrap: Bootstrap;
    /** The clone container's progress lines, as logged. */
    readonly progress: string[];
}

interface EngineResult {
    readonly engine: Engine;
    readonly version: string;
    readonly sizes: SizeResult[];
    readonly large?: LargeResult;
}

/** The phases of a scale-up, each from one mark to the next (seconds since pod 1 started). */
const phases = [
    { label: "init before the clone", from: undefined, to: "clone-mysql starts" },
    { label: "clone-mysql", from: "clone-mysql starts", to: "clone-mysql done" },
    { label: "to server start", from: "clone-mysql done", to: "server starts" },
    { label: "server start", from: "server starts", to: "ready for connections" },
    { label: "agent's verdict", from: "ready for connections", to: "agent reports replicating" },
    { label: "probe to Ready", from: "agent reports replicating", to: "Ready" },
] as const;

function phaseSeconds(marks: readonly Mark[], from: string | undefined, to: string): number | undefined {
    const at = (label: string) => marks.find((m) => m.label === label)?.at;
    const a = from === undefined ? 0 : at(from);
    const b = at(to);
    return a !== undefined && b !== undefined ? b - a : undefined;
}

/** The data-moving part of clone-mysql: stream + unpack (mariabackup), the CLONE statement (MySQL). */
function copySeconds(engine: Engine, marks: readonly Mark[]): number | undefined {
    return engine === "mariadb"
        ? phaseSeconds(marks, "clone-mysql starts", "stream unpacked, prepare starts")
        : phaseSeconds(marks, "scratch server up, CLONE starts", "CLONE done");
}

/** Starts pod 1 on an empty volume and marks, from its logs and init containers, when each phase starts. */
async function bootstrapOnce(cluster: KubeCluster, engine: Engine, datadir0: string): Promise<Bootstrap> {
    cluster.deleteVolume(1);
    await evictFromPageCache(datadir0);
    await runOk("sync", []);
    const donorCachedBytes = await cachedBytes(datadir0);
    const after = (text: string, anchor: RegExp, re: RegExp) => {
        const i = text.search(anchor);
        return i >= 0 && re.test(text.slice(i));
    };
    const watchers: Array<{ label: string; log: string; seen: (text: string) => boolean }> = [
        ...(engine === "mariadb"
            ? [{ label: "stream unpacked, prepare starts", log: "clone-mysql-0", seen: (t: string) => /based on MariaDB server/.test(t) }]
            : [{ label: "scratch server up, CLONE starts", log: "clone-mysql-0", seen: (t: string) => /ready for connections.*clone\.sock/.test(t) },
                { label: "CLONE done", log: "clone-mysql-0", seen: (t: string) => /the whole copy/.test(t) }]),
        { label: "server starts", log: "mysql-0", seen: (t) => /\[run-mysql\.sh\] starting the server/.test(t) },
        { label: "ready for connections", log: "mysql-0", seen: (t) => after(t, /\[run-mysql\.sh\] starting the server/, /ready for connections/) },
        { label: "agent reports replicating", log: "member-0", seen: (t) => /\[member\.sh\] replicating: /.test(t) },
    ];
    const marks: Mark[] = [];
    const start = now();
    const mark = (label: string) => marks.some((m) => m.label === label) || marks.push({ label, at: secondsSince(start) });
    let polling = true;
    const poller = (async () => {
        let previous: string | undefined;
        while (polling) {
            const pod = cluster.pods.get(1);
            const init = pod?.currentInit?.name;
            if (init !== previous) {
                if (previous) {
                    mark(`${previous} done`);
                }
                if (init) {
                    mark(`${init} starts`);
                }
                previous = init;
            }
            for (const w of watchers) {
                const file = pod?.logFile(w.log);
                if (file && !marks.some((m) => m.label === w.label) && fs.existsSync(file) && w.seen(fs.readFileSync(file, "utf8"))) {
                    mark(w.label);
                }
            }
            await sleep(50);
        }
    })();
    try {
        await cluster.startPod(1, 1800000);
    } finally {
        polling = false;
        await poller;
    }
    const seconds = secondsSince(start);
    mark("Ready");
    return { seconds, marks, attempts: cluster.pod(1).initAttempts["clone-mysql"] ?? 0, donorCachedBytes };
}

/** Adds sysbench data up to about SIZE GB in a new database; returns the load's seconds. */
async function loadTo(cluster: KubeCluster, engine: Engine, sbConfig: string, db: string, addGb: number, benchDir: string): Promise<number> {
    const rowsPerTable = Math.round((addGb * 4e6) / tables);
    await cluster.rootSql(0, `CREATE DATABASE ${db}`);
    log(`${engine}: sysbench oltp_read_write prepare into ${db}: ${tables} tables x ${rowsPerTable} rows (~${addGb} GB)`);
    phase = `${engine} load`;
    const start = now();
    await runTrackedOk("sysbench prepare", "sysbench",
        [`--config-file=${sbConfig}`, `--mysql-db=${db}`, "oltp_read_write", `--tables=${tables}`, `--table-size=${rowsPerTable}`, "prepare"],
        { logFile: path.join(benchDir, "sysbench.log") });
    phase = undefined;
    return secondsSince(start);
}

/** Purges the load's binary logs: neither clone method copies them, so they are not part of the dataset. */
async function purgeBinlogs(cluster: KubeCluster, engine: Engine): Promise<boolean> {
    await cluster.rootSql(0, "FLUSH BINARY LOGS");
    const current = (await cluster.rootSql(0, "SHOW BINARY LOGS")).split("\n").pop()!.split("\t")[0];
    // MariaDB keeps a binlog until its binlog checkpoint is written (asynchronously after the
    // flush) and skips it silently in PURGE until then: retry for a while
    for (let attempt = 0; attempt < 40; attempt++) {
        await cluster.rootSql(0, `PURGE BINARY LOGS TO '${current}'`);
        if ((await cluster.rootSql(0, "SHOW BINARY LOGS")).split("\n").length === 1) {
            return true;
        }
        await sleep(250);
    }
    log(`${engine}: WARNING: the load's binary logs were not all purged: ${(await cluster.rootSql(0, "SHOW BINARY LOGS")).replace(/\s+/g, " ")}`);
    return false;
}

async function rowCounts(cluster: KubeCluster, ordinal: number, dbs: readonly string[]): Promise<string> {
    const counts: string[] = [];
    for (const db of dbs) {
        counts.push(await cluster.rootSql(ordinal, `SELECT COUNT(*) FROM ${db}.sbtest1`));
    }
    return counts.join(",");
}

/** Pod 1's sbtest1 row counts must equal pod 0's (ROWS0, from rowCounts). */
async function checkReplicaRows(cluster: KubeCluster, engine: Engine, dbs: readonly string[], rows0: string): Promise<void> {
    const rows1 = await rowCounts(cluster, 1, dbs);
    if (rows1 !== rows0) {
        throw new Error(`${engine}: the replica has ${rows1} rows in the sbtest1 tables, the primary ${rows0}`);
    }
}

async function bench(engine: Engine, version: string, images: Awaited<ReturnType<typeof imageResolver>>): Promise<EngineResult> {
    const workDir = path.join(workRoot, `bench-${engine}`);
    const secret = () => crypto.randomBytes(12).toString("hex");
    kube ??= await TestKube.start(log);
    const cluster = await KubeCluster.create({
        engine, name: "db", namespace: `bench-${engine}`, kube, workDir, images, log,
        args: {
            engine, version, replicas: 2, rootPassword: secret(), replicationPassword: secret(), backupPassword: secret(),
            resources: { requests: { cpu: "100m", memory: "256Mi" } }, sidecarResources: { requests: { cpu: "20m", memory: "64Mi" } },
        },
    });
    clusters.add(cluster);
    const image = images(cluster.serverImage);
    const env = cluster.serverEnv;
    const benchDir = path.join(workDir, "bench");
    fs.mkdirSync(benchDir, { recursive: true, mode: 0o700 });

    // pod 1 exists (held, so each run starts it on an empty volume), pod 0 is loaded over its socket
    log(`${engine}: starting pods 0 and 1, then holding pod 1`);
    await cluster.scaleTo(2);
    await cluster.deletePod(1);
    const pod0 = cluster.pod(0);
    const socket = shortSocket(hostPath(pod0, "mysql", env.SOCKET), `bench-${engine}`);
    const datadir0 = hostPath(pod0, "mysql", env.DATADIR);
    const datadir1 = path.join(cluster.claimDir(1), path.relative(path.dirname(env.DATADIR), env.DATADIR));
    const sbPassword = secret();
    const dumpPassword = secret();
    const dumpGrants = "SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT, PROCESS, RELOAD, EXECUTE";
    await rootSqlStdin(cluster, 0, [ // on stdin: the passwords stay out of every argv
        `CREATE USER 'sbtest'@'localhost' IDENTIFIED BY '${sbPassword}'`,
        "GRANT ALL ON `sb%`.* TO 'sbtest'@'localhost'",
        `CREATE USER 'bench'@'%' IDENTIFIED BY '${dumpPassword}'`,
        `GRANT ${dumpGrants} ON *.* TO 'bench'@'%'`,
    ].map((x) => `${x};\n`).join(""));
    const sbConfig = path.join(benchDir, "sysbench.cfg"); // options file: no password in any argv
    fs.writeFileSync(sbConfig, [
        "db-driver=mysql", `mysql-socket=${socket}`, "mysql-user=sbtest", `mysql-password=${sbPassword}`, "threads=2", "",
    ].join("\n"), { mode: 0o600 });

    if (largeGb !== undefined) {
        const large = await benchLarge(cluster, engine, sbConfig, benchDir, datadir0, datadir1, largeGb);
        log(`${engine}: destroying the cluster`);
        await cluster.destroy(true);
        clusters.delete(cluster);
        return { engine, version, sizes: [], large };
    }
    const sizes: SizeResult[] = [];
    const dbs: string[] = [];
    let loaded = 0;
    for (const sizeGb of sizesGb) {
        const db = `sb${dbs.length + 1}`;
        const loadSeconds = await loadTo(cluster, engine, sbConfig, db, sizeGb - loaded, benchDir);
        dbs.push(db);
        loaded = sizeGb;
        const binlogsPurged = await purgeBinlogs(cluster, engine);
        const rows0 = await rowCounts(cluster, 0, dbs);
        await runOk("sync", []);
        const datasetBytes = await duBytes(datadir0);
        log(`${engine}: ~${sizeGb} GB: loaded in ${loadSeconds.toFixed(1)} s; pod 0's datadir ${gb(datasetBytes)} (du -sb)`);

        // ours: pod 1 from start to Ready on an empty volume, RUNS times
        const bootstraps: Bootstrap[] = [];
        for (let r = 1; r <= runs; r++) {
            phase = `${engine} ${sizeGb} GB clone`;
            const b = await bootstrapOnce(cluster, engine, datadir0);
            phase = undefined;
            await checkReplicaRows(cluster, engine, dbs, rows0);
            log(`${engine}: ~${sizeGb} GB run ${r}/${runs}: pod 1 Ready after ${s2(b.seconds)} s (${b.attempts} clone attempt(s), ` +
                `donor ${pct(b.donorCachedBytes, datasetBytes)} cached at start); ${timeline(b.marks)}`);
            bootstraps.push(b);
            await cluster.deletePod(1); // a clean stop: what it leaves is a consistent copy
        }
        await runOk("sync", []);
        const replicaBytes = await duBytes(datadir1);

        // the physical limits, on the stopped replica's datadir: the same bytes the clone wrote
        const raw: number[] = [];
        const cpCold: number[] = [];
        const cpWarm: number[] = [];
        for (let r = 1; r <= runs; r++) {
            phase = `${engine} ${sizeGb} GB raw copy`;
            await evictFromPageCache(datadir1);
            raw.push(await rawNetworkCopy({
                fromNetns: cluster.clientEnv().POD_NETNS!, toNetns: cluster.pod(0).netns,
                source: datadir1, target: path.join(benchDir, "raw-target"), port: rawCopyPort,
            }));
            await evictFromPageCache(datadir1);
            cpCold.push(await localCopy(datadir1, path.join(benchDir, "cp-target")));
            cpWarm.push(await localCopy(datadir1, path.join(benchDir, "cp-target")));
            phase = undefined;
            log(`${engine}: ~${sizeGb} GB run ${r}/${runs}: raw network copy ${s2(raw[r - 1])} s, cp -a cold ${s2(cpCold[r - 1])} s, ` +
                `warm ${s2(cpWarm[r - 1])} s (${gb(replicaBytes)})`);
        }

        // dump | load at the smallest size only (it is the slow one)
        let dumpLoadResult: SizeResult["dumpLoad"];
        if (sizes.length === 0) {
            phase = `${engine} dump|load`;
            dumpLoadResult = await dumpLoad(cluster, engine, benchDir, image, dumpPassword, dbs[0], rows0.split(",")[0]);
            phase = undefined;
            log(`${engine}: dump | load ${s2(dumpLoadResult.seconds)} s (loaded datadir ${gb(dumpLoadResult.loadedBytes)})`);
        }
        sizes.push({ sizeGb, datasetBytes, replicaBytes, loadSeconds, binlogsPurged, bootstraps, raw, cpCold, cpWarm, dumpLoad: dumpLoadResult });
    }
    log(`${engine}: destroying the cluster`);
    await cluster.destroy(true);
    clusters.delete(cluster);
    return { engine, version, sizes };
}

/**
 * Loads SIZE GB in steps (each step's binary logs purged), then bootstraps pod 1 once with the
 * component's default probes and timeouts, and keeps the progress lines its clone container logged.
 */
async function benchLarge(cluster: KubeCluster, engine: Engine, sbConfig: string, benchDir: string,
    datadir0: string, datadir1: string, sizeGb: number): Promise<LargeResult> {
    const dbs: string[] = [];
    let loadSeconds = 0;
    for (let loaded = 0; loaded < sizeGb; loaded += largeStepGb) {
        const db = `sb${dbs.length + 1}`;
        loadSeconds += await loadTo(cluster, engine, sbConfig, db, Math.min(largeStepGb, sizeGb - loaded), benchDir);
        dbs.push(db);
        await purgeBinlogs(cluster, engine);
        log(`${engine}: ${Math.min(sizeGb, loaded + largeStepGb)} of ${sizeGb} GB loaded (${loadSeconds.toFixed(0)} s); ` +
            `pod 0's datadir ${gb(await duBytes(datadir0))}; ${gb(freeBytes(benchDir))} free on the disk`);
    }
    const rows0 = await rowCounts(cluster, 0, dbs);
    await runOk("sync", []);
    const datasetBytes = await duBytes(datadir0);
    phase = `${engine} ${sizeGb} GB clone`;
    const bootstrap = await bootstrapOnce(cluster, engine, datadir0);
    phase = undefined;
    const progress = fs.readFileSync(cluster.pod(1).logFile("clone-mysql-0"), "utf8").split("\n")
        .filter((line) => /copied \d+ MB/.test(line));
    await checkReplicaRows(cluster, engine, dbs, rows0);
    log(`${engine}: ~${sizeGb} GB: pod 1 Ready after ${s2(bootstrap.seconds)} s (${bootstrap.attempts} clone attempt(s)); ` +
        `${timeline(bootstrap.marks)}; ${progress.length} progress lines`);
    await cluster.deletePod(1);
    await runOk("sync", []);
    const replicaBytes = await duBytes(datadir1);
    return { sizeGb, datasetBytes, replicaBytes, loadSeconds, bootstrap, progress };
}

/** Free bytes on the filesystem that holds DIR. */
function freeBytes(dir: string): number {
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
}

function reportLarge(results: readonly EngineResult[]): void {
    const larges = results.filter((r) => r.large !== undefined);
    console.log(`\nLarge dataset: one new replica, the component's default probes and timeouts (seconds since pod 1 started).\n`);
    console.log(table([
        ["engine", "datadir", "load", "Ready", ...phases.map((p) => p.label), "moving data", "copy rate", "clone attempts", "progress lines"],
        ...larges.map((r) => {
            const z = r.large!;
            const cell = (x: number | undefined) => (x === undefined ? "?" : s2(x));
            const moving = copySeconds(r.engine, z.bootstrap.marks);
            return [`${r.engine} ${r.version}`, gb(z.replicaBytes), `${z.loadSeconds.toFixed(0)}`, s2(z.bootstrap.seconds),
                ...phases.map((p) => cell(phaseSeconds(z.bootstrap.marks, p.from, p.to))), cell(moving),
                moving ? mbps(z.replicaBytes / moving) : "?", String(z.bootstrap.attempts), String(z.progress.length)];
        }),
    ]));
    for (const r of larges) {
        const lines = r.large!.progress;
        console.log(`\n${r.engine}: the clone's progress lines (${lines.length}; first 3, middle, last 3):`);
        const shown = lines.length <= 7 ? lines : [...lines.slice(0, 3), "...", lines[Math.floor(lines.length / 2)], "...", ...lines.slice(-3)];
        shown.forEach((line) => console.log(`  ${line}`));
    }
}

const timeline = (marks: readonly Mark[]) =>
    [...marks].sort((a, b) => a.at - b.at).map((m) => `${m.label} ${m.at.toFixed(1)}`).join(" | ");

const dumpLoadScript = `set -euo pipefail
mysqld=$1 client=$2 dump=$3 init=$4 donor=$5 dump_extra=$6 check_table=$7 dbs=$8
data=/var/lib/mysql/data sock=/var/run/mysqld/load.sock cnf=/etc/bench/my.cnf
local_sql() { "$client" --no-defaults -uroot --socket="$sock" --batch --skip-column-names "$@"; }
if [[ $init == mysqld ]]; then
  "$mysqld" --defaults-file="$cnf" --initialize-insecure --datadir="$data"
else
  "$init" --defaults-file="$cnf" --datadir="$data" --auth-root-authentication-method=normal --skip-test-db >/dev/null
fi
"$mysqld" --defaults-file="$cnf" --datadir="$data" --socket="$sock" --pid-file="$sock.pid" --skip-networking &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid || true' EXIT
until local_sql -e 'SELECT 1' >/dev/null 2>&1; do kill -0 $pid; sleep 0.2; done
dbs=$8
echo "BENCH databases=$dbs"
start=$(date +%s.%N)
# shellcheck disable=SC2086
"$dump" --defaults-file=/etc/bench/dump.cnf -h "$donor" $dump_extra --single-transaction --quick \\
  --routines --events --triggers --databases $dbs | local_sql
end=$(date +%s.%N)
echo "BENCH start=$start end=$end"
echo "BENCH rows=$(local_sql -e "SELECT COUNT(*) FROM $check_table")"
kill -TERM $pid
wait $pid
trap - EXIT
echo "BENCH loaded_bytes=$(du -sb "$data" | cut -f1)"
`;

async function dumpLoad(cluster: KubeCluster, engine: Engine, benchDir: string, image: { root: string; uid: number; gid: number },
    dumpPassword: string, db: string, expectedRows: string): Promise<{ seconds: number; loadedBytes: number }> {
    const dir = path.join(benchDir, "load");
    const etc = path.join(dir, "etc");
    for (const d of [dir, etc, path.join(dir, "lib"), path.join(dir, "run")]) {
        fs.mkdirSync(d, { recursive: true });
        fs.chownSync(d, image.uid, image.gid);
    }
    const configMapData = cluster.rendered.configMap.data;
    const files: Record<string, string> = {
        // the pods' configuration, writable (pods start read-only until their agent says otherwise)
        "my.cnf": `${configMapData["base.cnf"]}\n${configMapData["primary.cnf"]}\n[mysqld]\nserver-id=199\nread_only=OFF\n` +
            (engine === "mysql" ? "super_read_only=OFF\n" : ""),
        "dump.cnf": `[client]\nuser=bench\npassword="${dumpPassword}"\nport=${cluster.rendered.services.primary.spec.ports[0].port}\n`,
        "dumpload.sh": dumpLoadScript,
    };
    for (const [name, text] of Object.entries(files)) {
        const file = path.join(etc, name);
        fs.writeFileSync(file, text, { mode: 0o600 });
        fs.chownSync(file, image.uid, image.gid);
    }
    const env = cluster.serverEnv;
    const [dump, init, extra] = engine === "mysql"
        ? ["mysqldump", "mysqld", "--set-gtid-purged=OFF"]
        : ["mariadb-dump", env.INSTALL_DB, ""];
    const donor = `${cluster.name}-0.${cluster.serviceName}`;
    log(`${engine}: dump | load of ${db} from ${donor} into a fresh server in the client namespace`);
    const result = await runTracked(path.join(infraDir, "pod-exec.sh"),
        ["bash", "/etc/bench/dumpload.sh", env.MYSQLD, env.MYSQL_CLIENT, dump, init, donor, extra, `${db}.sbtest1`, db], {
            env: cluster.clientEnv([`${path.join(dir, "lib")}:/var/lib/mysql`, `${path.join(dir, "run")}:/var/run/mysqld`,
                `${etc}:/etc/bench:ro`]),
            logFile: path.join(benchDir, "dumpload.log"),
        });
    const field = (name: string) => result.stdout.match(new RegExp(`^BENCH .*\\b${name}=(\\S+)`, "m"))?.[1];
    if (result.code !== 0 || field("loaded_bytes") === undefined) {
        throw new Error(`dump | load exited ${result.code}: ${result.stderr.trim().slice(-2000)}`);
    }
    if (field("rows") !== expectedRows) {
        throw new Error(`dump | load: ${field("rows")} rows in sbtest1, the primary has ${expectedRows}`);
    }
    return { seconds: Number(field("end")) - Number(field("start")), loadedBytes: Number(field("loaded_bytes")) };
}

// ---- report -------------------------------------------------------------------------------

function commandLine(): string {
    const knobs = Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_")).map(([k, v]) => `${k}=${v} `).join("");
    return process.env.npm_lifecycle_event === "bench:clone"
        ? `${knobs}npm run bench:clone   (ts-node tests/e2e/bench-clone.ts)`
        : `${knobs}ts-node ${path.relative(process.cwd(), process.argv[1] ?? "tests/e2e/bench-clone.ts")}`;
}

const spread = (xs: readonly number[]) => `${s2(median(xs))} (${s2(Math.min(...xs))}-${s2(Math.max(...xs))})`;
const fitCells = (f: Fit | undefined) => (f ? [`${s2(f.fixedSeconds)} s`, mbps(f.bytesPerSecond)] : ["?", "?"]);

function report(results: readonly EngineResult[]): void {
    if (largeGb !== undefined) {
        reportLarge(results);
        reportFooter();
        return;
    }
    console.log(`\nSeconds, median (min-max) of ${runs} run(s); every source evicted from the page cache first ` +
        "(cp -a warm excepted); datadir = du -sb of the clone (no binary logs).\n");
    console.log(table([
        ["engine", "datadir", "ours", "raw net copy", "cp -a cold", "cp -a warm", "ours/raw", "dump|load", "dump/ours"],
        ...results.flatMap((r) => r.sizes.map((z) => {
            const ours = median(z.bootstraps.map((b) => b.seconds));
            return [
                `${r.engine} ${r.version}`, gb(z.replicaBytes), spread(z.bootstraps.map((b) => b.seconds)), spread(z.raw),
                spread(z.cpCold), spread(z.cpWarm), `${(ours / median(z.raw)).toFixed(2)}x`,
                z.dumpLoad ? s2(z.dumpLoad.seconds) : "-", z.dumpLoad ? `${(z.dumpLoad.seconds / ours).toFixed(1)}x` : "-",
            ];
        })),
    ]));
    console.log("\nFixed cost and throughput: least squares of time against the datadir's bytes, every run of every size.\n");
    console.log(table([
        ["engine", "ours fixed", "ours rate", "raw fixed", "raw rate", "cp -a cold fixed", "cp -a cold rate"],
        ...results.map((r) => {
            const points = (pick: (z: SizeResult) => readonly number[]) =>
                r.sizes.flatMap((z) => pick(z).map((seconds) => ({ bytes: z.replicaBytes, seconds })));
            return [`${r.engine} ${r.version}`,
                ...fitCells(leastSquares(points((z) => z.bootstraps.map((b) => b.seconds)))),
                ...fitCells(leastSquares(points((z) => z.raw))), ...fitCells(leastSquares(points((z) => z.cpCold)))];
        }),
    ]));
    console.log("\nA scale-up's time to Ready by phase (medians, s): pod started -> clone-mysql -> replication set up, " +
        "server started -> 'ready for connections' -> the readiness probe passes.\n");
    console.log(table([
        ["engine", "datadir", ...phases.map((p) => p.label), "of which moving data", "Ready"],
        ...results.flatMap((r) => r.sizes.map((z) => {
            const med = (f: (b: Bootstrap) => number | undefined) => {
                const xs = z.bootstraps.map(f).filter((x): x is number => x !== undefined);
                return xs.length > 0 ? s2(median(xs)) : "?";
            };
            return [`${r.engine} ${r.version}`, gb(z.replicaBytes),
                ...phases.map((p) => med((b) => phaseSeconds(b.marks, p.from, p.to))),
                med((b) => copySeconds(r.engine, b.marks)), med((b) => b.seconds)];
        })),
    ]));
    console.log("\nDetails:");
    for (const r of results) {
        for (const z of r.sizes) {
            console.log(`- ${r.engine} ~${z.sizeGb} GB: pod 0's datadir ${gb(z.datasetBytes)}, the clone's ${gb(z.replicaBytes)} ` +
                `(du -sb; the load took ${z.loadSeconds.toFixed(0)} s, its binary logs ${z.binlogsPurged ? "purged" : "still on pod 0"}); clone attempts per run: ` +
                `${z.bootstraps.map((b) => b.attempts).join(", ")}; donor cached at start: ` +
                `${z.bootstraps.map((b) => pct(b.donorCachedBytes, z.datasetBytes)).join(", ")}.`);
            if (z.dumpLoad) {
                console.log(`  dump|load = ${r.engine === "mysql" ? "mysqldump --set-gtid-purged=OFF | mysql" : "mariadb-dump | mariadb"} ` +
                    "(--single-transaction --quick --routines --events --triggers) into a server with the pods' configuration " +
                    `(binlog on, sync_binlog=1, innodb_flush_log_at_trx_commit=1); loaded datadir ${gb(z.dumpLoad.loadedBytes)}.`);
            }
        }
    }
    console.log("\nours = pod 1 started -> Ready; raw net copy = tar -c | socat -b 65536 from the client pod's network namespace " +
        "to pod 0's, tar -x there (no sync); cp -a = same filesystem (no sync).");
    reportFooter();
}

/** What every report ends with: the machine, other activity, the command and the run time. */
function reportFooter(): void {
    console.log(`All pods share this machine's ${os.cpus().length} cores and one disk; nothing is asserted on timing.`);
    console.log(foreignActivity.size === 0
        ? "No other emulated cluster was running during the measurements."
        : `Other runs were active (expect noise) during: ${[...foreignActivity].map(([p, nets]) =>
            `${p} (${[...nets].join(", ")})`).join("; ")}.`);
    console.log(`Command: ${commandLine()}`);
    console.log(`Total run time: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
    if (process.getuid?.() !== 0) {
        throw new Error("the benchmark needs root (pods are Linux namespaces)");
    }
    const unknown = engines.filter((e) => e !== "mariadb" && e !== "mysql");
    const ascending = sizesGb.every((x, i) => x > 0 && (i === 0 || x > sizesGb[i - 1]));
    const largeOk = largeGb === undefined || (Number.isInteger(largeGb) && largeGb > 0);
    if (unknown.length > 0 || !ascending || !(Number.isInteger(runs) && runs > 0) || !(Number.isInteger(tables) && tables > 0) || !largeOk) {
        throw new Error(`bad knobs: BENCH_ENGINES=${engines.join(",")} (mariadb, mysql), BENCH_SIZES_GB=${sizesGb.join(",")} ` +
            `(ascending positive numbers), BENCH_RUNS=${runs}, BENCH_TABLES=${tables}, BENCH_LARGE_GB=${largeGb ?? ""} (positive integers)`);
    }
    if (largeGb !== undefined) {
        // pod 0's data, one step's binary logs and the copy, with some room to spare
        fs.mkdirSync(workRoot, { recursive: true });
        const need = (2 * largeGb + largeStepGb) * 1.1e9 + 2e9;
        if (freeBytes(workRoot) < need) {
            throw new Error(`BENCH_LARGE_GB=${largeGb} needs about ${gb(need)} free under ${workRoot}; ` +
                `${gb(freeBytes(workRoot))} is free: free some space or choose a smaller BENCH_LARGE_GB`);
        }
    }
    await ensureSysbench(log);
    const versions = await ensureImages(log);
    const images = await imageResolver();
    const results: EngineResult[] = [];
    for (const engine of engines) {
        workDirs.add(path.join(workRoot, `bench-${engine}`));
        results.push(await bench(engine, engine === "mysql" ? versions.mysqlVersion : versions.mariadbVersion, images));
    }
    await cleanup(true);
    report(results);
    // exit now: the harness's Pod.stop leaves its grace-period timer pending (up to 60 s)
    process.exit(0);
}

main().catch(async (error) => {
    if (interrupted) { // the signal handler cleans up and exits
        return;
    }
    console.error(`bench-clone failed: ${error instanceof Error ? error.stack : error}`);
    await cleanup(!keepOnFailure);
    if (keepOnFailure) {
        console.error(`work dirs kept: ${[...workDirs].join(" ")}`);
    }
    process.exit(1);
});
