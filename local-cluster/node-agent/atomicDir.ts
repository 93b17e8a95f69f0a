/**
 * The kubelet's atomic writer for configMap/secret/projected volumes: files live in a
 * timestamped directory, `..data` points at the current one, and each top-level name is a
 * symlink through `..data`. An update swaps `..data` with one rename, so a reader inside
 * the pod never sees half a set of files; the volume's directory is bind-mounted once and
 * shows every update.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface ProjectedFile {
    readonly content: Buffer;
    readonly mode: number;
}

/** Writes `files` (relative paths) into `dir`; does nothing when they are unchanged. */
export function writeAtomicDir(dir: string, files: Readonly<Record<string, ProjectedFile>>, gid: number): boolean {
    const digest = crypto.createHash("sha256");
    for (const name of Object.keys(files).sort()) {
        digest.update(`${name}\0${files[name].mode}\0${gid}\0`).update(files[name].content);
    }
    const version = digest.digest("hex").slice(0, 16);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const current = readLink(path.join(dir, "..data"));
    if (current === `..${version}`) {
        return false;
    }
    const versionDir = path.join(dir, `..${version}`);
    fs.rmSync(versionDir, { recursive: true, force: true });
    for (const [name, file] of Object.entries(files)) {
        if (name.split("/").some((part) => part === ".." || part === "" || part.startsWith(".."))) {
            throw new Error(`bad projected path ${name}`);
        }
        const target = path.join(versionDir, name);
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
        fs.writeFileSync(target, file.content, { mode: file.mode });
        fs.chmodSync(target, file.mode);
        fs.chownSync(target, 0, gid);
    }
    fs.mkdirSync(versionDir, { recursive: true, mode: 0o755 });
    const tmpLink = path.join(dir, "..data_tmp");
    fs.rmSync(tmpLink, { force: true });
    fs.symlinkSync(`..${version}`, tmpLink);
    fs.renameSync(tmpLink, path.join(dir, "..data"));
    const topLevel = new Set(Object.keys(files).map((name) => name.split("/")[0]));
    for (const entry of fs.readdirSync(dir)) {
        if (entry.startsWith("..")) {
            if (entry !== "..data" && entry !== `..${version}`) {
                fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
            }
        } else if (!topLevel.has(entry)) {
            fs.rmSync(path.join(dir, entry), { force: true });
        }
    }
    for (const name of topLevel) {
        if (readLink(path.join(dir, name)) === undefined) {
            fs.symlinkSync(`..data/${name}`, path.join(dir, name));
        }
    }
    return true;
}

function readLink(file: string): string | undefined {
    try {
        return fs.readlinkSync(file);
    } catch {
        return undefined;
    }
}
