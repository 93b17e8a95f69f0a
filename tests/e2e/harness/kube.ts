/**
 * The suite's Kubernetes: the real control plane (local-cluster/up.sh: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler built by tools/build/kubernetes.sh) and the
 * project's node agent, run inside the suite's own process (local-cluster/node-agent/agent.ts),
 * so that scenarios can reach the processes of the pods it runs. Every pod comes from the API:
 * the StatefulSet controller creates it, the scheduler binds it, the agent runs it.
 *
 * It uses its own state directory, ports and pod network, so it does not collide with a
 * local cluster started by local-cluster/up.sh or with test:k8s.
 */
import * as fs from "fs";
import * as path from "path";
import type { IPod } from "kubernetes-models/v1/Pod";
import { RunningNodeAgent, startNodeAgent } from "../../../local-cluster/node-agent/agent";
import { spawn } from "child_process";
import { run, RunResult, waitFor } from "./process";

const repoRoot = path.join(__dirname, "..", "..", "..");
export const e2eKubeDir = process.env.E2E_KUBE_DIR ?? "/var/lib/mysql-cluster-e2e-kube";
const settings: Record<string, string> = {
    LOCAL_CLUSTER_DIR: e2eKubeDir,
    LOCAL_CLUSTER_NODE: "e2e-node",
    LOCAL_CLUSTER_NET: "e2enode",
    LOCAL_CLUSTER_POD_PREFIX: "127.30",
    LOCAL_CLUSTER_API_PORT: "16443",
    LOCAL_CLUSTER_ETCD_PORT: "12379",
    LOCAL_CLUSTER_KCM_PORT: "20257",
    LOCAL_CLUSTER_SCHEDULER_PORT: "20259",
    LOCAL_CLUSTER_KUBELET_PORT: "20250",
    LOCAL_CLUSTER_AGENT: "none",
};

/** Runs up.sh, passing its progress (a cold build of the binaries takes half an hour) to `log` line by line. */
function upWithProgress(env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(repoRoot, "local-cluster", "up.sh"), [], { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let partial = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => {
            const lines = (partial + chunk).split("\n");
            partial = lines.pop() ?? "";
            lines.filter((l) => l.trim() !== "").forEach((l) => log(`  ${l}`));
        });
        child.on("error", reject);
        child.on("close", (code) => {
            if (partial.trim() !== "") {
                log(`  ${partial}`);
            }
            resolve({ code: code ?? 1, stdout });
        });
    });
}

export class TestKube {
    private readonly holders: Array<(pod: IPod) => boolean> = [];

    private constructor(readonly kubectlPath: string, readonly agent: RunningNodeAgent, readonly log: (m: string) => void) {}

    /** Starts (or reuses) the control plane, then the node agent in this process. */
    static async start(log: (m: string) => void): Promise<TestKube> {
        const env = { ...process.env, ...settings };
        // a leftover of an interrupted run: its pods must not come back
        await run(path.join(repoRoot, "local-cluster", "down.sh"), ["--purge"], { env, timeoutMs: 180000 });
        log(`starting the control plane (local-cluster/up.sh, state in ${e2eKubeDir}); builds the binaries when they are not cached`);
        const up = await upWithProgress(env, log);
        if (up.code !== 0) {
            throw new Error(`local-cluster/up.sh failed (exit ${up.code}); its output is above`);
        }
        const binDir = up.stdout.match(/^export PATH=(.*):\$PATH$/m)?.[1];
        if (!binDir || !fs.existsSync(path.join(binDir, "kubectl"))) {
            throw new Error(`local-cluster/up.sh printed no kubectl directory:\n${up.stdout}`);
        }
        let kube: TestKube | undefined;
        const agent = await startNodeAgent({
            kubeconfig: path.join(e2eKubeDir, "node-agent.kubeconfig"),
            nodeName: settings.LOCAL_CLUSTER_NODE,
            stateDir: e2eKubeDir,
            net: settings.LOCAL_CLUSTER_NET,
            podPrefix: settings.LOCAL_CLUSTER_POD_PREFIX,
            hostIP: "127.0.0.1",
            kubeletPort: Number(settings.LOCAL_CLUSTER_KUBELET_PORT),
            endpointsPlaceholders: true,
            hold: (pod) => kube?.holders.some((h) => h(pod)) ?? false,
            log: (m) => {
                if (!/: held$/.test(m)) {
                    fs.appendFileSync(path.join(e2eKubeDir, "logs", "node-agent.log"), `${new Date().toISOString()} ${m}\n`);
                }
            },
        });
        kube = new TestKube(path.join(binDir, "kubectl"), agent, log);
        await waitFor("node e2e-node Ready", 120000, async () =>
            (await kube!.kubectl(["get", "node", "e2e-node", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"])).stdout === "True", 250);
        log(`control plane up; node agent in this process (log ${e2eKubeDir}/logs/node-agent.log)`);
        return kube;
    }

    /** Adds a rule that keeps pods from starting while it returns true (see RuntimeOptions.hold). */
    addHold(holder: (pod: IPod) => boolean): void {
        this.holders.push(holder);
    }

    kubectl(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
        return run(this.kubectlPath, ["--kubeconfig", path.join(e2eKubeDir, "admin.kubeconfig"), ...args],
            { input: options.input, timeoutMs: options.timeoutMs ?? 120000 });
    }

    async kubectlOk(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
        const result = await this.kubectl(args, options);
        if (result.code !== 0) {
            throw new Error(`kubectl ${args.join(" ")}: ${result.stderr.trim()}`);
        }
        return result.stdout;
    }

    /** Every log file the agent wrote for pods of `namespace` (all incarnations), oldest first. */
    podLogFiles(namespace: string, podName?: string): string[] {
        const podsDir = path.join(e2eKubeDir, "node", "pods");
        if (!fs.existsSync(podsDir)) {
            return [];
        }
        const files: string[] = [];
        for (const dir of fs.readdirSync(podsDir)) {
            const [ns, name] = dir.split("_");
            if (ns !== namespace || (podName !== undefined && name !== podName)) {
                continue;
            }
            const logs = path.join(podsDir, dir, "logs");
            if (fs.existsSync(logs)) {
                files.push(...fs.readdirSync(logs).map((f) => path.join(logs, f)));
            }
        }
        return files.sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
    }

    /** Stops the agent and the control plane; `purge` also deletes the state (logs, volumes). */
    async stop(purge: boolean): Promise<void> {
        this.agent.stop();
        const env = { ...process.env, ...settings };
        await run(path.join(repoRoot, "local-cluster", "down.sh"), purge ? ["--purge"] : [], { env, timeoutMs: 180000 });
    }
}
