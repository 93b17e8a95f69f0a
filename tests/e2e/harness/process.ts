/** Child processes for the harness: run to completion, or keep running in the background. */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command to completion and captures its output; never throws on a non-zero exit. */
export function run(command: string, args: readonly string[], options: {
    env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string;
} = {}): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"], cwd: options.cwd });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = options.timeoutMs
            ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
            : undefined;
        child.on("close", (code, signal) => {
            if (timer) {
                clearTimeout(timer);
            }
            resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
        });
        child.stdin.on("error", () => undefined); // a command that exits before reading its input
        child.stdin.end(options.input ?? "");
    });
}

/** Runs a command and throws with its output when it fails. */
export async function runOk(command: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
    const result = await run(command, args, options);
    if (result.code !== 0) {
        throw new Error(`${command} ${args.join(" ")} exited ${result.code}: ${result.stderr || result.stdout}`);
    }
    return result.stdout;
}

/** Starts a long-running process in its own process group, output appended to a log file. */
export function startLogged(command: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
    const out = fs.openSync(logFile, "a");
    const child = spawn(command, args, { env: env ?? process.env, stdio: ["ignore", out, out], detached: true });
    fs.closeSync(out);
    return child;
}

/** Resolves with the exit code when the process ends (immediately if it already has). */
export function exited(child: ChildProcess): Promise<number> {
    if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve(child.exitCode ?? 128);
    }
    return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 128)));
}

/** Signals a whole process group, ignoring one that is already gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) {
        return;
    }
    try {
        process.kill(-child.pid, signal);
    } catch {
        // already exited
    }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, intervalMs = 500): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined && value !== false) {
                return value as T;
            }
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last}` : ""}`);
        }
        await sleep(intervalMs);
    }
}

/** Waits up to `graceMs` for the process to exit by itself, then kills its group; resolves when it is gone. */
export async function exitOrKill(child: ChildProcess, graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
    const timedOut = await Promise.race([exited(child).then(() => false), graceOver]);
    clearTimeout(timer);
    if (timedOut) {
        killGroup(child, "SIGKILL");
        await exited(child);
    }
}
