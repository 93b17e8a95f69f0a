/**
 * The real pieces the Kubernetes suite drives: the pulumi CLI (with its Node language host and the
 * Kubernetes provider) and the local cluster's control plane, all from tools/build-real.sh; and
 * a scratch Pulumi home and file backend per run, so nothing is downloaded and nothing outside
 * the run's directory is touched.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, runOk, RunResult } from "../e2e/harness/process";

export const repoRoot = path.join(__dirname, "..", "..");
export const localClusterDir = process.env.LOCAL_CLUSTER_DIR ?? "/var/lib/mysql-cluster-local";
export const kubeconfig = path.join(localClusterDir, "admin.kubeconfig");

export interface Tools {
    readonly pulumiBin: string;
    readonly kubernetesBin: string;
    readonly workDir: string;
    /** Directories put first on pulumi's PATH (e.g. a Python venv's bin), and more environment. */
    readonly extraPath?: string;
    readonly extraEnv?: NodeJS.ProcessEnv;
}

let tools: Tools | undefined;

/** Builds or reuses the binaries (a cached build prints "cached" and takes seconds). */
export async function realTools(): Promise<Tools> {
    if (!tools) {
        const out = await runOk(path.join(repoRoot, "tools", "build-real.sh"), [], { timeoutMs: 5400000 });
        const dir = (key: string) => {
            const m = out.match(new RegExp(`^${key}=(.+)$`, "m"));
            if (!m) {
                throw new Error(`tools/build-real.sh printed no ${key}`);
            }
            return m[1];
        };
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "mysql-cluster-k8s-"));
        fs.mkdirSync(path.join(workDir, "state"));
        tools = { pulumiBin: dir("PULUMI_BIN_DIR"), kubernetesBin: dir("KUBERNETES_BIN_DIR"), workDir };
    }
    return tools;
}

let tarball: Promise<string> | undefined;

/** This repository as `npm pack` makes it (once per run): the path of the .tgz in the run's directory. */
export function packedTarball(t: Tools): Promise<string> {
    tarball ??= runOk("npm", ["pack", "--pack-destination", t.workDir], { cwd: repoRoot, timeoutMs: 600000 })
        .then((out) => path.join(t.workDir, out.trim().split("\n").pop()!));
    return tarball;
}

/** The packed package installed into `dir` as a user installs it (`npm install <tarball>`): node_modules/mysql-cluster. */
export async function installPackage(t: Tools, dir: string): Promise<string> {
    await runOk("npm", ["install", "--no-audit", "--no-fund", await packedTarball(t)], { cwd: dir, timeoutMs: 900000 });
    return path.join(dir, "node_modules", "mysql-cluster");
}

/** The environment of every pulumi command: offline, own home and backend, the local cluster. */
export function pulumiEnv(t: Tools): NodeJS.ProcessEnv {
    return {
        ...process.env,
        ...t.extraEnv,
        PATH: `${t.extraPath ? `${t.extraPath}:` : ""}${t.pulumiBin}:${t.kubernetesBin}:${process.env.PATH}`,
        PULUMI_HOME: path.join(t.workDir, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(t.workDir, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "k8s-suite-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "1",
        KUBECONFIG: kubeconfig,
    };
}

/** Runs the real pulumi CLI in `cwd`; the transcript goes to the run's log directory. */
export async function pulumi(t: Tools, cwd: string, args: readonly string[], timeoutMs = 1200000): Promise<RunResult> {
    const result = await run(path.join(t.pulumiBin, "pulumi"), ["--non-interactive", ...args], {
        cwd, env: pulumiEnv(t), timeoutMs,
    });
    const logDir = path.join(t.workDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    fs.appendFileSync(path.join(logDir, "pulumi.log"),
        `\n$ pulumi ${args.join(" ")}  (in ${cwd}; exit ${result.code})\n${result.stdout}\n${result.stderr}\n`);
    return result;
}

/** pulumi, failing with its output when it fails. */
export async function pulumiOk(t: Tools, cwd: string, args: readonly string[], timeoutMs?: number): Promise<string> {
    const result = await pulumi(t, cwd, args, timeoutMs);
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`);
    }
    return result.stdout;
}

export async function kubectl(t: Tools, args: readonly string[], input?: string): Promise<string> {
    return runOk(path.join(t.kubernetesBin, "kubectl"), [`--kubeconfig=${kubeconfig}`, ...args], { input, timeoutMs: 600000 });
}

/** The local cluster's stand-in for kubectl exec (the node agent serves no exec). */
export async function kexec(pod: string, container: string, command: readonly string[], input?: string): Promise<RunResult> {
    return run(path.join(repoRoot, "local-cluster", "kexec.sh"), [pod, "-c", container, "--", ...command], { input, timeoutMs: 120000 });
}

/** The steps of a `pulumi preview --json`: operation per resource type and name. */
export function previewSteps(json: string): Array<{ op: string; type: string; name: string }> {
    const parsed = JSON.parse(json);
    return (parsed.steps ?? []).map((s: any) => ({ op: s.op, type: s.urn.split("::")[2].split("$").pop(), name: s.urn.split("::")[3] }));
}
