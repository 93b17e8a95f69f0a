/**
 * One emulated pod with kubelet semantics: init containers in order (a failed one is retried
 * with back-off), then the containers, restarted when they exit; startup, readiness and
 * liveness probes run the registered exec commands inside the container's namespaces.
 */
import { ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ContainerTemplate, PodTemplate, ProbeTemplate, resolveEnv } from "./podTemplate";
import { exited, exitOrKill, killGroup, run, RunResult, sleep, startLogged } from "./process";

/** How an image is emulated: a root filesystem ("" = the host's) and the image's mysql user. */
export interface ImageRoot {
    readonly root: string;
    readonly uid: number;
    readonly gid: number;
}

export interface PodHost {
    readonly template: PodTemplate;
    readonly net: string;
    readonly workDir: string;
    readonly infraDir: string;
    image(image: string): ImageRoot;
    address(ordinal: number): string;
    hostsFile(podName: string): string;
    log(message: string): void;
    /** Optional (local-cluster node agent): a volume's host directory; undefined = the default under workDir. */
    volumeDir?(podName: string, volume: string): string | undefined;
    /** Optional (local-cluster node agent): the pod's label in net.sh when pod names repeat across namespaces. */
    netLabel?(podName: string): string;
}

/** One run of a container, as the kubelet reports it in containerStatuses[].state / lastState. */
export interface ContainerRun {
    readonly startedAt: Date;
    finishedAt?: Date;
    /** Exit code; 128 + signal number when a signal ended it. */
    exitCode?: number;
}

/** Kubelet timings, shortened where the suite would otherwise only wait (see EMULATION.md). */
const initBackoffMs = (attempt: number) => Math.min(1000 * 2 ** attempt, 8000);
const restartBackoffMs = 1000;
/** How often the probe loop looks at a container: probes themselves run at their registered periods. */
const probeTickMs = 100;

export class Pod {
    readonly name: string;
    /** Readiness per container: a container without a readiness probe is ready while running (after its startup probe). */
    readonly containerReady: Record<string, boolean> = {};
    /** The current (or last) run of each container and init container, and the run before it. */
    readonly runs: Record<string, ContainerRun> = {};
    readonly previousRuns: Record<string, ContainerRun> = {};
    /** Restarts per container, and init attempts per init container. */
    readonly restarts: Record<string, number> = {};
    readonly initAttempts: Record<string, number> = {};
    /** preStop hooks run at deletion, with their exit codes. */
    readonly preStopRuns: Array<{ container: string; code: number }> = [];
    /** The init container running now, so a scenario can cut it. */
    currentInit?: { name: string; child: ChildProcess };
    private readonly running = new Map<string, ChildProcess>();
    private readonly supervisors: Promise<void>[] = [];
    private stopping = false;
    private started = false;
    private readonly incarnation: string;

    /** `name` defaults to `<statefulSetName>-<ordinal>` (the local-cluster agent passes the API pod's name). */
    constructor(private readonly host: PodHost, readonly ordinal: number, name?: string) {
        this.name = name ?? `${host.template.statefulSetName}-${ordinal}`;
        this.incarnation = `${Date.now()}`;
    }

    /** Ready when every container is (kubelet's ContainersReady), and not being deleted. */
    get ready(): boolean {
        return !this.stopping && this.host.template.containers.every((c) =>
            this.containerReady[c.name] === true && this.runs[c.name]?.finishedAt === undefined);
    }

    /** Host directory behind a volume: PVC dirs outlive the pod, emptyDirs do not. */
    volumeDir(volume: string): string {
        const custom = this.host.volumeDir?.(this.name, volume);
        if (custom !== undefined) {
            return custom;
        }
        const kind = this.host.template.volumes[volume];
        switch (kind) {
            case "configMap": return path.join(this.host.workDir, "configmaps", this.host.template.configMapVolumes[volume].name);
            case "secret": return path.join(this.host.workDir, "secrets", this.host.template.secretVolumes[volume].secretName);
            case "claim": return path.join(this.host.workDir, "pvc", `${volume}-${this.name}`);
            case "emptyDir": return path.join(this.host.workDir, "pods", this.name, this.incarnation, volume);
            default: throw new Error(`unknown volume ${volume}`);
        }
    }

