/**
 * The node agent as a library: `startNodeAgent` registers a Node and runs every Pod bound to it
 * until `stop()`. `main.ts` runs it as the local cluster's kubelet; the e2e suite
 * (tests/e2e/harness/cluster.ts) runs it in its own process, so a scenario can reach the
 * emulated pods' processes (cut a clone, kill a container) while every pod comes from the API.
 */
import * as path from "path";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IPersistentVolume } from "kubernetes-models/v1/PersistentVolume";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { runOk } from "../../tests/e2e/harness/process";
import { HostsWriter } from "./dns";
import { ObjectData } from "./env";
import { startEndpointsPlaceholders } from "./endpointsPlaceholder";
import { EventRecorder } from "./events";
import { Informer, KubeObject } from "./informer";
import { KubeClient } from "./kubeClient";
import { startKubeletServer } from "./kubeletServer";
import { NodeAgent } from "./node";
import { PodController } from "./podController";
import { hostMysqlIds, podHostname } from "./podSpec";
import { LocalDirProvisioner } from "./provisioner";
import { LocalRuntime } from "./runtime";
import { Volumes } from "./volumes";

export const infraDir = path.join(__dirname, "..", "..", "tests", "e2e", "infra");

export interface NodeAgentConfig {
    readonly kubeconfig: string;
    readonly nodeName: string;
    /** Pods under <stateDir>/node/pods, volumes under <stateDir>/volumes. */
    readonly stateDir: string;
    /** net.sh network name, [a-z0-9]+. */
    readonly net: string;
    /** Pods get <podPrefix>.<a>.<b>/16. */
    readonly podPrefix: string;
    readonly hostIP: string;
    readonly kubeletPort: number;
    /** The kubelet endpoint's serving certificate, key and client CA (for `kubectl logs`); none without them. */
    readonly kubeletTls?: { cert: string; key: string; ca: string };
    /** Empty Endpoints for Services (see endpointsPlaceholder.ts). */
    readonly endpointsPlaceholders: boolean;
    /** See RuntimeOptions.hold. */
    readonly hold?: (pod: IPod) => boolean;
    readonly log: (message: string) => void;
}

export interface RunningNodeAgent {
    readonly client: KubeClient;
    readonly runtime: LocalRuntime;
    readonly pods: Informer<IPod>;
    readonly claims: Informer<IPersistentVolumeClaim>;
    readonly volumes: Informer<IPersistentVolume>;
    /** Stops heartbeats, watches and timers; pods keep running until `net.sh down` removes them. */
    stop(): void;
}

function decoded(object: { data?: Record<string, string>; binaryData?: Record<string, string> } | undefined, base64Data: boolean) {
    if (!object) {
        return undefined;
    }
    const out: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(object.data ?? {})) {
        out[k] = Buffer.from(v, base64Data ? "base64" : "utf8");
    }
    for (const [k, v] of Object.entries(object.binaryData ?? {})) {
        out[k] = Buffer.from(v, "base64");
    }
    return out;
}

export async function startNodeAgent(config: NodeAgentConfig): Promise<RunningNodeAgent> {
    const { nodeName, stateDir, net, podPrefix, hostIP, log } = config;
    const client = KubeClient.fromKubeconfig(config.kubeconfig);
    const version = (await client.get("/version")).gitVersion as string;
    log(`API server ${version}; node ${nodeName}; pods on net ${net} (${podPrefix}.0.0/16); state in ${stateDir}`);

    // Pods of an earlier run of the agent are not adopted: their namespaces (and processes) go, pods restart.
    await runOk(path.join(infraDir, "net.sh"), ["down", net]);
    await runOk(path.join(infraDir, "net.sh"), ["up", net]);

    const informer = <T extends KubeObject>(p: string, query = {}) => new Informer<T>(client, p, query, log);
    const myPods = informer<IPod>("/api/v1/pods", { fieldSelector: `spec.nodeName=${nodeName}` });
    const allPods = informer<IPod>("/api/v1/pods");
    const services = informer<IService>("/api/v1/services");
    const secrets = informer<ISecret>("/api/v1/secrets");
    const configMaps = informer<IConfigMap>("/api/v1/configmaps");
    const claims = informer<IPersistentVolumeClaim>("/api/v1/persistentvolumeclaims");
    const volumes = informer<IPersistentVolume>("/api/v1/persistentvolumes");
    const classes = informer<IStorageClass>("/apis/storage.k8s.io/v1/storageclasses");
    const informers = [myPods, allPods, services, secrets, configMaps, claims, volumes, classes];
    await Promise.all(informers.map((i) => i.start()));

    const provisioner = new LocalDirProvisioner(client, { claims, volumes, classes }, path.join(stateDir, "volumes"), nodeName, log);
    provisioner.start();

    const node = new NodeAgent(client, {
        name: nodeName, address: hostIP, kubeletPort: config.kubeletPort, maxPods: 110, podCidr: `${podPrefix}.0.0/16`, version,
    }, log);
    await node.register();

    const data: ObjectData = {
        secret: (ns, name) => decoded(secrets.get(ns, name), true),
        configMap: (ns, name) => decoded(configMaps.get(ns, name), false),
    };
    const events = new EventRecorder(client, nodeName, log);
    const runtime = new LocalRuntime({
        net, stateDir: path.join(stateDir, "node"), infraDir, hostIP, podPrefix, mysqlIds: hostMysqlIds(), data,
        volumes: new Volumes(client, data, provisioner), log, hold: config.hold,
        event: (pod, type, reason, message) => events.record(pod, type, reason, message),
    });
    const controller = new PodController(client, runtime, myPods, log);
    controller.start();
    new HostsWriter(services, allPods, runtime, log).start();
    if (config.endpointsPlaceholders) {
        startEndpointsPlaceholders(client, services, log);
    }

    let refreshing = false;
    const refresh = () => {
        if (!refreshing) {
            refreshing = true;
            void runtime.refreshVolumes().finally(() => (refreshing = false));
        }
    };
    secrets.on(refresh);
    configMaps.on(refresh);
    const refreshTimer = setInterval(refresh, 30000);

    if (config.kubeletTls) {
        startKubeletServer({ address: hostIP, port: config.kubeletPort, ...config.kubeletTls }, {
            stateDir: path.join(stateDir, "node"),
            pod: (namespace, name) => {
                const pod = myPods.get(namespace, name);
                const uid = pod?.metadata?.uid;
                return pod && { uid, hostname: podHostname(pod), running: runtime.running().some((p) => p.uid === uid) };
            },
        }, log);
    }
    log(`node ${nodeName} is Ready`);
    return {
        client, runtime, pods: myPods, claims, volumes,
        stop: () => {
            node.stop();
            controller.stop();
            clearInterval(refreshTimer);
            informers.forEach((i) => i.stop());
        },
    };
}
