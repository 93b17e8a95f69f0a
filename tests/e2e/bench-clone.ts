/**
 * Benchmark (not a test): how long "our clone path" takes to bring up a replica of a ~1 GB
 * primary, next to the physical limit (`cp -a` of a stopped server's datadir) and to what a
 * user would do by hand (`dump | load` into a fresh server), for both bootstrap methods:
 * MariaDB 10.11 (mariabackup stream) and MySQL 9.x (CLONE plugin). No timing is asserted.
 *
 *   npm run bench:clone
 *
 * Knobs (environment): BENCH_ENGINES=mariadb,mysql  BENCH_TABLES=4  BENCH_TABLE_SIZE=1000000
 * (sysbench rows per table; 4 x 1M rows is ~1 GB of InnoDB data)  BENCH_KEEP=1 (keep the work
 * dirs of a failed run for the logs). Needs root (pods are Linux namespaces, see infra/README.md).
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
import { ensureImages, imageResolver } from "./images";

type Engine = "mariadb" | "mysql";

const engines = (process.env.BENCH_ENGINES ?? "mariadb,mysql").split(",").map((e) => e.trim()) as Engine[];
const tables = Number(process.env.BENCH_TABLES ?? 4);
const tableSize = Number(process.env.BENCH_TABLE_SIZE ?? 1000000);
const keepOnFailure = process.env.BENCH_KEEP === "1";
const workRoot = "/tmp/mysql-cluster-e2e";
const benchDb = "sbtest";
let kube: TestKube | undefined;

const t0 = Date.now();
const log = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);
const secondsSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const now = () => process.hrtime.bigint();

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

/** Wall time of a host command, in seconds. */
async function timed(what: string, command: string, args: readonly string[]): Promise<number> {
    const start = now();
    await runTrackedOk(what, command, args);
    return secondsSince(start);
}

// ---- helpers on the emulated pods --------------------------------------------------------


async function duBytes(dir: string): Promise<number> {
    return Number((await runOk("du", ["-sb", dir])).split("\t")[0]);
}

/** Bytes of the files under DIR that are resident in the page cache (fincore). */
async function cachedBytes(dir: string): Promise<number> {
    const out = await runOk("bash", ["-c", 'find "$1" -type f -size +0 -print0 | xargs -0 -r fincore -b -n -r -o RES', "-", dir]);
    return out.split("\n").filter(Boolean).reduce((sum, line) => sum + Number(line.trim()), 0);
}

/** The measurement under way, and the other runs' network namespaces seen during each one. */
let phase: string | undefined;
const foreignActivity = new Map<string, Set<string>>();
setInterval(() => {
    if (phase === undefined || !fs.existsSync("/run/netns")) {
        return;
    }
    for (const n of fs.readdirSync("/run/netns").filter((x) => !x.startsWith("bench"))) {
        foreignActivity.set(phase, (foreignActivity.get(phase) ?? new Set()).add(n.replace(/-.*/, "-*")));
    }
}, 200).unref();

const pct = (part: number, whole: number) => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

/** Log lines "YYYY-MM-DDTHH:MM:SSZ [script] message" -> seconds between the first lines matching a and b. */
function logSpan(file: string, a: RegExp, b: RegExp): number | undefined {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const at = (re: RegExp) => {
        const line = lines.find((l) => re.test(l));
        const m = line?.match(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) /);
        return m ? Date.parse(m[1]) : undefined;
    };
    const [ta, tb] = [at(a), at(b)];
    return ta !== undefined && tb !== undefined ? (tb - ta) / 1000 : undefined;
}

// ---- the benchmark ------------------------------------------------------------------------

interface Mark {
    readonly label: string;
    /** Seconds since pod 1 was started. */
    readonly at: number;
}

interface Copy {
    readonly seconds: number;
    readonly cachedBytes: number;
    readonly syncSeconds: number;
}

interface Result {
    engine: Engine;
    version: string;
    datasetBytes: number;
    binlogBytesPurged: number;
    loadSeconds: number;
    donorCachedBytes: number;
    cloneSeconds: number;
    cloneInitSeconds?: number;
    cloneInitLogSeconds?: number;
    /** The data-moving phase inside clone-mysql: stream + unpack (mariabackup), the CLONE statement (MySQL). */
    copySeconds?: number;
    marks: Mark[];
    replicaBytes: number;
    stopReplicaSeconds: number;
    cpFound: Copy;
    cpWarm: Copy;
    cpWarmAll: number[];
    cpEvicted: Copy;
    dumpLoadSeconds: number;
    loadedBytes: number;
}

