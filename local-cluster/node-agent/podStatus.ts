/**
 * Pod status as the kubelet reports it, computed from a snapshot of what the runtime does.
 * The pod-level part of each lifecycle stage is data (kwok's "stages"); the rest follows
 * from the containers' runs. Pure: no I/O, no clock other than `now`.
 */
import type { ContainerRun } from "../../tests/e2e/harness/pod";

export type Stage = "Preparing" | "Blocked" | "Initializing" | "Running" | "Failed" | "Terminated";

export interface ContainerView {
    readonly name: string;
    readonly image: string;
    readonly run?: ContainerRun;
    readonly previous?: ContainerRun;
    readonly restartCount: number;
    readonly ready: boolean;
}

export interface PodView {
    readonly stage: Stage;
    /** Why the pod is Blocked or Failed (e.g. ErrImagePull), or what Preparing waits for. */
    readonly problem?: { readonly reason: string; readonly message: string };
    readonly podIP?: string;
    readonly hostIP: string;
    readonly startTime: Date;
    readonly initContainers: readonly ContainerView[];
    readonly containers: readonly ContainerView[];
}

interface StageRule {
    /** undefined: Succeeded when every container exited 0, else Failed (kubelet >= 1.27 on deletion). */
    readonly phase?: "Pending" | "Running" | "Failed";
    /** The network namespace exists (PodReadyToStartContainers). */
    readonly sandbox: boolean;
    /** Waiting reason of a container that has not run yet. */
    readonly waiting: string;
}

export const stages: Readonly<Record<Stage, StageRule>> = {
    Preparing: { phase: "Pending", sandbox: false, waiting: "ContainerCreating" },
    Blocked: { phase: "Pending", sandbox: false, waiting: "ContainerCreating" },
    Initializing: { phase: "Pending", sandbox: true, waiting: "PodInitializing" },
    Running: { phase: "Running", sandbox: true, waiting: "ContainerCreating" },
    Failed: { phase: "Failed", sandbox: false, waiting: "ContainerCreating" },
    Terminated: { sandbox: false, waiting: "ContainerCreating" },
};

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function terminated(run: ContainerRun) {
    return {
        exitCode: run.exitCode ?? 0, reason: run.exitCode === 0 ? "Completed" : "Error",
        startedAt: iso(run.startedAt), finishedAt: iso(run.finishedAt ?? run.startedAt),
    };
}

function containerStatus(view: PodView, c: ContainerView, init: boolean) {
    const rule = stages[view.stage];
    let state: Record<string, unknown>;
    if (!c.run) {
        const blocked = view.stage === "Blocked" && view.problem;
        state = { waiting: blocked ? { ...view.problem } : { reason: init ? "PodInitializing" : rule.waiting } };
    } else if (c.run.finishedAt === undefined) {
        state = { running: { startedAt: iso(c.run.startedAt) } };
    } else if (view.stage === "Terminated" || view.stage === "Failed" || (init && c.run.exitCode === 0)) {
        state = { terminated: terminated(c.run) };
    } else {
        state = { waiting: { reason: "CrashLoopBackOff", message: `back-off restarting failed container ${c.name}` } };
    }
    const last = c.run?.finishedAt === undefined ? c.previous : c.run;
    const showLast = last && !("terminated" in state);
    const running = "running" in state;
    return {
        name: c.name, image: c.image, imageID: `local-cluster://${c.image}`,
        ...(c.run ? { containerID: `local-cluster://${c.name}-${c.restartCount}` } : {}),
        ready: c.ready, started: running, restartCount: c.restartCount,
        state, lastState: showLast ? { terminated: terminated(last) } : {},
    };
}

interface Condition {
    readonly type: string;
    readonly status: "True" | "False";
    readonly reason?: string;
    readonly message?: string;
}

function conditions(view: PodView): Condition[] {
    const rule = stages[view.stage];
    const alive = view.stage !== "Terminated" && view.stage !== "Failed";
    const incomplete = view.initContainers.filter((c) => c.run?.exitCode !== 0).map((c) => c.name);
    const unready = view.containers.filter((c) => !c.ready || !alive).map((c) => c.name);
    const when = (ok: boolean, type: string, reason: string, message: string): Condition =>
        ok ? { type, status: "True" } : { type, status: "False", reason, message };
    const ready = unready.length === 0;
    return [
        when(rule.sandbox, "PodReadyToStartContainers", "", ""),
        when(incomplete.length === 0, "Initialized", "ContainersNotInitialized", `containers with incomplete status: [${incomplete.join(" ")}]`),
        when(ready, "ContainersReady", "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
        when(ready, "Ready", "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`),
    ].map((c) => (c.reason === "" ? { type: c.type, status: c.status } : c));
}

function phase(view: PodView): string {
    const rule = stages[view.stage];
    if (rule.phase) {
        return rule.phase;
    }
    return view.containers.every((c) => c.run?.exitCode === 0) ? "Succeeded" : "Failed";
}

/**
 * The status to write (a strategic-merge patch body's `status`). Transition times are kept
 * from `previous` while a condition's status does not change.
 */
export function podStatus(view: PodView, previous: { conditions?: Array<Record<string, any>> } | undefined, now: Date) {
    const before = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
    return {
        phase: phase(view),
        ...(view.stage === "Failed" && view.problem ? { reason: view.problem.reason, message: view.problem.message } : {}),
        hostIP: view.hostIP,
        hostIPs: [{ ip: view.hostIP }],
        ...(view.podIP && stages[view.stage].sandbox ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
        startTime: iso(view.startTime),
        conditions: conditions(view).map((c) => {
            const old = before.get(c.type);
            const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : iso(now);
            return { ...c, lastProbeTime: null, lastTransitionTime };
        }),
        initContainerStatuses: view.initContainers.map((c) => containerStatus(view, c, true)),
        containerStatuses: view.containers.map((c) => containerStatus(view, c, false)),
    };
}
