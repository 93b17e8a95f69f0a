/**
 * Cluster DNS as a per-pod /etc/hosts. The API server refuses loopback addresses in
 * Endpoints and EndpointSlices (ValidateEndpointIP: "may not be in the loopback range"),
 * and pod IPs here are 127.x, so a Service's endpoints are derived the way the
 * EndpointSlice controller would derive them: its selector over the pods, ready per the
 * pods' Ready condition (or every pod with an IP when publishNotReadyAddresses).
 * A ClusterIP name points at ONE ready endpoint (no kube-proxy), kept while it stays ready.
 */
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IService } from "kubernetes-models/v1/Service";

export interface Endpoint {
    readonly ip: string;
    readonly ready: boolean;
    /** Set when the pod's spec.subdomain names this Service: `<hostname>.<service>`. */
    readonly hostname?: string;
}

const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
    Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const podReady = (pod: IPod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** The Service's endpoints from its selector, as the EndpointSlice controller computes them. */
export function serviceEndpoints(service: IService, pods: readonly IPod[]): Endpoint[] {
    const selector = service.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
        return [];
    }
    const publishNotReady = service.spec?.publishNotReadyAddresses === true;
    return pods
        .filter((p) => p.metadata?.namespace === service.metadata?.namespace && selects(selector, p.metadata?.labels))
        .filter((p) => p.status?.podIP && p.status.phase !== "Succeeded" && p.status.phase !== "Failed")
        .filter((p) => publishNotReady || !p.metadata?.deletionTimestamp)
        .map((p) => ({
            ip: p.status!.podIP!,
            ready: publishNotReady || podReady(p),
            hostname: p.spec?.hostname && p.spec.subdomain === service.metadata?.name ? p.spec.hostname : undefined,
        }))
        .sort((a, b) => a.ip.localeCompare(b.ip));
}

/** Keeps the previous choice while it is still a ready endpoint, else the first ready one. */
export function chooseEndpoint(endpoints: readonly Endpoint[], previous: string | undefined): string | undefined {
    const ready = endpoints.filter((e) => e.ready).map((e) => e.ip);
    return previous !== undefined && ready.includes(previous) ? previous : ready[0];
}

export interface HostsPod {
    readonly name: string;
    readonly namespace: string;
    readonly ip: string;
    readonly hostname?: string;
    readonly subdomain?: string;
}

/** Names of `name` in `namespace` as seen from `from`'s namespace: short forms only for its own. */
function names(base: string, namespace: string, fromNamespace: string): string[] {
    const full = [`${base}.${namespace}.svc.cluster.local`, `${base}.${namespace}.svc`, `${base}.${namespace}`];
    return namespace === fromNamespace ? [...full, base] : full;
}

/**
 * The hosts file of pod `self`. `choices` maps "<ns>/<service>" to the endpoint IP its
 * name points at (see chooseEndpoint); it is read, not written.
 */
export function hostsFile(self: HostsPod, services: readonly IService[], pods: readonly IPod[], choices: ReadonlyMap<string, string>): string {
    const hostname = self.hostname ?? self.name;
    const own = self.subdomain ? [`${hostname}.${self.subdomain}.${self.namespace}.svc.cluster.local`, hostname] : [hostname];
    const lines = ["# written by the local-cluster node agent (cluster DNS stand-in)", "127.0.0.1 localhost", `${self.ip} ${own.join(" ")}`];
    const sorted = [...services].sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
    for (const service of sorted) {
        const name = service.metadata?.name ?? "";
        const namespace = service.metadata?.namespace ?? "";
        if (service.spec?.type === "ExternalName") {
            continue;
        }
        const endpoints = serviceEndpoints(service, pods);
        for (const e of endpoints) {
            if (e.hostname && e.ready) {
                lines.push(`${e.ip} ${names(`${e.hostname}.${name}`, namespace, self.namespace).join(" ")}`);
            }
        }
        const target = choices.get(`${namespace}/${name}`);
        if (target !== undefined) {
            lines.push(`${target} ${names(name, namespace, self.namespace).join(" ")}`);
        }
    }
    return lines.join("\n") + "\n";
}