    /** The pod's network namespace (ip netns name). */
    get netns(): string {
        return `${this.host.net}-${this.netLabel}`;
    }

    private get netLabel() {
        return this.host.netLabel?.(this.name) ?? this.name;
    }

    /** Creates the pod's namespace and volumes, runs init containers, starts the containers. */
    async start(): Promise<void> {
        const { template } = this.host;
        await this.infra("net.sh", ["pod-add", this.host.net, this.netLabel, `${this.host.address(this.ordinal)}/16`]);
        const { uid, gid } = this.host.image(template.containers[0].image);
        for (const [volume, kind] of Object.entries(template.volumes)) {
            if (kind !== "configMap" && kind !== "secret") {
                const dir = this.volumeDir(volume);
                fs.mkdirSync(dir, { recursive: true });
                fs.chownSync(dir, uid, gid); // fsGroup: the volume belongs to the pod's group
            }
        }
        this.started = true;
        for (const c of template.initContainers) {
            await this.runInit(c);
            if (this.stopping) {
                return;
            }
        }
        for (const c of template.containers) {
            this.supervisors.push(this.supervise(c));
        }
        for (const c of template.containers) {
            this.supervisors.push(this.probeLoop(c));
        }
    }

    private async runInit(c: ContainerTemplate): Promise<void> {
        for (let attempt = 0; ; attempt++) {
            this.initAttempts[c.name] = attempt + 1;
            const child = this.spawnContainer(c, c.command, `${c.name}-${attempt}`);
            this.currentInit = { name: c.name, child };
            const code = await this.track(c.name, child);
            this.currentInit = undefined;
            if (code === 0 || this.stopping) {
                return;
            }
            if (attempt >= 30) {
                throw new Error(`${this.name}: init container ${c.name} failed ${attempt + 1} times`);
            }
            this.host.log(`${this.name}: init container ${c.name} exited ${code}; retrying`);
            await sleep(initBackoffMs(attempt));
        }
    }

    private async supervise(c: ContainerTemplate): Promise<void> {
        this.restarts[c.name] = 0;
        while (!this.stopping) {
            const child = this.spawnContainer(c, c.command, `${c.name}-${this.restarts[c.name]}`);
            this.running.set(c.name, child);
            const code = await this.track(c.name, child);
            if (this.stopping) {
                return;
            }
            // not ready from its exit on: the next instance must pass its own probes
            this.containerReady[c.name] = false;
            this.restarts[c.name]++;
            this.host.log(`${this.name}: container ${c.name} exited ${code}; restarting`);
            await sleep(restartBackoffMs);
        }
    }

    /** Records a container run (start, finish, exit code) while waiting for it to exit. */
    private async track(name: string, child: ChildProcess): Promise<number> {
        if (this.runs[name]) {
            this.previousRuns[name] = this.runs[name];
        }
        const run: ContainerRun = { startedAt: new Date() };
        this.runs[name] = run;
        const code = await exited(child);
        run.finishedAt = new Date();
        run.exitCode = child.exitCode ?? 128 + (os.constants.signals[child.signalCode as NodeJS.Signals] ?? 0);
        return code;
    }

