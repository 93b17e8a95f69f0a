/** Runs real script code from components/scripts in bash, with a controlled environment. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { scriptsDir } from "../../components/scripts";

export const fixturesDir = path.join(__dirname, "..", "fixtures");

/**
 * The awks the pod scripts meet: mawk, the only awk of the MariaDB images (Ubuntu) and Debian's
 * default, the stricter one (no {n} intervals; numbers above 2^31-1 printed as 5e+09); gawk, the
 * awk of the MySQL images (Oracle Linux).
 */
export const awks = ["mawk", "gawk"] as const;
export type Awk = (typeof awks)[number];

/** True when `command` is on PATH. */
export function haveCommand(command: string): boolean {
    return spawnSync("bash", ["-c", `command -v ${command}`]).status === 0;
}

const awkDirs = new Map<Awk, string>();
/** PATH on which `awk` is `awk` (a directory holding only that link comes first), or undefined when it is not installed. */
export function pathWithAwk(awk: Awk): string | undefined {
    const found = spawnSync("bash", ["-c", `command -v ${awk}`], { encoding: "utf8" }).stdout.trim();
    if (!found) return undefined;
    let dir = awkDirs.get(awk);
    if (!dir) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `script-tests-${awk}-`));
        fs.symlinkSync(found, path.join(dir, "awk"));
        awkDirs.set(awk, dir);
    }
    return `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`;
}

/** PATH of the script tests: `awk` is mawk (when installed; a test fails otherwise). */
export const scriptPath = pathWithAwk("mawk") ?? process.env.PATH ?? "/usr/bin:/bin";

export interface BashResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** The sourced libraries of the pod scripts: pure functions, no side effects when sourced. */
const libraries = ["lib.sh", "replication.sh", "gtid.sh", "members.sh", "accounts.sh"];

/** Sources the libraries, then runs `snippet` under `set -euo pipefail`, with mawk as `awk` unless `awk` names another. */
export function runScriptFunctions(snippet: string, env: Record<string, string> = {}, awk?: Awk): BashResult {
    const program = [
        "set -euo pipefail",
        ...libraries.map((file) => `source ${JSON.stringify(path.join(scriptsDir, file))}`),
        snippet,
    ].join("\n");
    const result = spawnSync("bash", ["-c", program], {
        env: { PATH: (awk && pathWithAwk(awk)) || scriptPath, ...env },
        encoding: "utf8",
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