const timeline = (marks: Mark[]) =>
    [...marks].sort((a, b) => a.at - b.at).map((m) => `${m.label} ${m.at.toFixed(1)}`).join(" | ");


async function bench(engine: Engine, version: string, images: Awaited<ReturnType<typeof imageResolver>>): Promise<Result> {
    const workDir = path.join(workRoot, `bench-${engine}`);
    const secret = () => crypto.randomBytes(12).toString("hex");
    const rootPassword = secret();
    kube ??= await TestKube.start(log);
    const cluster = await KubeCluster.create({
        engine, name: "db", namespace: `bench-${engine}`, kube, workDir, images, log,
        args: {
            engine, version, replicas: 2, rootPassword, replicationPassword: secret(), backupPassword: secret(),
            resources: { requests: { cpu: "100m", memory: "256Mi" } }, sidecarResources: { requests: { cpu: "20m", memory: "64Mi" } },
        },
    });
    clusters.add(cluster);
    const image = images(cluster.serverImage);
    const env0 = cluster.serverEnv;
    const benchDir = path.join(workDir, "bench");
    fs.mkdirSync(benchDir, { recursive: true, mode: 0o700 });

    // 1. the primary, loaded with sysbench over its socket (seen from the host through the run volume)
    log(`${engine}: starting pod 0`);
    await cluster.scaleTo(1);
    const pod0 = cluster.pod(0);
    const socket = shortSocket(hostPath(pod0, "mysql", env0.SOCKET), `bench-${engine}`);
    const datadir0 = hostPath(pod0, "mysql", env0.DATADIR);
    const sbPassword = secret();
    const dumpPassword = secret();
    const dumpGrants = "SELECT, SHOW VIEW, TRIGGER, LOCK TABLES, EVENT, PROCESS, RELOAD, EXECUTE";
    await rootSqlStdin(cluster, 0, [ // on stdin: the passwords stay out of every argv
        `CREATE DATABASE ${benchDb}`,
        `CREATE USER 'sbtest'@'localhost' IDENTIFIED BY '${sbPassword}'`,
        `GRANT ALL ON ${benchDb}.* TO 'sbtest'@'localhost'`,
        `CREATE USER 'bench'@'%' IDENTIFIED BY '${dumpPassword}'`,
        `GRANT ${dumpGrants} ON *.* TO 'bench'@'%'`,
    ].map((x) => `${x};\n`).join(""));
    const sbConfig = path.join(benchDir, "sysbench.cfg"); // options file: no password in any argv
    fs.writeFileSync(sbConfig, [
        "db-driver=mysql", `mysql-socket=${socket}`, "mysql-user=sbtest", `mysql-password=${sbPassword}`,
        `mysql-db=${benchDb}`, "threads=2", "",
    ].join("\n"), { mode: 0o600 });
    log(`${engine}: sysbench oltp_read_write prepare, ${tables} tables x ${tableSize} rows`);
    phase = `${engine} load`;
    let start = now();
    await runTrackedOk("sysbench prepare", "sysbench",
        [`--config-file=${sbConfig}`, "oltp_read_write", `--tables=${tables}`, `--table-size=${tableSize}`, "prepare"],
        { logFile: path.join(benchDir, "sysbench.log") });
    const loadSeconds = secondsSince(start);
    phase = undefined;
    // the load's binary logs are not data: neither clone method copies them, so keep them out of the dataset
    const binlogsBefore = await cluster.rootSql(0, "SHOW BINARY LOGS");
    const binlogBytes = binlogsBefore.split("\n").reduce((s, l) => s + Number(l.split("\t")[1] ?? 0), 0);
    log(`${engine}: binary logs after the load: ${binlogsBefore.replace(/\t/g, " ").replace(/\n/g, ", ")}`);
    await cluster.rootSql(0, "FLUSH BINARY LOGS");
    const current = (await cluster.rootSql(0, "SHOW BINARY LOGS")).split("\n").pop()!.split("\t")[0];
    // MariaDB keeps a binlog until its binlog checkpoint is written (asynchronously after the
    // flush) and skips it silently in PURGE until then: retry for a while
    let binlogsLeft: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
        await cluster.rootSql(0, `PURGE BINARY LOGS TO '${current}'`);
        binlogsLeft = (await cluster.rootSql(0, "SHOW BINARY LOGS")).split("\n");
        if (binlogsLeft.length === 1) {
            break;
        }
        await sleep(250);
    }
    if (binlogsLeft.length !== 1) {
        log(`${engine}: WARNING: binary logs not purged: ${binlogsLeft.join(", ")}`);
    }
    const binlogsAfter = binlogsLeft.reduce((s, l) => s + Number(l.split("\t")[1] ?? 0), 0);
    const rows0 = await cluster.rootSql(0, `SELECT COUNT(*) FROM ${benchDb}.sbtest1`);
    const datasetBytes = await duBytes(datadir0);
    const donorCachedBytes = await cachedBytes(datadir0);
    log(`${engine}: loaded in ${loadSeconds.toFixed(1)} s; datadir ${gb(datasetBytes)} (du -sb), ` +
        `${gb(binlogBytes - binlogsAfter)} of load binlogs purged, ${pct(donorCachedBytes, datasetBytes)} in page cache`);

    // 2. our clone path: pod 1 from start to Ready. A poller marks when each init container starts
    //    and ends, and when known lines appear in the pod's logs (the phases of the clone)
    log(`${engine}: starting pod 1 (clone-mysql, then replication)`);
    const marks: Mark[] = [];
    const watchers = [
        ...(engine === "mariadb"
            ? [{ label: "stream unpacked, prepare starts", log: "clone-mysql-0", re: /based on MariaDB server/ }]
            : [{ label: "scratch server up, CLONE starts", log: "clone-mysql-0", re: /ready for connections.*clone\.sock/ },
                { label: "CLONE done", log: "clone-mysql-0", re: /Received SHUTDOWN/ }]),
        { label: "replication set up, server starts", log: "mysql-0", re: /\[run-mysql\.sh\] starting the server/ },
    ];
    phase = `${engine} clone`;
    start = now();
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
                if (file && !marks.some((m) => m.label === w.label) && fs.existsSync(file) && w.re.test(fs.readFileSync(file, "utf8"))) {
                    mark(w.label);
                }
            }
            await sleep(50);
        }
    })();
    try {
        await cluster.startPod(1, 600000);
    } finally {
        polling = false;
        await poller;
    }
    const cloneSeconds = secondsSince(start);
    phase = undefined;
    mark("Ready");
    const pod1 = cluster.pod(1);
    const attempts = pod1.initAttempts["clone-mysql"] ?? 0;
    const at = (label: string) => marks.find((m) => m.label === label)?.at;
    const span = (a: string, b: string) => (at(a) !== undefined && at(b) !== undefined ? at(b)! - at(a)! : undefined);
    const cloneInitSeconds = attempts === 1 ? span("clone-mysql starts", "clone-mysql done") : undefined;
    const copySeconds = engine === "mariadb"
        ? span("clone-mysql starts", "stream unpacked, prepare starts")
        : span("scratch server up, CLONE starts", "CLONE done");
    const cloneInitLogSeconds = logSpan(pod1.logFile(`clone-mysql-${attempts - 1}`), /\] cloning from /, /\] clone from .* complete/);
    const rows1 = await cluster.rootSql(1, `SELECT COUNT(*) FROM ${benchDb}.sbtest1`);
    if (rows1 !== rows0) {
        throw new Error(`${engine}: the replica has ${rows1} rows in sbtest1, the primary ${rows0}`);
    }
    log(`${engine}: pod 1 ready after ${cloneSeconds.toFixed(1)} s (clone-mysql ${cloneInitSeconds?.toFixed(1) ?? "?"} s, ` +
        `${attempts} attempt(s); log timestamps: ${cloneInitLogSeconds ?? "?"} s)`);
    log(`${engine}: timeline: ${timeline(marks)}`);

    // 3. cp -a of the replica's datadir, its server stopped cleanly (a consistent copy), onto the same
    //    filesystem: as the clone left the page cache, then warm (every source page cached), then evicted
    const datadir1 = hostPath(pod1, "mysql", cluster.serverEnv.DATADIR);
    start = now();
    await cluster.deletePod(1);
    const stopReplicaSeconds = secondsSince(start);
    await runOk("sync", []);
    const replicaBytes = await duBytes(datadir1);
    const copy = path.join(benchDir, "cp-target");
    const cp = async (what: string): Promise<Copy> => {
        const cached = await cachedBytes(datadir1);
        const seconds = await timed(what, "cp", ["-a", datadir1, copy]);
        const syncSeconds = await timed("sync", "sync", []);
        fs.rmSync(copy, { recursive: true, force: true });
        await runOk("sync", []);
        log(`${engine}: cp -a ${what} of ${gb(replicaBytes)}: ${seconds.toFixed(2)} s with ${pct(cached, replicaBytes)} of it ` +
            `in the page cache (then sync ${syncSeconds.toFixed(2)} s)`);
        return { seconds, cachedBytes: cached, syncSeconds };
    };
    phase = `${engine} cp -a`;
    const cpFound = await cp("as the clone left the cache");
    // the physical limit: the best of three warm copies (one copy takes well under a second, so a
    // single sample is at the mercy of anything else touching the disk)
    const warm = [await cp("warm #1"), await cp("warm #2"), await cp("warm #3")];
    const cpWarm = warm.reduce((best, c) => (c.seconds < best.seconds ? c : best));
    // evict the source's pages (posix_fadvise DONTNEED; /proc/sys/vm/drop_caches is not ours to use)
    await runOk("bash", ["-c", 'find "$1" -type f -exec dd if={} iflag=nocache count=0 status=none \\;', "-", datadir1]);
    const cpEvicted = await cp("evicted");
    phase = undefined;

    // 4. dump | load: every user database of pod 0, over the cluster network, into a fresh server
    //    (same configuration as a pod: binary log on, sync_binlog=1) in the client namespace
    phase = `${engine} dump|load`;
    const { dumpLoadSeconds, loadedBytes } = await dumpLoad(cluster, engine, benchDir, image, dumpPassword, rows0);
    phase = undefined;
    log(`${engine}: dump | load ${dumpLoadSeconds.toFixed(1)} s (loaded datadir ${gb(loadedBytes)})`);

    log(`${engine}: destroying the cluster`);
    await cluster.destroy(true);
    clusters.delete(cluster);
    return {
        engine, version, datasetBytes, binlogBytesPurged: binlogBytes - binlogsAfter, loadSeconds, donorCachedBytes,
        cloneSeconds, cloneInitSeconds, cloneInitLogSeconds, copySeconds, marks, replicaBytes, stopReplicaSeconds,
        cpFound, cpWarm, cpWarmAll: warm.map((c) => c.seconds), cpEvicted, dumpLoadSeconds, loadedBytes,
    };
}

