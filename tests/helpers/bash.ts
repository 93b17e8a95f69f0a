/** Runs real script code from components/scripts in bash, with a controlled environment. */
import { spawnSync } from "child_process";
import * as path from "path";
import { scriptsDir } from "../../components/scripts";

export const fixturesDir = path.join(__dirname, "..", "fixtures");

export interface BashResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** The sourced libraries of the pod scripts: pure functions, no side effects when sourced. */
const libraries = ["lib.sh", "replication.sh", "gtid.sh", "members.sh", "accounts.sh"];

/** Sources the libraries, then runs `snippet` under `set -euo pipefail`. */
export function runScriptFunctions(snippet: string, env: Record<string, string> = {}): BashResult {
    const program = [
        "set -euo pipefail",
        ...libraries.map((file) => `source ${JSON.stringify(path.join(scriptsDir, file))}`),
        snippet,
    ].join("\n");
    const result = spawnSync("bash", ["-c", program], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
        encoding: "utf8",
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** True when `command` is on PATH. */
export function haveCommand(command: string): boolean {
    return spawnSync("bash", ["-c", `command -v ${command}`]).status === 0;
}
