/**
 * The pod's volumes that the agent provides (the harness makes emptyDirs itself):
 * configMap, secret, downwardAPI and projected (with service-account tokens from the
 * TokenRequest API) written with the kubelet's atomic writer and rewritten when their
 * sources change; persistentVolumeClaim as the bound PersistentVolume's local directory;
 * hostPath as is.
 */
import * as fs from "fs";
import * as path from "path";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IVolume } from "kubernetes-models/v1/Volume";
import { writeAtomicDir, ProjectedFile } from "./atomicDir";
import { fieldValue, ObjectData } from "./env";
import { KubeClient } from "./kubeClient";

/** A volume cannot be set up yet (kubelet event FailedMount); the pod waits and retries. */
export class VolumeNotReady extends Error {}

export interface ClaimLookup {
    /** The bound PersistentVolume's directory, or undefined while the claim is not bound. */
    claimDir(namespace: string, claimName: string): string | undefined;
}

interface KeyToPath { key: string; path: string; mode?: number }
interface Token { token: string; renewAt: number }

export class Volumes {
    private readonly tokens = new Map<string, Token>();

    constructor(private readonly client: KubeClient, private readonly data: ObjectData, private readonly claims: ClaimLookup) {}

    /** Where the agent keeps the volume's files for this pod. */
    static dir(podDir: string, volume: string): string {
        return path.join(podDir, "volumes", volume);
    }

    /** Host directory of every agent-provided volume; writes projected files. Throws VolumeNotReady. */
    async setUp(pod: IPod, podDir: string, gid: number, podIP: string, hostIP: string): Promise<Record<string, string>> {
        const dirs: Record<string, string> = {};
        for (const volume of pod.spec?.volumes ?? []) {
            if (volume.emptyDir) {
                continue;
            }
            dirs[volume.name] = await this.setUpOne(pod, volume, podDir, gid, podIP, hostIP);
        }
        return dirs;
    }

    /** Rewrites the projected volumes (a ConfigMap or Secret changed, a token is due); errors are reported, not thrown. */
    async refresh(pod: IPod, podDir: string, gid: number, podIP: string, hostIP: string, log: (m: string) => void): Promise<void> {
        for (const volume of pod.spec?.volumes ?? []) {
            if (volume.configMap || volume.secret || volume.projected || volume.downwardAPI) {
                await this.setUpOne(pod, volume, podDir, gid, podIP, hostIP)
                    .catch((error) => log(`${pod.metadata?.namespace}/${pod.metadata?.name}: volume ${volume.name}: ${error.message}`));
            }
        }
    }

    forget(podUid: string): void {
        for (const key of [...this.tokens.keys()]) {
            if (key.startsWith(`${podUid}/`)) {
                this.tokens.delete(key);
            }
        }
    }

    private async setUpOne(pod: IPod, volume: IVolume, podDir: string, gid: number, podIP: string, hostIP: string): Promise<string> {
        const namespace = pod.metadata?.namespace ?? "default";
        if (volume.persistentVolumeClaim) {
            const dir = this.claims.claimDir(namespace, volume.persistentVolumeClaim.claimName);
            if (!dir) {
                throw new VolumeNotReady(`persistentvolumeclaim "${volume.persistentVolumeClaim.claimName}" is not bound`);
            }
            return dir;
        }
        if (volume.hostPath) {
            const type = volume.hostPath.type ?? "";
            if (type === "DirectoryOrCreate") {
                fs.mkdirSync(volume.hostPath.path, { recursive: true, mode: 0o755 });
            } else if (type !== "" && !fs.existsSync(volume.hostPath.path)) {
                throw new VolumeNotReady(`hostPath ${volume.hostPath.path} does not exist`);
            }
            return volume.hostPath.path;
        }
        const files = await this.projectedFiles(pod, volume, podIP, hostIP);
        const dir = Volumes.dir(podDir, volume.name);
        writeAtomicDir(dir, files, gid);
        return dir;
    }

