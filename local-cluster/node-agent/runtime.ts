/**
 * The runtime under the controller (virtual-kubelet's PodLifecycleHandler): how an API Pod
 * becomes a network namespace and processes. The emulation itself is the e2e harness's
 * Pod class (tests/e2e/harness/pod.ts) over net.sh and pod-exec.sh; this file only turns
 * the API object into its inputs (images, env, volumes, probes) and reports what it does.
 */
import * as fs from "fs";
import * as path from "path";
import type { IPod } from "kubernetes-models/v1/Pod";
import { ImageRoot, Pod, PodHost } from "../../tests/e2e/harness/pod";
import { PodTemplate } from "../../tests/e2e/harness/podTemplate";
import { run, sleep } from "../../tests/e2e/harness/process";
import { ConfigError, ObjectData, resolveContainerEnv } from "./env";
import { ImageError, imageRoot } from "./images";
import { PodView, Stage } from "./podStatus";
import { containerIds, containerTemplate, podHostname, volumeKinds } from "./podSpec";
import { VolumeNotReady, Volumes } from "./volumes";

export interface PodLifecycleHandler {
    /** Starts running the pod (asynchronously: volumes, init containers, containers). */
    createPod(pod: IPod): void;
    /** A newer version of a running pod's object (labels, annotations for the downward API). */
    updatePod(pod: IPod): void;
    /** Stops the pod: preStop hooks, SIGTERM, the grace period, SIGKILL; the namespace goes. */
    deletePod(uid: string, graceSeconds: number): Promise<void>;
    /** What the pod is doing, for its status; undefined when this runtime does not know it. */
    podView(uid: string): PodView | undefined;
    podUids(): string[];
}

export interface RuntimeOptions {
    readonly net: string;
    readonly stateDir: string;
    readonly infraDir: string;
    readonly hostIP: string;
    /** First two octets of pod IPs, e.g. "127.20": pods get <prefix>.<a>.<b> on a /16. */
    readonly podPrefix: string;
    readonly mysqlIds: { uid: number; gid: number };
    readonly data: ObjectData;
    readonly volumes: Volumes;
    readonly log: (message: string) => void;
    readonly event: (pod: IPod, type: "Normal" | "Warning", reason: string, message: string) => void;
    /**
     * While true for a pod, it is not started (Pending, its containers waiting): the e2e suite's
     * stand-in for a node that has not got to it yet, so a scenario decides when a pod the
     * StatefulSet controller recreated starts. Undefined: every pod starts at once.
     */
    readonly hold?: (pod: IPod) => boolean;
}

interface RuntimePod {
    api: IPod;
    readonly uid: string;
    readonly dir: string;
    readonly ip: string;
    readonly netLabel: string;
    readonly startTime: Date;
    stage: Stage;
    problem?: { reason: string; message: string };
    harness?: Pod;
    volumeDirs: Record<string, string>;
    stopping: boolean;
    done?: Promise<void>;
    stopped?: Promise<void>;
}

const retryMs = 2000;

export class LocalRuntime implements PodLifecycleHandler {
    private readonly pods = new Map<string, RuntimePod>();
    private readonly usedIps = new Set<string>();

    constructor(private readonly options: RuntimeOptions) {}

    /** Per-pod directory, kubelet-like: <stateDir>/pods/<namespace>_<name>_<uid>. */
    podDir(pod: IPod): string {
        return path.join(this.options.stateDir, "pods", `${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`);
    }

    hostsFile(uid: string): string | undefined {
        const p = this.pods.get(uid);
        return p && path.join(p.dir, "hosts");
    }

    running(): Array<{ uid: string; pod: IPod; ip: string }> {
        return [...this.pods.values()].filter((p) => !p.stopping).map((p) => ({ uid: p.uid, pod: p.api, ip: p.ip }));
    }

    harnessPod(uid: string): Pod | undefined {
        return this.pods.get(uid)?.harness;
    }

    podUids(): string[] {
        return [...this.pods.keys()];
    }

    createPod(pod: IPod): void {
        const uid = pod.metadata!.uid!;
        if (this.pods.has(uid)) {
            return;
        }
        const dir = this.podDir(pod);
        for (const sub of ["logs", "volumes", "pods"]) {
            fs.mkdirSync(path.join(dir, sub), { recursive: true });
        }
        fs.mkdirSync(path.join(dir, "env"), { recursive: true, mode: 0o700 });
        const p: RuntimePod = {
            api: pod, uid, dir, ip: this.allocateIp(pod.status?.podIP), netLabel: this.netLabel(pod), startTime: new Date(),
            stage: "Preparing", volumeDirs: {}, stopping: false,
        };
        fs.writeFileSync(path.join(dir, "hosts"), `127.0.0.1 localhost\n${p.ip} ${pod.metadata?.name}\n`);
        this.pods.set(uid, p);
        p.done = this.runPod(p).catch((error) => {
            p.stage = "Failed";
            p.problem = { reason: "StartError", message: String(error?.message ?? error) };
            this.options.log(`${this.name(p)}: ${p.problem.message}`);
        });
    }

