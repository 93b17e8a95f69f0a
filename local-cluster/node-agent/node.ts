/**
 * The Node object of this agent: registered Ready with capacity and the kubelet endpoint,
 * heartbeats through a Lease in kube-node-lease (every 10 s) and a status update once a
 * minute, as a kubelet does.
 */
import * as os from "os";
import { ApiError, KubeClient } from "./kubeClient";

export interface NodeOptions {
    readonly name: string;
    /** Address the API server reaches the agent's kubelet endpoint on. */
    readonly address: string;
    readonly kubeletPort: number;
    readonly maxPods: number;
    readonly podCidr: string;
    readonly version: string;
}

const leaseDurationSeconds = 40;
const leaseRenewMs = 10000;
const statusUpdateMs = 60000;
/** MicroTime as the API wants it in Lease.spec.renewTime. */
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

export function nodeStatus(options: NodeOptions, now: Date) {
    const memory = `${Math.floor(os.totalmem() / 1024)}Ki`;
    const capacity = { cpu: String(os.cpus().length), memory, pods: String(options.maxPods), "ephemeral-storage": "100Gi" };
    const condition = (type: string, status: string, reason: string, message: string) =>
        ({ type, status, reason, message, lastHeartbeatTime: now.toISOString() });
    return {
        capacity,
        allocatable: capacity,
        conditions: [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "local-cluster agent does not track memory pressure"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "local-cluster agent does not track disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "local-cluster agent does not track PIDs"),
            condition("Ready", "True", "KubeletReady", "local-cluster node agent is posting ready status"),
        ],
        addresses: [{ type: "InternalIP", address: options.address }, { type: "Hostname", address: options.name }],
        daemonEndpoints: { kubeletEndpoint: { Port: options.kubeletPort } },
        nodeInfo: {
            machineID: "", systemUUID: "", bootID: "", kernelVersion: os.release(), osImage: "local-cluster (namespaces, no container runtime)",
            containerRuntimeVersion: "local-cluster://pod-exec.sh", kubeletVersion: options.version, kubeProxyVersion: "",
            operatingSystem: "linux", architecture: os.arch() === "x64" ? "amd64" : os.arch(),
        },
    };
}

export class NodeAgent {
    private timers: NodeJS.Timeout[] = [];

    constructor(private readonly client: KubeClient, private readonly options: NodeOptions, private readonly log: (m: string) => void) {}

    private get nodePath() {
        return `/api/v1/nodes/${this.options.name}`;
    }

    /** Creates the Node (or takes over an existing one), posts its status, starts the heartbeats. */
    async register(): Promise<void> {
        const { name } = this.options;
        const existing = await this.client.find(this.nodePath);
        if (!existing) {
            await this.client.create("/api/v1/nodes", {
                apiVersion: "v1", kind: "Node",
                metadata: {
                    name,
                    labels: {
                        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": os.arch() === "x64" ? "amd64" : os.arch(),
                        "node.kubernetes.io/instance-type": "local-cluster",
                    },
                },
                spec: { podCIDR: this.options.podCidr, podCIDRs: [this.options.podCidr] },
            });
            this.log(`registered node ${name}`);
        } else {
            this.log(`node ${name} exists; taking it over`);
        }
        await this.updateStatus();
        await this.renewLease();
        this.timers.push(setInterval(() => this.renewLease().catch((e) => this.log(`lease renewal failed: ${e}`)), leaseRenewMs));
        this.timers.push(setInterval(() => this.updateStatus().catch((e) => this.log(`node status update failed: ${e}`)), statusUpdateMs));
    }

    stop(): void {
        this.timers.forEach(clearInterval);
        this.timers = [];
    }

    private async updateStatus(): Promise<void> {
        await this.client.patch(`${this.nodePath}/status`, { status: nodeStatus(this.options, new Date()) }, "strategic");
    }

    private async renewLease(): Promise<void> {
        const { name } = this.options;
        const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
        const spec = { holderIdentity: name, leaseDurationSeconds, renewTime: microTime(new Date()) };
        try {
            await this.client.patch(path, { spec }, "merge");
        } catch (error) {
            if (!(error instanceof ApiError && error.status === 404)) {
                throw error;
            }
            const node = await this.client.get(this.nodePath);
            await this.client.create("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
                apiVersion: "coordination.k8s.io/v1", kind: "Lease",
                metadata: {
                    name, namespace: "kube-node-lease",
                    ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid }],
                },
                spec,
            });
        }
    }
}