    private keyed(kind: "secret" | "configMap", namespace: string, name: string, items: KeyToPath[] | undefined,
        optional: boolean | undefined, mode: number): Record<string, ProjectedFile> {
        const found = this.data[kind](namespace, name);
        if (!found) {
            if (optional) {
                return {};
            }
            throw new VolumeNotReady(`${kind} "${name}" not found`);
        }
        const files: Record<string, ProjectedFile> = {};
        for (const item of items ?? Object.keys(found).map((key) => ({ key, path: key } as KeyToPath))) {
            if (found[item.key] === undefined) {
                if (optional) {
                    continue;
                }
                throw new VolumeNotReady(`${kind} "${name}" has no key ${item.key}`);
            }
            files[item.path] = { content: found[item.key], mode: item.mode ?? mode };
        }
        return files;
    }

    private async projectedFiles(pod: IPod, volume: IVolume, podIP: string, hostIP: string): Promise<Record<string, ProjectedFile>> {
        const namespace = pod.metadata?.namespace ?? "default";
        const downward = (items: Array<{ path: string; fieldRef?: { fieldPath: string }; mode?: number }>, mode: number) =>
            Object.fromEntries(items.map((item) => {
                if (!item.fieldRef) {
                    throw new VolumeNotReady(`downwardAPI item ${item.path}: only fieldRef is supported`);
                }
                return [item.path, { content: Buffer.from(fieldValue(pod, item.fieldRef.fieldPath, podIP, hostIP)), mode: item.mode ?? mode }];
            }));
        if (volume.configMap) {
            const c = volume.configMap;
            return this.keyed("configMap", namespace, c.name ?? "", c.items, c.optional, c.defaultMode ?? 0o644);
        }
        if (volume.secret) {
            const s = volume.secret;
            return this.keyed("secret", namespace, s.secretName ?? "", s.items, s.optional, s.defaultMode ?? 0o644);
        }
        if (volume.downwardAPI) {
            return downward(volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? 0o644);
        }
        if (volume.projected) {
            const mode = volume.projected.defaultMode ?? 0o644;
            let files: Record<string, ProjectedFile> = {};
            for (const source of volume.projected.sources ?? []) {
                if (source.configMap) {
                    const c = source.configMap;
                    files = { ...files, ...this.keyed("configMap", namespace, c.name ?? "", c.items, c.optional, mode) };
                } else if (source.secret) {
                    const s = source.secret;
                    files = { ...files, ...this.keyed("secret", namespace, s.name ?? "", s.items, s.optional, mode) };
                } else if (source.downwardAPI) {
                    files = { ...files, ...downward(source.downwardAPI.items ?? [], mode) };
                } else if (source.serviceAccountToken) {
                    const t = source.serviceAccountToken;
                    const token = await this.token(pod, `${volume.name}/${t.path}`, t.audience, t.expirationSeconds ?? 3600);
                    files[t.path] = { content: Buffer.from(token), mode };
                } else {
                    throw new VolumeNotReady(`projected volume ${volume.name}: unsupported source ${Object.keys(source).join(",")}`);
                }
            }
            return files;
        }
        throw new VolumeNotReady(`volume ${volume.name}: unsupported type ${Object.keys(volume).filter((k) => k !== "name").join(",")}`);
    }

    /** A bound service-account token, renewed (like the kubelet) after 80 % of its life or 24 h. */
    private async token(pod: IPod, id: string, audience: string | undefined, expirationSeconds: number): Promise<string> {
        const key = `${pod.metadata?.uid}/${id}`;
        const cached = this.tokens.get(key);
        if (cached && Date.now() < cached.renewAt) {
            return cached.token;
        }
        const sa = pod.spec?.serviceAccountName ?? "default";
        const answer = await this.client.create(`/api/v1/namespaces/${pod.metadata?.namespace}/serviceaccounts/${sa}/token`, {
            apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest",
            spec: {
                audiences: audience ? [audience] : [], expirationSeconds,
                boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata?.name, uid: pod.metadata?.uid },
            },
        });
        const expires = Date.parse(answer.status.expirationTimestamp);
        const life = expires - Date.now();
        this.tokens.set(key, { token: answer.status.token, renewAt: Date.now() + Math.min(life * 0.8, 24 * 3600 * 1000) });
        return answer.status.token;
    }
}
