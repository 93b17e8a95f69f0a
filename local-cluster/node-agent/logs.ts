/**
 * Container logs on disk. The harness appends each container run's output to
 * <podDir>/logs/<hostname>-<container>-<n>.log, n = restart count (attempt for init
 * containers); the newest file is the current run, the one before it `--previous`.
 */
import * as fs from "fs";
import * as path from "path";

/** Log files of one container, oldest first. */
export function containerLogFiles(podDir: string, hostname: string, container: string): string[] {
    const prefix = `${hostname}-${container}-`;
    const dir = path.join(podDir, "logs");
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && /^\d+\.log$/.test(f.slice(prefix.length)))
        .sort((a, b) => parseInt(a.slice(prefix.length), 10) - parseInt(b.slice(prefix.length), 10))
        .map((f) => path.join(dir, f));
}

/** The newest directory of pod <namespace>/<name> under <stateDir>/pods (or the one of `uid`). */
export function podDirOf(stateDir: string, namespace: string, name: string, uid?: string): string | undefined {
    const root = path.join(stateDir, "pods");
    if (uid && fs.existsSync(path.join(root, `${namespace}_${name}_${uid}`))) {
        return path.join(root, `${namespace}_${name}_${uid}`);
    }
    const candidates = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => d.startsWith(`${namespace}_${name}_`)) : [];
    return candidates.map((d) => path.join(root, d)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** The last `tailLines` lines (all when undefined), then at most `limitBytes` bytes. */
export function tail(text: Buffer, tailLines?: number, limitBytes?: number): Buffer {
    let out = text;
    if (tailLines !== undefined) {
        let end = out.length;
        if (end > 0 && out[end - 1] === 0x0a) {
            end--;
        }
        let start = end;
        for (let n = 0; n < tailLines && start > 0; n++) {
            start = out.lastIndexOf(0x0a, start - 1);
            if (start < 0) {
                start = 0;
                break;
            }
        }
        out = tailLines === 0 ? Buffer.alloc(0) : out.subarray(start === 0 ? 0 : start + 1);
    }
    return limitBytes !== undefined && out.length > limitBytes ? out.subarray(0, limitBytes) : out;
}
