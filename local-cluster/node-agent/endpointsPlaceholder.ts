/**
 * An empty Endpoints object for every Service with a selector that has none. The endpoint
 * controller creates one only while no selected pod has an IP: once a pod has its 127.x
 * address, the create is refused (loopback) and the Service never gets an Endpoints object.
 * Clients that wait for one (Pulumi's Service await) would then wait forever; with the
 * placeholder they see what they would have seen had the Service come before its pods.
 * The endpoint controller keeps trying (and failing) to fill it. LOCAL_CLUSTER_ENDPOINTS_PLACEHOLDER=0 turns this off.
 */
import type { IService } from "kubernetes-models/v1/Service";
import { Informer } from "./informer";
import { ApiError, KubeClient } from "./kubeClient";

export const placeholderLabel = "local-cluster.mysql-cluster.dev/endpoints-placeholder";
/** Give the endpoint controller the first chance (it creates the object itself when it can). */
const graceMs = 5000;

export function startEndpointsPlaceholders(client: KubeClient, services: Informer<IService>, log: (m: string) => void): void {
    const ensure = async (service: IService) => {
        const { name, namespace } = service.metadata ?? {};
        if (!service.spec?.selector || Object.keys(service.spec.selector).length === 0 || service.spec.type === "ExternalName"
            || !services.get(namespace ?? "", name ?? "")) {
            return;
        }
        const path = `/api/v1/namespaces/${namespace}/endpoints`;
        if (await client.find(`${path}/${name}`)) {
            return;
        }
        try {
            await client.create(path, {
                apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace, labels: { [placeholderLabel]: "true" } }, subsets: [],
            });
            log(`endpoints placeholder for Service ${namespace}/${name} (its pods' 127.x addresses are refused in Endpoints)`);
        } catch (error) {
            if (!(error instanceof ApiError && (error.status === 409 || error.status === 403 || error.status === 404))) {
                log(`endpoints placeholder for ${namespace}/${name}: ${error}`);
            }
        }
    };
    services.on((event, service) => {
        if (event === "add") {
            setTimeout(() => void ensure(service), graceMs);
        }
    });
    services.list().forEach((service) => void ensure(service));
    setInterval(() => services.list().forEach((service) => void ensure(service)), 60000);
}
