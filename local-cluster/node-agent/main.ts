/**
 * The local cluster's node agent: `ts-node local-cluster/node-agent/main.ts`.
 *
 * Environment (defaults in brackets):
 *   KUBECONFIG              credentials for the API server (required)
 *   NODE_NAME               the Node to register [local-node]
 *   LOCAL_CLUSTER_DIR       state: pods under <dir>/node/pods, volumes under <dir>/volumes [/var/lib/mysql-cluster-local]
 *   LOCAL_CLUSTER_NET       net.sh network name, [a-z0-9]+ [lcnode]
 *   LOCAL_CLUSTER_POD_PREFIX  pods get <prefix>.<a>.<b>/16 [127.20]
 *   KUBELET_ADDRESS, KUBELET_PORT  the kubelet endpoint (logs) [127.0.0.1, 10250]
 *   KUBELET_CERT, KUBELET_KEY, KUBELET_CA  its serving certificate and the client CA (no endpoint without them)
 *   MYSQL_ROOTFS, LOCAL_CLUSTER_HOST_IMAGES  see images.ts
 *   LOCAL_CLUSTER_ENDPOINTS_PLACEHOLDER=0   no empty Endpoints for Services (see endpointsPlaceholder.ts)
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

const env = (name: string, fallback?: string): string => {
    const value = process.env[name] ?? fallback;
    if (value === undefined) {
        throw new Error(`${name} must be set`);
    }
    return value;
};

const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);
const infraDir = path.join(__dirname, "..", "..", "tests", "e2e", "infra");

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

async function main(): Promise<void> {
    const nodeName = env("NODE_NAME", "local-node");
    const stateDir = env("LOCAL_CLUSTER_DIR", "/var/lib/mysql-cluster-local");
    const net = env("LOCAL_CLUSTER_NET", "lcnode");
    const podPrefix = env("LOCAL_CLUSTER_POD_PREFIX", "127.20");
    const hostIP = env("KUBELET_ADDRESS", "127.0.0.1");
    const kubeletPort = Number(env("KUBELET_PORT", "10250"));
    const client = KubeClient.fromKubeconfig(env("KUBECONFIG"));
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
    await Promise.all([myPods, allPods, services, secrets, configMaps, claims, volumes, classes].map((i) => i.start()));

    const provisioner = new LocalDirProvisioner(client, { claims, volumes, classes }, path.join(stateDir, "volumes"), nodeName, log);
    provisioner.start();

    const node = new NodeAgent(client, {
        name: nodeName, address: hostIP, kubeletPort, maxPods: 110, podCidr: `${podPrefix}.0.0/16`, version,
    }, log);
    await node.register();

    const data: ObjectData = {
        secret: (ns, name) => decoded(secrets.get(ns, name), true),
        configMap: (ns, name) => decoded(configMaps.get(ns, name), false),
    };
    const events = new EventRecorder(client, nodeName, log);
    const runtime = new LocalRuntime({
        net, stateDir: path.join(stateDir, "node"), infraDir, hostIP, podPrefix, mysqlIds: hostMysqlIds(), data,
        volumes: new Volumes(client, data, provisioner), log,
        event: (pod, type, reason, message) => events.record(pod, type, reason, message),
    });
    new PodController(client, runtime, myPods, log).start();
    new HostsWriter(services, allPods, runtime, log).start();
    if (process.env.LOCAL_CLUSTER_ENDPOINTS_PLACEHOLDER !== "0") {
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
    setInterval(refresh, 30000);

    if (process.env.KUBELET_CERT) {
        startKubeletServer({
            address: hostIP, port: kubeletPort, cert: env("KUBELET_CERT"), key: env("KUBELET_KEY"), ca: env("KUBELET_CA"),
        }, {
            stateDir: path.join(stateDir, "node"),
            pod: (namespace, name) => {
                const pod = myPods.get(namespace, name);
                const uid = pod?.metadata?.uid;
                return pod && { uid, hostname: podHostname(pod), running: runtime.running().some((p) => p.uid === uid) };
            },
        }, log);
    }

    const shutdown = (signal: string) => {
        log(`${signal}: stopping heartbeats and exiting; pods keep running until down.sh (net.sh down) removes them`);
        node.stop();
        process.exit(0);
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
    log(`node ${nodeName} is Ready`);
}

main().catch((error) => {
    log(`fatal: ${error?.stack ?? error}`);
    process.exit(1);
});