    updatePod(pod: IPod): void {
        const p = this.pods.get(pod.metadata!.uid!);
        if (p) {
            p.api = pod;
        }
    }

    deletePod(uid: string, graceSeconds: number): Promise<void> {
        const p = this.pods.get(uid);
        if (!p) {
            return Promise.resolve();
        }
        // one stop at a time; a failed one (e.g. a process that survives SIGKILL) may be retried
        p.stopped ??= this.stop(p, graceSeconds).catch((error) => {
            p.stopped = undefined;
            throw error;
        });
        return p.stopped;
    }

    private async stop(p: RuntimePod, graceSeconds: number): Promise<void> {
        const uid = p.uid;
        p.stopping = true;
        if (p.harness) {
            this.options.event(p.api, "Normal", "Killing", `Stopping pod (grace period ${graceSeconds} s)`);
            await p.harness.stop(Math.max(graceSeconds, 1) * 1000);
        }
        await p.done;
        await run(path.join(this.options.infraDir, "net.sh"), ["pod-del", this.options.net, p.netLabel]);
        p.stage = "Terminated";
        this.usedIps.delete(p.ip);
        this.options.volumes.forget(uid);
        // secrets and emptyDirs go with the pod; logs and the hosts file stay for inspection
        fs.rmSync(path.join(p.dir, "exec.json"), { force: true });
        for (const sub of ["env", "volumes", "pods"]) {
            fs.rmSync(path.join(p.dir, sub), { recursive: true, force: true });
        }
    }

    /** Forgets a stopped pod (after the controller has finalised its deletion). */
    forget(uid: string): void {
        if (this.pods.get(uid)?.stage === "Terminated") {
            this.pods.delete(uid);
        }
    }

    /** Rewrites configMap/secret/projected volumes of every running pod (their sources changed, or tokens are due). */
    async refreshVolumes(): Promise<void> {
        for (const p of this.pods.values()) {
            if (!p.stopping && p.harness) {
                await this.options.volumes.refresh(p.api, p.dir, this.fsGroup(p.api), p.ip, this.options.hostIP, this.options.log);
            }
        }
    }

    podView(uid: string): PodView | undefined {
        const p = this.pods.get(uid);
        if (!p) {
            return undefined;
        }
        const h = p.harness;
        const spec = p.api.spec!;
        let stage = p.stage;
        if (stage === "Initializing" && h && spec.containers.every((c) => h.runs[c.name])) {
            stage = "Running";
        }
        const view = (c: { name: string; image?: string }, init: boolean) => ({
            name: c.name, image: c.image ?? "", run: h?.runs[c.name], previous: h?.previousRuns[c.name],
            restartCount: init ? Math.max((h?.initAttempts[c.name] ?? 1) - 1, 0) : h?.restarts[c.name] ?? 0,
            ready: !init && !p.stopping && h !== undefined && h.containerReady[c.name] === true
                && h.runs[c.name]?.finishedAt === undefined,
        });
        return {
            stage, problem: p.problem, podIP: p.ip, hostIP: this.options.hostIP, startTime: p.startTime,
            initContainers: (spec.initContainers ?? []).map((c) => view(c, true)),
            containers: spec.containers.map((c) => view(c, false)),
        };
    }

    private name(p: RuntimePod): string {
        return `${p.api.metadata?.namespace}/${p.api.metadata?.name}`;
    }

    /** A free pod IP; the one the pod already has (an agent restart) when it is free and ours. */
    private allocateIp(current: string | undefined): string {
        if (current?.startsWith(`${this.options.podPrefix}.`) && !this.usedIps.has(current)) {
            this.usedIps.add(current);
            return current;
        }
        for (let n = 2; n < 256 * 254; n++) {
            const ip = `${this.options.podPrefix}.${Math.floor(n / 254)}.${(n % 254) + 1}`;
            if (!this.usedIps.has(ip) && !ip.endsWith(".1") && !ip.endsWith(".255")) {
                this.usedIps.add(ip);
                return ip;
            }
        }
        throw new Error("no free pod IP");
    }

    /** net.sh's name for the pod's namespace: <namespace>-<name>, or a uid-based one if that is taken or not a DNS label. */
    private netLabel(pod: IPod): string {
        const readable = `${pod.metadata?.namespace}-${pod.metadata?.name}`.replace(/\./g, "-");
        const taken = [...this.pods.values()].some((p) => p.netLabel === readable);
        return !taken && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(readable) && readable.length <= 200
            ? readable : `p${pod.metadata!.uid!.replace(/-/g, "").slice(0, 12)}`;
    }