    /**
     * The kubelet's probe timing (pkg/kubelet/prober): the startup probe every its period until it
     * passes; then the readiness probe at once (the pod sync that the startup result triggers runs
     * it for a started container that is not ready, prober_manager.go UpdatePodStatus) and every
     * its period from there; a readiness result that changes triggers a sync, and a container that
     * is then not ready is probed again at once. Liveness every its period after startup.
     */
    private async probeLoop(c: ContainerTemplate): Promise<void> {
        let restartsSeen = -1;
        let startedAt = 0;
        let startupPassed = false;
        let nextStartup = 0;
        let nextReadiness = Infinity;
        let readinessFailures = 0;
        let livenessFailures = 0;
        let lastLiveness = 0;
        while (!this.stopping) {
            await sleep(probeTickMs);
            if (this.restarts[c.name] !== restartsSeen) { // a new container instance: probes start over
                restartsSeen = this.restarts[c.name];
                startupPassed = false;
                startedAt = Date.now();
                nextStartup = startedAt;
                nextReadiness = Infinity;
                readinessFailures = 0;
                this.containerReady[c.name] = false;
            }
            if (this.runs[c.name]?.finishedAt !== undefined) { // exited, waiting for its restart
                this.containerReady[c.name] = false;
                continue;
            }
            if (!startupPassed) {
                if (c.startupProbe) {
                    if (Date.now() < nextStartup) {
                        continue;
                    }
                    nextStartup = Date.now() + c.startupProbe.periodSeconds * 1000;
                    startupPassed = await this.probe(c, c.startupProbe);
                    if (!startupPassed) {
                        if (Date.now() - startedAt > budgetMs(c.startupProbe)) {
                            this.host.log(`${this.name}: startup probe failed for too long; restarting ${c.name}`);
                            this.killContainer(c.name, "SIGKILL");
                        }
                        continue;
                    }
                } else {
                    startupPassed = true;
                }
                lastLiveness = Date.now();
                nextReadiness = Date.now(); // the sync after the startup result: readiness runs at once
            }
            if (!c.readinessProbe) {
                this.containerReady[c.name] = true;
            } else if (Date.now() >= nextReadiness) {
                nextReadiness = Date.now() + c.readinessProbe.periodSeconds * 1000;
                const ok = await this.probe(c, c.readinessProbe);
                if (this.restarts[c.name] !== restartsSeen || this.runs[c.name]?.finishedAt !== undefined) {
                    // the instance probed exited meanwhile: its result says nothing of the next one
                    continue;
                }
                readinessFailures = ok ? 0 : readinessFailures + 1;
                const wasReady = this.containerReady[c.name];
                if (ok) {
                    this.containerReady[c.name] = true;
                } else if (readinessFailures >= c.readinessProbe.failureThreshold) {
                    this.containerReady[c.name] = false;
                    if (wasReady) { // the change syncs the pod, which probes a not-ready container at once
                        nextReadiness = Date.now();
                    }
                }
            }
            if (c.livenessProbe && Date.now() - lastLiveness >= c.livenessProbe.periodSeconds * 1000) {
                lastLiveness = Date.now();
                livenessFailures = (await this.probe(c, c.livenessProbe)) ? 0 : livenessFailures + 1;
                if (livenessFailures >= c.livenessProbe.failureThreshold) {
                    this.host.log(`${this.name}: liveness probe failed; restarting ${c.name}`);
                    livenessFailures = 0;
                    this.killContainer(c.name, "SIGKILL");
                }
            }
        }
    }

    private async probe(c: ContainerTemplate, p: ProbeTemplate): Promise<boolean> {
        const result = await this.exec(c.name, p.command, { timeoutMs: Math.max(p.timeoutSeconds * 1000, 5000) });
        return result.code === 0;
    }

