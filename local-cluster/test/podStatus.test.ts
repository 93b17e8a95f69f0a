import * as assert from "assert";
import { ContainerView, podStatus, PodView, Stage } from "../node-agent/podStatus";

const t0 = new Date("2026-01-01T00:00:00Z");
const t1 = new Date("2026-01-01T00:00:05Z");
const container = (over: Partial<ContainerView> = {}): ContainerView => ({ name: "app", image: "mariadb:10.11", restartCount: 0, ready: false, ...over });
const view = (stage: Stage, over: Partial<PodView> = {}): PodView => ({
    stage, podIP: "127.20.0.3", hostIP: "127.0.0.1", startTime: t0,
    initContainers: [container({ name: "init" })], containers: [container()], ...over,
});
const condition = (status: ReturnType<typeof podStatus>, type: string) => status.conditions.find((c) => c.type === type)!;

describe("podStatus", () => {
    const cases: Array<[string, PodView, string, Record<string, string>]> = [
        ["volumes not ready", view("Blocked", { problem: { reason: "ContainerCreating", message: "pvc not bound" } }), "Pending",
            { PodReadyToStartContainers: "False", Initialized: "False", Ready: "False" }],
        ["init container running", view("Initializing", { initContainers: [container({ name: "init", run: { startedAt: t0 } })] }), "Pending",
            { PodReadyToStartContainers: "True", Initialized: "False", Ready: "False" }],
        ["running and ready", view("Running", {
            initContainers: [container({ name: "init", run: { startedAt: t0, finishedAt: t0, exitCode: 0 } })],
            containers: [container({ run: { startedAt: t0 }, ready: true })],
        }), "Running", { Initialized: "True", ContainersReady: "True", Ready: "True" }],
        ["stopped after deletion, exit 0", view("Terminated", {
            initContainers: [container({ name: "init", run: { startedAt: t0, finishedAt: t0, exitCode: 0 } })],
            containers: [container({ run: { startedAt: t0, finishedAt: t1, exitCode: 0 } })],
        }), "Succeeded", { Ready: "False", PodReadyToStartContainers: "False" }],
        ["stopped after deletion, SIGKILL", view("Terminated", {
            containers: [container({ run: { startedAt: t0, finishedAt: t1, exitCode: 137 } })],
        }), "Failed", { Ready: "False" }],
    ];
    for (const [what, input, phase, conditions] of cases) {
        it(`${what}: phase ${phase}`, () => {
            const status = podStatus(input, undefined, t1);
            assert.equal(status.phase, phase);
            for (const [type, value] of Object.entries(conditions)) {
                assert.equal(condition(status, type).status, value, type);
            }
        });
    }

    it("a blocked container waits with the problem's reason", () => {
        const status = podStatus(view("Blocked", { problem: { reason: "ErrImagePull", message: "image x is not emulated" } }), undefined, t1);
        assert.deepEqual(status.containerStatuses[0].state, { waiting: { reason: "ErrImagePull", message: "image x is not emulated" } });
    });

    it("a restarted container runs with its last exit in lastState", () => {
        const status = podStatus(view("Running", {
            containers: [container({ run: { startedAt: t1 }, previous: { startedAt: t0, finishedAt: t0, exitCode: 1 }, restartCount: 1 })],
        }), undefined, t1);
        const c = status.containerStatuses[0];
        assert.deepEqual(c.state, { running: { startedAt: "2026-01-01T00:00:05Z" } });
        assert.equal((c.lastState as any).terminated.exitCode, 1);
        assert.equal(c.restartCount, 1);
    });

    it("a crashed container waiting for its restart is CrashLoopBackOff", () => {
        const status = podStatus(view("Running", { containers: [container({ run: { startedAt: t0, finishedAt: t1, exitCode: 2 } })] }), undefined, t1);
        assert.equal((status.containerStatuses[0].state as any).waiting.reason, "CrashLoopBackOff");
    });

    it("keeps a condition's transition time while its status holds", () => {
        const previous = { conditions: [{ type: "Ready", status: "False", lastTransitionTime: "2025-12-31T00:00:00Z" }] };
        assert.equal(condition(podStatus(view("Preparing"), previous, t1), "Ready").lastTransitionTime, "2025-12-31T00:00:00Z");
        const ready = view("Running", { initContainers: [], containers: [container({ run: { startedAt: t0 }, ready: true })] });
        assert.equal(condition(podStatus(ready, previous, t1), "Ready").lastTransitionTime, "2026-01-01T00:00:05Z");
    });

    it("reports podIP only once the pod's namespace exists", () => {
        assert.equal("podIP" in podStatus(view("Preparing"), undefined, t1), false);
        assert.equal(podStatus(view("Initializing"), undefined, t1).podIP, "127.20.0.3");
    });
});
