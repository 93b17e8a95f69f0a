/**
 * The physical limits a clone is measured against: a raw network copy of a datadir between two
 * pod network namespaces (tar through socat with 64 KiB buffers, nothing else), and `cp -a` on the
 * same filesystem. Sources are evicted from the page cache first (cold), where the OS allows.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import { run, runOk } from "./harness/process";

/** A monotonic instant, and the seconds since one. */
export const now = () => process.hrtime.bigint();
export const secondsSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Drops DIR's files from the page cache (posix_fadvise DONTNEED; drop_caches would hit the whole machine). */
export async function evictFromPageCache(dir: string): Promise<void> {
    await runOk("bash", ["-c", 'find "$1" -type f -exec dd if={} iflag=nocache count=0 status=none \\;', "-", dir]);
}

/** Bytes of the files under DIR that are resident in the page cache (fincore). */
export async function cachedBytes(dir: string): Promise<number> {
    const out = await runOk("bash", ["-c", 'find "$1" -type f -size +0 -print0 | xargs -0 -r fincore -b -n -r -o RES', "-", dir]);
    return out.split("\n").filter(Boolean).reduce((sum, line) => sum + Number(line.trim()), 0);
}

export async function duBytes(dir: string): Promise<number> {
    return Number((await runOk("du", ["-sb", dir])).split("\t")[0]);
}

/** The IPv4 address of eth0 in a network namespace. */
export async function netnsAddress(netns: string): Promise<string> {
    const out = await runOk("ip", ["-n", netns, "-4", "-o", "addr", "show", "dev", "eth0"]);
    const m = out.match(/inet (\d+\.\d+\.\d+\.\d+)\//);
    if (!m) {
        throw new Error(`no IPv4 address on eth0 in ${netns}: ${out}`);
    }
    return m[1];
}

function exitOf(command: string, args: readonly string[]): { done: Promise<{ code: number; stderr: string }> } {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    return { done: new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? 128, stderr }))) };
}

export interface NetworkCopy {
    /** Network namespace that reads SOURCE and sends it. */
    readonly fromNetns: string;
    /** Network namespace that listens, receives and writes TARGET. */
    readonly toNetns: string;
    readonly source: string;
    readonly target: string;
    readonly port: number;
}

/**
 * Seconds to copy SOURCE into TARGET (created empty, removed afterwards) as a tar stream over TCP
 * from one pod namespace to another: what any clone must at least spend moving the bytes.
 */
export async function rawNetworkCopy(c: NetworkCopy): Promise<number> {
    fs.rmSync(c.target, { recursive: true, force: true });
    fs.mkdirSync(c.target, { recursive: true });
    const address = await netnsAddress(c.toNetns);
    const receiver = exitOf("ip", ["netns", "exec", c.toNetns, "bash", "-c",
        'set -o pipefail; socat -b 65536 -u "TCP-LISTEN:$1,reuseaddr" STDOUT | tar -x -b 128 -C "$2"', "-", String(c.port), c.target]);
    // socat retries the connect until the listener is up
    const start = now();
    const sender = exitOf("ip", ["netns", "exec", c.fromNetns, "bash", "-c",
        'set -o pipefail; tar -c -b 128 -C "$1" . | socat -b 65536 -u STDIN "TCP:$2:$3,retry=200,interval=0.02"',
        "-", c.source, address, String(c.port)]);
    const [sent, received] = await Promise.all([sender.done, receiver.done]);
    const seconds = secondsSince(start);
    fs.rmSync(c.target, { recursive: true, force: true });
    await run("sync", []);
    if (sent.code !== 0 || received.code !== 0) {
        throw new Error(`raw network copy failed: sender exited ${sent.code} (${sent.stderr.trim()}), ` +
            `receiver ${received.code} (${received.stderr.trim()})`);
    }
    return seconds;
}

/** Seconds for `cp -a SOURCE TARGET` (the sync afterwards not counted; TARGET removed). */
export async function localCopy(source: string, target: string): Promise<number> {
    fs.rmSync(target, { recursive: true, force: true });
    const start = now();
    await runOk("cp", ["-a", source, target]);
    const seconds = secondsSince(start);
    fs.rmSync(target, { recursive: true, force: true });
    await run("sync", []);
    return seconds;
}
