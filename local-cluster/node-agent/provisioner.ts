/**
 * A local-directory volume provisioner beside the agent (what an external provisioner and
 * resizer do for a CSI driver): a PVC of a StorageClass with our provisioner name gets a
 * PersistentVolume (`local` volume on this node, pre-bound through claimRef; the PV
 * controller completes the binding) backed by <storageDir>/<pv-name>; a Released PV with
 * reclaim policy Delete loses its directory and object; a larger request on a bound PVC
 * (the class must allow expansion) updates the PV's capacity, then the PVC's status.
 */
import * as fs from "fs";
import * as path from "path";
import type { IPersistentVolume } from "kubernetes-models/v1/PersistentVolume";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { Informer } from "./informer";
import { ApiError, KubeClient } from "./kubeClient";
import { parseQuantity } from "./quantity";
import { ClaimLookup } from "./volumes";

export const provisionerName = "local-cluster.mysql-cluster.dev/local-dir";
const provisionedBy = "pv.kubernetes.io/provisioned-by";
const selectedNode = "volume.kubernetes.io/selected-node";

export interface ProvisionerInformers {
    readonly claims: Informer<IPersistentVolumeClaim>;
    readonly volumes: Informer<IPersistentVolume>;
    readonly classes: Informer<IStorageClass>;
}

export class LocalDirProvisioner implements ClaimLookup {
    private readonly busy = new Set<string>();

    constructor(private readonly client: KubeClient, private readonly informers: ProvisionerInformers,
        private readonly storageDir: string, private readonly nodeName: string, private readonly log: (m: string) => void) {}

    start(): void {
        const kick = () => void this.reconcileAll();
        this.informers.claims.on(kick);
        this.informers.volumes.on(kick);
        this.informers.classes.on(kick);
        setInterval(kick, 15000);
        kick();
    }

    /** The bound PV's directory for a claim, or undefined while it is not bound. */
    claimDir(namespace: string, claimName: string): string | undefined {
        const claim = this.informers.claims.get(namespace, claimName);
        if (claim?.status?.phase !== "Bound" || !claim.spec?.volumeName) {
            return undefined;
        }
        const pv = this.informers.volumes.get("", claim.spec.volumeName);
        return pv?.spec?.local?.path ?? pv?.spec?.hostPath?.path;
    }

    private ours(className: string | undefined): IStorageClass | undefined {
        const sc = className ? this.informers.classes.get("", className) : undefined;
        return sc?.provisioner === provisionerName ? sc : undefined;
    }

    private async reconcileAll(): Promise<void> {
        for (const claim of this.informers.claims.list()) {
            await this.once(`claim/${claim.metadata?.uid}`, () => this.reconcileClaim(claim));
        }
        for (const pv of this.informers.volumes.list()) {
            await this.once(`pv/${pv.metadata?.name}`, () => this.reconcileVolume(pv));
        }
    }

    private async once(key: string, work: () => Promise<void>): Promise<void> {
        if (this.busy.has(key)) {
            return;
        }
        this.busy.add(key);
        try {
            await work();
        } catch (error) {
            this.log(`provisioner: ${key}: ${error instanceof Error ? error.message : error}`);
        } finally {
            this.busy.delete(key);
        }
    }

    private async reconcileClaim(claim: IPersistentVolumeClaim): Promise<void> {
        const sc = this.ours(claim.spec?.storageClassName);
        if (!sc || claim.metadata?.deletionTimestamp) {
            return;
        }
        if (!claim.spec?.volumeName && claim.status?.phase === "Pending") {
            const waiting = sc.volumeBindingMode === "WaitForFirstConsumer" && claim.metadata?.annotations?.[selectedNode] !== this.nodeName;
            if (!waiting) {
                await this.provision(claim, sc);
            }
        } else if (claim.status?.phase === "Bound") {
            await this.expand(claim, sc);
        }
    }

    private async provision(claim: IPersistentVolumeClaim, sc: IStorageClass): Promise<void> {
        const name = `pvc-${claim.metadata!.uid}`;
        if (this.informers.volumes.get("", name)) {
            return;
        }
        const dir = path.join(this.storageDir, name);
        fs.mkdirSync(dir, { recursive: true, mode: 0o755 }); // the pod's start chowns it to the pod's user (fsGroup)
        const storage = claim.spec?.resources?.requests?.storage ?? "1Gi";
        try {
            await this.client.create("/api/v1/persistentvolumes", {
                apiVersion: "v1", kind: "PersistentVolume",
                metadata: { name, annotations: { [provisionedBy]: provisionerName } },
                spec: {
                    capacity: { storage },
                    accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
                    persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
                    storageClassName: sc.metadata?.name,
                    volumeMode: claim.spec?.volumeMode ?? "Filesystem",
                    local: { path: dir },
                    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [
                        { key: "kubernetes.io/hostname", operator: "In", values: [this.nodeName] }] }] } },
                    claimRef: {
                        apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: claim.metadata?.namespace,
                        name: claim.metadata?.name, uid: claim.metadata?.uid,
                    },
                },
            });
            this.log(`provisioner: ${claim.metadata?.namespace}/${claim.metadata?.name} -> ${name} (${storage}, ${dir})`);
        } catch (error) {
            if (!(error instanceof ApiError && error.status === 409)) {
                throw error;
            }
        }
    }

    /** Resize: the PV's capacity first, then the claim's status (capacity and allocatedResources). */
    private async expand(claim: IPersistentVolumeClaim, sc: IStorageClass): Promise<void> {
        const requested = claim.spec?.resources?.requests?.storage;
        const current = claim.status?.capacity?.storage;
        if (!requested || !current || parseQuantity(requested) <= parseQuantity(current) || !sc.allowVolumeExpansion) {
            return;
        }
        const pv = this.informers.volumes.get("", claim.spec!.volumeName!);
        if (!pv || pv.metadata?.annotations?.[provisionedBy] !== provisionerName) {
            return;
        }
        if (parseQuantity(pv.spec?.capacity?.storage ?? "0") < parseQuantity(requested)) {
            await this.client.patch(`/api/v1/persistentvolumes/${pv.metadata?.name}`, { spec: { capacity: { storage: requested } } });
        }
        await this.client.patch(`/api/v1/namespaces/${claim.metadata?.namespace}/persistentvolumeclaims/${claim.metadata?.name}/status`, {
            status: { capacity: { storage: requested }, allocatedResources: { storage: requested }, allocatedResourceStatuses: null, conditions: null },
        });
        this.log(`provisioner: expanded ${claim.metadata?.namespace}/${claim.metadata?.name} from ${current} to ${requested}`);
    }

    /** Released volumes of ours with reclaim policy Delete: directory, then object. */
    private async reconcileVolume(pv: IPersistentVolume): Promise<void> {
        if (pv.metadata?.annotations?.[provisionedBy] !== provisionerName || pv.status?.phase !== "Released"
            || pv.spec?.persistentVolumeReclaimPolicy !== "Delete" || pv.metadata?.deletionTimestamp) {
            return;
        }
        const dir = pv.spec?.local?.path;
        if (dir && path.dirname(dir) === this.storageDir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        try {
            await this.client.delete(`/api/v1/persistentvolumes/${pv.metadata?.name}`);
            this.log(`provisioner: deleted released volume ${pv.metadata?.name}`);
        } catch (error) {
            if (!(error instanceof ApiError && error.status === 404)) {
                throw error;
            }
        }
    }
}