const dumpLoadScript = `set -euo pipefail
mysqld=$1 client=$2 dump=$3 init=$4 donor=$5 dump_extra=$6 check_table=$7
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
dbs=$("$client" --defaults-file=/etc/bench/dump.cnf -h "$donor" --batch --skip-column-names -e "SELECT schema_name FROM information_schema.schemata
  WHERE schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1")
echo "BENCH databases=$(echo $dbs)"
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
    dumpPassword: string, expectedRows: string): Promise<{ dumpLoadSeconds: number; loadedBytes: number }> {
    const dir = path.join(benchDir, "load");
    const etc = path.join(dir, "etc");
    for (const d of [dir, etc, path.join(dir, "lib"), path.join(dir, "run")]) {
        fs.mkdirSync(d, { recursive: true });
        fs.chownSync(d, image.uid, image.gid);
    }
    const configMapData = cluster.rendered.configMap.data;
    const files: Record<string, string> = {
        "my.cnf": `${configMapData["base.cnf"]}\n${configMapData["primary.cnf"]}\n[mysqld]\nserver-id=199\n`,
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
    log(`${engine}: dump | load from ${donor} into a fresh server in the client namespace`);
    const result = await runTracked(path.join(infraDir, "pod-exec.sh"),
        ["bash", "/etc/bench/dumpload.sh", env.MYSQLD, env.MYSQL_CLIENT, dump, init, donor, extra, `${benchDb}.sbtest1`], {
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
    return { dumpLoadSeconds: Number(field("end")) - Number(field("start")), loadedBytes: Number(field("loaded_bytes")) };
}

// ---- report -------------------------------------------------------------------------------

function table(rows: string[][]): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r, ri) => {
        const line = r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
        return ri === 0 ? `${line}\n${widths.map((w) => "-".repeat(w)).join("  ")}` : line;
    }).join("\n");
}

function commandLine(): string {
    const knobs = Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_")).map(([k, v]) => `${k}=${v} `).join("");
    return process.env.npm_lifecycle_event === "bench:clone"
        ? `${knobs}npm run bench:clone   (ts-node tests/e2e/bench-clone.ts)`
        : `${knobs}ts-node ${path.relative(process.cwd(), process.argv[1] ?? "tests/e2e/bench-clone.ts")}`;
}

function report(results: Result[]): void {
    const s = (x: number) => x.toFixed(2);
    const opt = (x: number | undefined) => (x === undefined ? "?" : s(x));
    console.log("\n" + table([
        ["engine", "bootstrap", "dataset bytes", "our clone (s)", "cp -a (s)", "dump|load (s)", "ours/cp", "dump/ours"],
        ...results.map((r) => [
            `${r.engine} ${r.version}`, r.engine === "mysql" ? "CLONE plugin" : "mariabackup stream",
            String(r.datasetBytes), s(r.cloneSeconds), s(r.cpWarm.seconds), s(r.dumpLoadSeconds),
            `${(r.cloneSeconds / r.cpWarm.seconds).toFixed(1)}x`, `${(r.dumpLoadSeconds / r.cloneSeconds).toFixed(1)}x`,
        ]),
    ]));
    console.log("\nour clone = pod 1 started -> Ready (init containers, clone, replication setup, server start, probes);" +
        "\ncp -a = the stopped replica's datadir, source warm in the page cache (best of 3);" +
        "\ndump|load = every user database dumped from pod 0 over TCP, piped into a fresh empty server (its initialisation not counted).");
    console.log("\nDetails:");
    for (const r of results) {
        console.log(`- ${r.engine}: dataset = du -sb of pod 0's datadir (${gb(r.datasetBytes)}) after sysbench oltp_read_write prepare ` +
            `of ${tables} x ${tableSize} rows (${r.loadSeconds.toFixed(1)} s) and purging the load's ${gb(r.binlogBytesPurged)} of ` +
            `binary logs; ${pct(r.donorCachedBytes, r.datasetBytes)} of it in the page cache when pod 1 started.`);
        console.log(`  our clone ${s(r.cloneSeconds)} s; clone-mysql init container ${opt(r.cloneInitSeconds)} s ` +
            `(log timestamps, 1 s resolution: ${r.cloneInitLogSeconds ?? "?"} s), of which moving the data ` +
            `(${r.engine === "mysql" ? "the CLONE statement" : "backup stream + mbstream unpack"}) ${opt(r.copySeconds)} s.`);
        console.log(`  timeline (s since pod 1 started, ~50 ms polling, readiness probed every 1 s): ${timeline(r.marks)}`);
        console.log(`  cp -a of pod 1's datadir (${gb(r.replicaBytes)}) after a clean stop (${s(r.stopReplicaSeconds)} s), same filesystem: ` +
            `${s(r.cpFound.seconds)} s as the clone left the page cache (${pct(r.cpFound.cachedBytes, r.replicaBytes)} cached), ` +
            `${s(r.cpWarm.seconds)} s warm (best of ${r.cpWarmAll.map(s).join(" / ")}; ${pct(r.cpWarm.cachedBytes, r.replicaBytes)} cached), ` +
            `${s(r.cpEvicted.seconds)} s after evicting it with fadvise DONTNEED (${pct(r.cpEvicted.cachedBytes, r.replicaBytes)} ` +
            `cached; the hypervisor's cache may still hold it); the sync after each copy (not counted) took ` +
            `${s(r.cpFound.syncSeconds)}, ${s(r.cpWarm.syncSeconds)} and ${s(r.cpEvicted.syncSeconds)} s.`);
        console.log(`  dump|load = ${r.engine === "mysql" ? "mysqldump --set-gtid-purged=OFF | mysql" : "mariadb-dump | mariadb"} ` +
            `(--single-transaction --quick --routines --events --triggers) into a server with the pods' configuration ` +
            `(binlog on, sync_binlog=1, innodb_flush_log_at_trx_commit=1, default buffer pool); loaded datadir ${gb(r.loadedBytes)} ` +
            `with its binary logs.`);
    }
    console.log(`\nAll pods share this machine's ${os.cpus().length} cores and one disk; nothing is asserted on timing.`);
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
    if (unknown.length > 0 || !(Number.isInteger(tables) && tables > 0) || !(Number.isInteger(tableSize) && tableSize > 0)) {
        throw new Error(`bad knobs: BENCH_ENGINES=${engines.join(",")} (mariadb, mysql), BENCH_TABLES=${tables}, ` +
            `BENCH_TABLE_SIZE=${tableSize} (positive integers)`);
    }
    await ensureSysbench(log);
    const versions = await ensureImages(log);
    const images = await imageResolver();
    const results: Result[] = [];
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
