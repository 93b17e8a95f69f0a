/**
 * List-then-watch cache of one kind of object (client-go's informer, reduced): keeps every
 * object by namespace/name, tells listeners about adds, updates and deletes, and relists
 * when the watch's resourceVersion has expired (410 Gone).
 */
import { ApiError, KubeClient, Query, WatchEvent } from "./kubeClient";

export interface KubeObject {
    metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; [key: string]: any };
}

export type InformerEvent = "add" | "update" | "delete";
export type Listener<T> = (event: InformerEvent, object: T, old?: T) => void;

export const objectKey = (o: KubeObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

export class Informer<T extends KubeObject> {
    private readonly items = new Map<string, T>();
    private readonly listeners: Listener<T>[] = [];
    private readonly abort = new AbortController();
    private synced = false;

    /** `path` is a collection (e.g. /api/v1/pods); `query` e.g. a fieldSelector. */
    constructor(private readonly client: KubeClient, private readonly path: string, private readonly query: Query,
        private readonly log: (message: string) => void) {}

    on(listener: Listener<T>): void {
        this.listeners.push(listener);
    }

    get(namespace: string, name: string): T | undefined {
        return this.items.get(`${namespace}/${name}`);
    }

    list(): T[] {
        return [...this.items.values()];
    }

    get hasSynced(): boolean {
        return this.synced;
    }

    /** Resolves after the first list; watching goes on in the background until stop(). */
    async start(): Promise<void> {
        const resourceVersion = await this.relist();
        this.synced = true;
        void this.watchLoop(resourceVersion);
    }

    stop(): void {
        this.abort.abort();
    }

    private emit(event: InformerEvent, object: T, old?: T): void {
        for (const listener of this.listeners) {
            try {
                listener(event, object, old);
            } catch (error) {
                this.log(`informer ${this.path}: listener failed: ${error}`);
            }
        }
    }

    /** Lists everything, replaces the cache (with events for what changed), returns the list's resourceVersion. */
    private async relist(): Promise<string> {
        const list = await this.client.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.path, this.query);
        const seen = new Set<string>();
        for (const item of list.items) {
            const key = objectKey(item);
            seen.add(key);
            const old = this.items.get(key);
            this.items.set(key, item);
            if (!old) {
                this.emit("add", item);
            } else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
                this.emit("update", item, old);
            }
        }
        for (const [key, old] of [...this.items]) {
            if (!seen.has(key)) {
                this.items.delete(key);
                this.emit("delete", old);
            }
        }
        return list.metadata.resourceVersion;
    }

    private handle(event: WatchEvent<T>): string | undefined {
        const object = event.object;
        if (event.type === "ERROR") {
            const status = object as any;
            throw new ApiError(status.code ?? 500, status.reason ?? "", `watch ${this.path}: ${status.message}`);
        }
        if (event.type !== "BOOKMARK") {
            const key = objectKey(object);
            const old = this.items.get(key);
            if (event.type === "DELETED") {
                this.items.delete(key);
                this.emit("delete", object);
            } else {
                this.items.set(key, object);
                this.emit(old ? "update" : "add", object, old);
            }
        }
        return object.metadata?.resourceVersion;
    }

    private async watchLoop(resourceVersion: string): Promise<void> {
        let failures = 0;
        while (!this.abort.signal.aborted) {
            try {
                await this.client.watch<T>(this.path, { ...this.query, resourceVersion, timeoutSeconds: 300 }, (event) => {
                    resourceVersion = this.handle(event) ?? resourceVersion;
                }, this.abort.signal);
                failures = 0;
            } catch (error) {
                if (this.abort.signal.aborted) {
                    return;
                }
                failures++;
                const gone = error instanceof ApiError && error.status === 410;
                if (!gone) {
                    this.log(`informer ${this.path}: watch failed (${error}); retrying`);
                    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** failures, 10000)));
                }
                try {
                    resourceVersion = await this.relist();
                } catch (relistError) {
                    this.log(`informer ${this.path}: relist failed: ${relistError}`);
                }
            }
        }
    }
}
