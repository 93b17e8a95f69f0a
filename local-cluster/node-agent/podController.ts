/**
 * The controller between the API server and the runtime (virtual-kubelet's PodController):
 * watches the pods bound to this node, creates / updates / deletes them in the runtime,
 * writes their status back once a second when it changed, and finalises deletions (the
 * pod object is removed with grace 0 once its processes are gone), one pod at a time.
 */
import type { IPod } from "kubernetes-models/v1/Pod";
import { podStatus } from "./podStatus";
import { Informer } from "./informer";
import { ApiError, KubeClient } from "./kubeClient";
import { LocalRuntime } from "./runtime";

const terminal = (pod: IPod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const podPath = (pod: IPod) => `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`;
/** Status without transition times, to tell whether anything really changed. */
const comparable = (status: ReturnType<typeof podStatus>) =>
    JSON.stringify({ ...status, conditions: status.conditions.map(({ lastTransitionTime: _, ...c }) => c) });

export class PodController {
    private readonly chains = new Map<string, Promise<void>>();
    private readonly written = new Map<string, string>();
    private readonly finalising = new Set<string>();
    private timer?: NodeJS.Timeout;
    private resync?: NodeJS.Timeout;
    private syncing = false;

    constructor(private readonly client: KubeClient, private readonly runtime: LocalRuntime,
        private readonly pods: Informer<IPod>, private readonly log: (m: string) => void) {}

    start(): void {
        this.pods.on((_event, pod) => this.enqueue(pod));
        this.pods.list().forEach((pod) => this.enqueue(pod));
        this.timer = setInterval(() => void this.syncStatuses(), 1000);
        // resync, as informers do: retries work that failed (a deletion that could not finish)
        this.resync = setInterval(() => this.pods.list().forEach((pod) => this.enqueue(pod)), 30000);
    }

    stop(): void {
        clearInterval(this.timer);
        clearInterval(this.resync);
    }

    /** Work on one pod is serialised (by uid); different pods proceed in parallel. */
    private enqueue(pod: IPod): void {
        const uid = pod.metadata!.uid!;
        const previous = this.chains.get(uid) ?? Promise.resolve();
        const next = previous.then(() => this.reconcile(pod)).catch((error) =>
            this.log(`${pod.metadata?.namespace}/${pod.metadata?.name}: ${error?.message ?? error}`));
        this.chains.set(uid, next);
        void next.then(() => {
            if (this.chains.get(uid) === next) {
                this.chains.delete(uid);
            }
        });
    }

    private async reconcile(seen: IPod): Promise<void> {
        const uid = seen.metadata!.uid!;
        const current = this.pods.get(seen.metadata!.namespace!, seen.metadata!.name!);
        const live = current?.metadata?.uid === uid ? current : undefined;
        const known = this.runtime.podView(uid) !== undefined;
        if (!live) { // gone from the API without us (force deletion): stop it quickly
            if (known) {
                this.log(`${seen.metadata?.namespace}/${seen.metadata?.name}: deleted from the API; stopping it`);
                await this.runtime.deletePod(uid, 2);
                this.runtime.forget(uid);
            }
            this.written.delete(uid);
            return;
        }
        if (live.metadata?.deletionTimestamp) {
            await this.finalise(live, known);
        } else if (!known && !terminal(live)) {
            this.log(`${live.metadata?.namespace}/${live.metadata?.name}: starting`);
            this.runtime.createPod(live);
        } else if (known) {
            this.runtime.updatePod(live);
        }
    }

    /** Graceful deletion: stop with the pod's grace period, write the final status, remove the object. */
    private async finalise(pod: IPod, known: boolean): Promise<void> {
        const uid = pod.metadata!.uid!;
        if (this.finalising.has(uid)) {
            return;
        }
        this.finalising.add(uid);
        try {
            const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
            if (known) {
                this.log(`${pod.metadata?.namespace}/${pod.metadata?.name}: deleting (grace ${grace} s)`);
                await this.runtime.deletePod(uid, grace);
                await this.syncStatus(uid);
            }
            try {
                await this.client.delete(podPath(pod), {
                    apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid },
                });
                this.log(`${pod.metadata?.namespace}/${pod.metadata?.name}: deleted`);
            } catch (error) {
                if (!(error instanceof ApiError && (error.status === 404 || error.status === 409))) {
                    throw error;
                }
            }
            this.runtime.forget(uid);
            this.written.delete(uid);
        } finally {
            this.finalising.delete(uid);
        }
    }

    private async syncStatuses(): Promise<void> {
        if (this.syncing) {
            return;
        }
        this.syncing = true;
        await Promise.all(this.runtime.podUids().map((uid) => this.syncStatus(uid).catch((error) => {
            if (!(error instanceof ApiError && error.status === 404)) {
                this.log(`status of pod ${uid}: ${error?.message ?? error}`);
            }
        }))).finally(() => (this.syncing = false));
    }

    private async syncStatus(uid: string): Promise<void> {
        const view = this.runtime.podView(uid);
        const pod = this.pods.list().find((p) => p.metadata?.uid === uid);
        if (!view || !pod) {
            return;
        }
        const status = podStatus(view, pod.status, new Date());
        const key = comparable(status);
        if (this.written.get(uid) === key) {
            return;
        }
        await this.client.patch(`${podPath(pod)}/status`, { status }, "strategic");
        this.written.set(uid, key);
    }
}