    private fsGroup(pod: IPod): number {
        const fsGroup = pod.spec?.securityContext?.fsGroup;
        return fsGroup === undefined || fsGroup === 0 ? 0 : this.options.mysqlIds.gid;
    }

    /** Waits until images, volumes and env can be resolved (the pod is Blocked meanwhile), then starts it. */
    private async runPod(p: RuntimePod): Promise<void> {
        const pod = p.api;
        const spec = pod.spec!;
        const all = [...(spec.initContainers ?? []), ...spec.containers];
        let template: PodTemplate | undefined;
        let lastProblem = "";
        while (!p.stopping && this.options.hold?.(p.api)) {
            if (p.stage !== "Blocked") {
                p.stage = "Blocked";
                p.problem = { reason: "ContainerCreating", message: "held: the node has not started this pod yet" };
                this.options.log(`${this.name(p)}: held`);
            }
            await sleep(200);
        }
        while (!template && !p.stopping) {
            try {
                all.forEach((c) => imageRoot(c.image ?? ""));
                p.volumeDirs = await this.options.volumes.setUp(pod, p.dir, this.fsGroup(pod), p.ip, this.options.hostIP);
                const build = (c: (typeof all)[number]) =>
                    containerTemplate(c, resolveContainerEnv(pod, c, this.options.data, p.ip, this.options.hostIP), p.ip);
                template = {
                    statefulSetName: pod.metadata!.name!, serviceName: spec.subdomain ?? "", namespace: pod.metadata!.namespace!,
                    replicas: 1, initContainers: (spec.initContainers ?? []).map(build), containers: spec.containers.map(build),
                    volumes: volumeKinds(pod), secretVolumes: {}, configMapVolumes: {}, configMaps: {}, configMapData: {}, secretData: {},
                    runAsUser: containerIds(pod, undefined, this.options.mysqlIds).uid,
                };
            } catch (error) {
                const problem = error instanceof ImageError ? { reason: error.reason, message: error.message }
                    : error instanceof VolumeNotReady ? { reason: "ContainerCreating", message: error.message }
                    : error instanceof ConfigError ? { reason: "CreateContainerConfigError", message: error.message }
                    : undefined;
                if (!problem) {
                    throw error;
                }
                p.stage = "Blocked";
                p.problem = problem;
                if (problem.message !== lastProblem) {
                    lastProblem = problem.message;
                    this.options.event(pod, "Warning", error instanceof VolumeNotReady ? "FailedMount" : "Failed", problem.message);
                }
                await sleep(retryMs);
            }
        }
        if (!template || p.stopping) {
            return;
        }
        p.problem = undefined;
        p.stage = "Initializing";
        p.harness = new Pod(this.host(p, template), 0, podHostname(pod));
        this.writeExecInfo(p, p.harness, template);
        this.options.event(pod, "Normal", "Started", `Starting pod in network namespace ${this.options.net}-${p.netLabel} (${p.ip})`);
        await p.harness.start();
    }

    /** <podDir>/exec.json: each container's pod-exec.sh environment, for local-cluster/kexec.sh (kubectl exec stand-in). */
    private writeExecInfo(p: RuntimePod, harness: Pod, template: PodTemplate): void {
        const info: Record<string, NodeJS.ProcessEnv> = {};
        for (const c of [...template.containers, ...template.initContainers]) {
            const { PATH: _, ...env } = harness.execEnv(c.name);
            info[c.name] = env;
        }
        fs.writeFileSync(path.join(p.dir, "exec.json"), JSON.stringify(info, null, 1), { mode: 0o600 });
    }

    /** The harness's view of its surroundings, for this one pod. */
    private host(p: RuntimePod, template: PodTemplate): PodHost {
        const { options } = this;
        const byImage = new Map<string, ImageRoot>();
        for (const c of [...(p.api.spec!.containers ?? []), ...(p.api.spec!.initContainers ?? [])].reverse()) {
            byImage.set(c.image ?? "", { root: imageRoot(c.image ?? ""), ...containerIds(p.api, c, options.mysqlIds) });
        }
        return {
            template, net: options.net, workDir: p.dir, infraDir: options.infraDir,
            image: (image) => byImage.get(image) ?? { root: imageRoot(image), ...containerIds(p.api, undefined, options.mysqlIds) },
            address: () => p.ip,
            hostsFile: () => path.join(p.dir, "hosts"),
            log: (message) => {
                options.log(`${this.name(p)}: ${message}`);
                const reason = /probe failed/.test(message) ? "Unhealthy" : /exited/.test(message) ? "BackOff" : "Info";
                options.event(p.api, reason === "Info" ? "Normal" : "Warning", reason, message);
            },
            volumeDir: (_pod, volume) => {
                const [base, ...sub] = volume.split("/");
                const dir = p.volumeDirs[base];
                return dir === undefined ? undefined : sub.length > 0 ? path.join(dir, ...sub) : dir;
            },
            netLabel: () => p.netLabel,
        };
    }
}
