/**
 * The local cluster's node agent: `ts-node local-cluster/node-agent/main.ts` (see agent.ts).
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
import { startNodeAgent } from "./agent";

const env = (name: string, fallback?: string): string => {
    const value = process.env[name] ?? fallback;
    if (value === undefined) {
        throw new Error(`${name} must be set`);
    }
    return value;
};

const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

async function main(): Promise<void> {
    const nodeName = env("NODE_NAME", "local-node");
    const agent = await startNodeAgent({
        kubeconfig: env("KUBECONFIG"),
        nodeName,
        stateDir: env("LOCAL_CLUSTER_DIR", "/var/lib/mysql-cluster-local"),
        net: env("LOCAL_CLUSTER_NET", "lcnode"),
        podPrefix: env("LOCAL_CLUSTER_POD_PREFIX", "127.20"),
        hostIP: env("KUBELET_ADDRESS", "127.0.0.1"),
        kubeletPort: Number(env("KUBELET_PORT", "10250")),
        kubeletTls: process.env.KUBELET_CERT
            ? { cert: env("KUBELET_CERT"), key: env("KUBELET_KEY"), ca: env("KUBELET_CA") } : undefined,
        endpointsPlaceholders: process.env.LOCAL_CLUSTER_ENDPOINTS_PLACEHOLDER !== "0",
        log,
    });
    const shutdown = (signal: string) => {
        log(`${signal}: stopping heartbeats and exiting; pods keep running until down.sh (net.sh down) removes them`);
        agent.stop();
        process.exit(0);
    };
    process.on("SIGTERM", () => shutdown("SIGTERM"));
    process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
    log(`fatal: ${error?.stack ?? error}`);
    process.exit(1);
});
