/** Data the scenarios write: through the Service names, as the application account. */
import * as fs from "fs";
import * as path from "path";
import { ChildProcess } from "child_process";
import { appUser, KubeCluster, infraDir } from "./harness/cluster";
import { exitOrKill, startLogged, waitFor } from "./harness/process";

/** Creates the test table in the application database the component created on first start. */
export async function createAppSchema(cluster: KubeCluster): Promise<void> {
    const { database, user } = appUser;
    const grants = await cluster.rootSql(0, `SHOW GRANTS FOR '${user}'@'%'`);
    if (!grants.includes(`\`${database}\``)) {
        throw new Error(`the component did not create ${user} with access to ${database}: ${grants}`);
    }
    await cluster.rootSql(0, `CREATE TABLE ${database}.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, payload VARCHAR(200) NOT NULL,
            created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB;`);
}

/** Inserts `count` rows through the primary Service in one client session; returns the row count after. */
export async function writeRows(cluster: KubeCluster, count: number, tag: string): Promise<number> {
    const values = Array.from({ length: count }, (_, i) => `('${tag}-${i}')`).join(",");
    const result = await cluster.clientSql("primary", `INSERT INTO t (payload) VALUES ${values}; SELECT COUNT(*) FROM t;`);
    if (result.code !== 0) {
        throw new Error(`writing through the primary Service failed: ${result.stderr}`);
    }
    return Number(result.stdout.trim());
}

/** Grows a filler table to about `megabytes` MB of random rows on the primary (replicated like any write). */
export async function loadFiller(cluster: KubeCluster, megabytes: number): Promise<number> {
    const table = `${appUser.database}.filler`;
    await cluster.rootSql(0, `CREATE TABLE ${table} (id BIGINT AUTO_INCREMENT PRIMARY KEY, pad VARBINARY(1024)) ENGINE=InnoDB;
        INSERT INTO ${table} (pad) VALUES (RANDOM_BYTES(1000)), (RANDOM_BYTES(1000));`);
    let rows = 2;
    while (rows < megabytes * 1000) {
        await cluster.rootSql(0, `INSERT INTO ${table} (pad) SELECT RANDOM_BYTES(1000) FROM ${table}`);
        rows *= 2;
    }
    return rows;
}

/** A writer that inserts rows through the primary Service until stopped; counts are read afterwards. */
export class BackgroundWriter {
    private readonly child: ChildProcess;
    private readonly stopFile: string;

    /** `pauseSeconds`: the pause after each acknowledged insert. */
    constructor(cluster: KubeCluster, tag: string, pauseSeconds = 0.01) {
        const outDir = path.join(cluster.workDir, `background-${tag}`);
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.mkdirSync(outDir);
        this.stopFile = path.join(outDir, "stop");
        const [client, ...args] = cluster.clientCommand("primary", ["--force"]);
        const quoted = [client, ...args].map((a) => `'${a}'`).join(" ");
        // one statement per row, each autocommitted and acknowledged before the next
        const loop = `i=0; while [ ! -e /out/stop ]; do
            echo "INSERT INTO t (payload) VALUES ('${tag}-$i');"; i=$((i+1)); sleep ${pauseSeconds}; done | ${quoted}`;
        this.child = startLogged(path.join(infraDir, "pod-exec.sh"), ["bash", "-c", loop],
            path.join(cluster.workDir, "logs", `writer-${tag}.log`), cluster.clientEnv([`${outDir}:/out:ro`]));
    }

    async stop(): Promise<void> {
        fs.writeFileSync(this.stopFile, "");
        await exitOrKill(this.child, 15000);
        fs.rmSync(this.stopFile, { force: true });
    }
}

/**
 * A writer that commits one row per client connection through the primary Service and records
 * the payload only after the server acknowledged the commit: the rows that must survive.
 */
export class AcknowledgedWriter {
    private readonly child: ChildProcess;
    private readonly outDir: string;
    private readonly stopFile: string;

    constructor(cluster: KubeCluster, readonly tag: string) {
        this.outDir = path.join(cluster.workDir, `writer-${tag}`);
        fs.rmSync(this.outDir, { recursive: true, force: true });
        fs.mkdirSync(this.outDir);
        const { uid, gid } = cluster.image(cluster.serverImage);
        fs.chownSync(this.outDir, uid, gid);
        this.stopFile = path.join(this.outDir, "stop");
        const [client, ...args] = cluster.clientCommand("primary", []);
        const quoted = [client, ...args].map((a) => `'${a}'`).join(" ");
        // each acknowledged payload with the time of its acknowledgment (ms), for write-unavailability windows
        const loop = `i=0; while [ ! -e /out/stop ]; do
            if ${quoted} -e "INSERT INTO t (payload) VALUES ('${tag}-$i')" 2>/dev/null; then echo "${tag}-$i $(date +%s%3N)" >> /out/acked; fi
            i=$((i+1)); done`;
        this.child = startLogged(path.join(infraDir, "pod-exec.sh"), ["bash", "-c", loop],
            path.join(cluster.workDir, "logs", `writer-${tag}.log`), cluster.clientEnv([`${this.outDir}:/out`]));
    }

    /** Stops the writer and returns the acknowledged payloads. */
    async stop(): Promise<string[]> {
        return (await this.stopTimed()).map((a) => a.payload);
    }

    /** Stops the writer and returns the acknowledged payloads with their acknowledgment times (ms). */
    async stopTimed(): Promise<Array<{ payload: string; at: number }>> {
        fs.writeFileSync(this.stopFile, "");
        await exitOrKill(this.child, 30000);
        return this.acknowledged();
    }

    /**
     * Waits until COUNT commits are acknowledged in all: a fault then lands amid a load whatever the
     * machine's speed (a fixed sleep let a loaded CI machine acknowledge too few to judge).
     */
    async waitAcknowledged(count: number, timeoutMs = 120000): Promise<void> {
        await waitFor(`${count} commits acknowledged by ${this.tag}`, timeoutMs, async () => this.acknowledged().length >= count, 100);
    }

    /** What has been acknowledged so far (the writer may still run). */
    acknowledged(): Array<{ payload: string; at: number }> {
        const file = path.join(this.outDir, "acked");
        return (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [])
            .map((line) => line.split(" ")).filter(([payload, at]) => payload && at)
            .map(([payload, at]) => ({ payload, at: Number(at) }));
    }
}