    async waitReady(timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!this.ready) {
            if (this.stopping) {
                throw new Error(`${this.name} was deleted while waiting for it to become ready`);
            }
            if (Date.now() > deadline) {
                throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${this.name} ready`);
            }
            await sleep(250);
        }
    }

    /** Sends a signal to a running container's process group; the supervisor restarts it. */
    killContainer(name: string, signal: NodeJS.Signals): void {
        const child = this.running.get(name);
        if (!child) {
            throw new Error(`${this.name}: no running container ${name}`);
        }
        killGroup(child, signal);
    }

    /**
     * Pod deletion: preStop hooks, TERM, the grace period, then KILL; the namespace goes, volumes stay.
     * `crash`: a node failure instead: every process killed at once, no hook, no grace.
     */
    async stop(graceMs = 60000, crash = false): Promise<void> {
        this.stopping = true;
        if (this.currentInit) {
            killGroup(this.currentInit.child, "SIGKILL");
        }
        if (crash) {
            this.running.forEach((child) => killGroup(child, "SIGKILL"));
        }
        for (const [name] of crash ? [] : this.running) {
            const hook = this.container(name).preStop;
            if (hook) {
                const result = await this.exec(name, hook, { timeoutMs: graceMs });
                this.preStopRuns.push({ container: name, code: result.code });
            }
        }
        const children = [...this.running.values()];
        children.forEach((child) => killGroup(child, "SIGTERM"));
        await Promise.all(children.map((child) => exitOrKill(child, graceMs)));
        await Promise.all(this.supervisors);
        if (this.started) {
            await this.infra("net.sh", ["pod-del", this.host.net, this.netLabel]);
        }
    }

    /** Runs a command in a container's namespaces, mounts and environment (kubectl exec). */
    exec(containerName: string, command: readonly string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
        const c = this.container(containerName);
        return run(path.join(this.host.infraDir, "pod-exec.sh"), command, {
            env: this.podExecEnv(c), timeoutMs: options.timeoutMs ?? 120000, input: options.input,
        });
    }

    /** A container's pod-exec.sh environment (no secret values: the env file's path); local-cluster/kexec.sh uses it. */
    execEnv(containerName: string): NodeJS.ProcessEnv {
        return this.podExecEnv(this.container(containerName));
    }

    container(name: string): ContainerTemplate {
        const { template } = this.host;
        const c = [...template.initContainers, ...template.containers].find((x) => x.name === name);
        if (!c) {
            throw new Error(`no container ${name}`);
        }
        return c;
    }

    logFile(label: string): string {
        return path.join(this.host.workDir, "logs", `${this.name}-${label}.log`);
    }

    private spawnContainer(c: ContainerTemplate, command: readonly string[], label: string): ChildProcess {
        return startLogged(path.join(this.host.infraDir, "pod-exec.sh"), command, this.logFile(label),
            this.podExecEnv(c));
    }

    /** The container's environment file, written once (root-only): values never enter an argv. */
    private envFile(c: ContainerTemplate): string {
        const file = path.join(this.host.workDir, "env", `${this.name}-${c.name}`);
        if (!fs.existsSync(file)) {
            const env = resolveEnv(this.host.template, c, this.name);
            fs.writeFileSync(`${file}.tmp`, Object.entries(env).map(([k, v]) => `${k}=${v}\0`).join(""), { mode: 0o600 });
            fs.renameSync(`${file}.tmp`, file);
        }
        return file;
    }

    private podExecEnv(c: ContainerTemplate): NodeJS.ProcessEnv {
        const image = this.host.image(c.image);
        const envFile = this.envFile(c);
        const mounts = c.mounts.map((m) => `${this.volumeDir(m.name)}:${m.mountPath}${m.readOnly ? ":ro" : ""}`);
        return {
            PATH: process.env.PATH,
            POD_NETNS: this.netns,
            POD_HOSTNAME: this.name,
            POD_ROOT: image.root,
            POD_MOUNTS: mounts.join("\n"),
            POD_HOSTS_FILE: this.host.hostsFile(this.name),
            POD_UID: String(image.uid),
            POD_GID: String(image.gid),
            POD_ENV_FILE: envFile,
            ...(c.readOnlyRootFilesystem ? { POD_READ_ONLY_ROOT: "1" } : {}),
        };
    }

    private async infra(script: string, args: string[]): Promise<void> {
        const result = await run(path.join(this.host.infraDir, script), args);
        if (result.code !== 0) {
            throw new Error(`${script} ${args.join(" ")}: ${result.stderr}`);
        }
    }
}

function budgetMs(p: ProbeTemplate): number {
    return p.periodSeconds * p.failureThreshold * 1000;
}
