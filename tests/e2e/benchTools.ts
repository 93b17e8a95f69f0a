/** Helpers the benchmarks share (bench-clone.ts, bench-lag.ts, bench-memory.ts): sysbench, pod paths, SQL on stdin, the run's life. */
import * as fs from "fs";
import * as path from "path";
import { KubeCluster } from "./harness/cluster";
import { Pod } from "./harness/pod";
import { run, runOk } from "./harness/process";

/** Installs Debian's sysbench when it is missing. */
export async function ensureSysbench(log: (m: string) => void): Promise<void> {
    if ((await run("dpkg-query", ["-W", "-f=${Status}", "sysbench"])).stdout !== "install ok installed") {
        log("installing sysbench");
        await runOk("apt-get", ["update"]);
        await runOk("apt-get", ["install", "-y", "--no-install-recommends", "sysbench"],
            { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    }
}

/** Host path of a container path, through the pod's volume mounts. */
export function hostPath(pod: Pod, containerName: string, containerPath: string): string {
    const mounts = [...pod.container(containerName).mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
    const m = mounts.find((x) => containerPath === x.mountPath || containerPath.startsWith(`${x.mountPath}/`));
    if (!m) {
        throw new Error(`${containerPath} is on no volume of ${pod.name}/${containerName}`);
    }
    return path.join(pod.volumeDir(m.name), path.relative(m.mountPath, containerPath));
}

/** SQL on stdin as root over pod N's socket (KubeCluster.rootSql puts the SQL in argv). */
export async function rootSqlStdin(cluster: KubeCluster, ordinal: number, sql: string): Promise<void> {
    const pod = cluster.pod(ordinal);
    const env = cluster.serverEnv;
    const result = await pod.exec("mysql", [env.MYSQL_CLIENT, `--defaults-file=${env.RUN_DIR}/admin.cnf`, "--batch"], { input: sql });
    if (result.code !== 0) {
        throw new Error(`${pod.name}: ${result.stderr}`);
    }
}

/**
 * A short path to a pod's server socket for host clients (sysbench, mysqldump): a pod's volumes lie
 * deeper than the 107 bytes a socket path may have, and connect() follows a symlink.
 */
export function shortSocket(socket: string, name: string): string {
    const link = path.join("/tmp", `mysql-cluster-${name}.sock`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(socket, link);
    return link;
}

/**
 * Runs a benchmark's MAIN; on an interrupt (exit 130) or a failure (exit 1, the error printed),
 * CLEANUP first tears down what it left (its clusters, the control plane, keeping their files).
 */
export function runBench(name: string, main: () => Promise<void>, cleanup: () => Promise<void>): void {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.on(signal, async () => {
            await cleanup();
            process.exit(130);
        });
    }
    main().catch(async (error) => {
        console.error(`${name} failed: ${error instanceof Error ? error.stack : error}`);
        await cleanup();
        process.exit(1);
    });
}
