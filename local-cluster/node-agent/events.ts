/** Pod events as a kubelet records them (core/v1 Events, source "kubelet"); repeats bump the count. */
import type { IPod } from "kubernetes-models/v1/Pod";
import { KubeClient } from "./kubeClient";

export class EventRecorder {
    private readonly seen = new Map<string, { name: string; count: number }>();

    constructor(private readonly client: KubeClient, private readonly nodeName: string, private readonly log: (m: string) => void) {}

    record(pod: IPod, type: "Normal" | "Warning", reason: string, message: string): void {
        void this.post(pod, type, reason, message).catch((error) => {
            if (!/being terminated/.test(String(error))) { // no events in a namespace being deleted
                this.log(`event ${reason} for ${pod.metadata?.name}: ${error}`);
            }
        });
    }

    forget(uid: string): void {
        for (const key of [...this.seen.keys()]) {
            if (key.startsWith(`${uid}/`)) {
                this.seen.delete(key);
            }
        }
    }

    private async post(pod: IPod, type: string, reason: string, message: string): Promise<void> {
        const namespace = pod.metadata?.namespace ?? "default";
        const key = `${pod.metadata?.uid}/${reason}/${message}`;
        const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
        const earlier = this.seen.get(key);
        if (earlier) {
            earlier.count++;
            await this.client.patch(`/api/v1/namespaces/${namespace}/events/${earlier.name}`, { count: earlier.count, lastTimestamp: now });
            return;
        }
        const name = `${pod.metadata?.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 4096).toString(16)}`;
        this.seen.set(key, { name, count: 1 });
        await this.client.create(`/api/v1/namespaces/${namespace}/events`, {
            apiVersion: "v1", kind: "Event",
            metadata: { name, namespace },
            involvedObject: { apiVersion: "v1", kind: "Pod", namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
            reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
            source: { component: "kubelet", host: this.nodeName },
            reportingComponent: "kubelet", reportingInstance: this.nodeName,
        });
    }
}
