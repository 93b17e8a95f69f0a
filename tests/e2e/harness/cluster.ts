/**
 * One cluster of the component in its own namespace of the suite's real Kubernetes (kube.ts):
 * the objects MySqlCluster registers (rendered under Pulumi mocks, applied as they are with
 * `kubectl apply --server-side`), pods created by the real StatefulSet controller and run by
 * the node agent, and a client pod that reaches the cluster through the Service names.
 *
 * Scenarios act as an operator or a failure would: scale the StatefulSet, delete a pod (the
 * controller recreates it; the node holds the new one until the scenario starts it, like a
 * node that has not got to it yet), crash a pod (all its processes SIGKILLed), cut its link.
 */
import { findFlavor, Flavor } from "../../../components/flavors";
import * as fs from "fs";
import * as path from "path";
import type { IPod } from "kubernetes-models/v1/Pod";
import { MySqlClusterArgs } from "../../../components";
import { render, RenderedCluster } from "../../helpers/render";
import { TestKube } from "./kube";
import { ImageRoot, Pod } from "./pod";
import { run, RunResult, waitFor } from "./process";

export const infraDir = path.join(__dirname, "..", "infra");

export interface ClusterOptions {
    readonly engine: "mysql" | "mariadb";
    readonly name: string;
    readonly namespace: string;
    readonly args: MySqlClusterArgs;
    readonly kube: TestKube;
    /** Host directory for the test's own files (writers' output and logs). */
    readonly workDir: string;
    /** The emulated images: server image -> root filesystem and mysql user. */
    readonly images: (image: string) => ImageRoot;
    readonly log: (message: string) => void;
    /** Secrets that exist in the namespace before the component (e.g. a TLS Secret): name -> key -> value. */
    readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The application database and account the suite asks the component to create. */
export const appUser = { user: "app", password: "app-Pw-4711", database: "appdb" };
const clientPodName = "e2e-client";

export class KubeCluster {
    readonly rendered: RenderedCluster;
    readonly name: string;
    readonly namespace: string;
    readonly workDir: string;
    readonly kube: TestKube;
    /** Ordinals whose pod the node does not start until the scenario starts it. */
    private readonly held = new Set<number>();
    /** Samples of every process's argument list while the cluster runs, searched for passwords. */
    readonly argvSampler = { samples: 0, processes: 0, leaks: [] as string[], timer: undefined as NodeJS.Timeout | undefined };

    private constructor(readonly options: ClusterOptions, rendered: RenderedCluster) {
        this.rendered = rendered;
        this.name = options.name;
        this.namespace = options.namespace;
        this.workDir = options.workDir;
        this.kube = options.kube;
        this.kube.addHold((pod) => pod.metadata?.namespace === this.namespace && this.isHeld(pod));
    }

    static async create(options: ClusterOptions): Promise<KubeCluster> {
        const rendered = await render(options.name, { ...options.args, namespace: options.namespace });
        const cluster = new KubeCluster(options, rendered);
        await cluster.prepare();
        cluster.startArgvSampler();
        return cluster;
    }

    image(image: string): ImageRoot {
        return this.options.images(image);
    }

    log(message: string): void {
        this.options.log(message);
    }

    get serverImage(): string {
        return this.rendered.statefulSet.spec.template.spec.containers[0].image;
    }

    get serverContainer(): string {
        return this.rendered.statefulSet.spec.template.spec.containers[0].name;
    }

    get serviceName(): string {
        return this.rendered.statefulSet.spec.serviceName;
    }

    /** Passwords a scenario put into the Secret later (rotations): they must never leak either. */
    readonly laterSecrets: string[] = [];

    /** The passwords in the component's Secret, past and present (what must never leak). */
    get secretValues(): string[] {
        return [...Object.values(this.rendered.secret?.stringData ?? {}).map(String), ...this.laterSecrets].filter((v) => v.length > 0);
    }

    /** Writes a Secret of the namespace through the API (as `pulumi up` or an operator would). */
    async applySecret(name: string, stringData: Record<string, string>): Promise<void> {
        const secret = { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: this.namespace }, stringData };
        // on stdin: no value in an argument list
        await this.kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=e2e", "-f", "-"], JSON.stringify(secret));
    }

    /** The client pod's option file for the application account, with `password`. */
    async setClientPassword(password: string, extra: Record<string, string> = {}): Promise<void> {
        const ca = this.options.secrets ? Object.values(this.options.secrets).find((d) => d["ca.crt"])?.["ca.crt"] : undefined;
        await this.applySecret(clientPodName, {
            "app.cnf": `[client]\nuser=${appUser.user}\npassword=${password}\nconnect-timeout=5\n`,
            ...(ca ? { "ca.crt": ca } : {}), ...extra,
        });
    }

    /** Service DNS names as the component's outputs give them. */
    get serviceHosts() {
        const { services } = this.rendered;
        return {
            primary: `${services.primary.metadata.name}.${this.namespace}.svc`,
            read: `${services.read.metadata.name}.${this.namespace}.svc`,
        };
    }

    private kubectl(args: readonly string[], input?: string, timeoutMs?: number): Promise<string> {
        return this.kube.kubectlOk(["-n", this.namespace, ...args], { input, timeoutMs });
    }

    /** The namespace, the test's Secrets, the component's objects (StatefulSet at 0 replicas), the client pod. */
    private async prepare(): Promise<void> {
        fs.rmSync(this.workDir, { recursive: true, force: true });
        fs.mkdirSync(path.join(this.workDir, "logs"), { recursive: true });
        await this.kube.kubectl(["delete", "namespace", this.namespace, "--wait=true", "--timeout=300s"], { timeoutMs: 320000 });
        await this.kube.kubectlOk(["create", "namespace", this.namespace]);
        const secret = (name: string, data: Record<string, string>) => ({
            apiVersion: "v1", kind: "Secret", metadata: { name, namespace: this.namespace }, stringData: data,
        });
        const client: Record<string, string> = {
            "app.cnf": `[client]\nuser=${appUser.user}\npassword=${appUser.password}\nconnect-timeout=5\n`,
        };
        const items: any[] = [];
        for (const [name, data] of Object.entries(this.options.secrets ?? {})) {
            items.push(secret(name, data));
            if (data["ca.crt"]) {
                client["ca.crt"] = data["ca.crt"];
            }
        }
        items.push(secret(clientPodName, client));
        for (const r of this.rendered.resources) {
            if (!r.type.startsWith("kubernetes:")) {
                continue;
            }
            const object = JSON.parse(JSON.stringify(r.inputs));
            if (object.kind === "StatefulSet") {
                object.spec.replicas = 0; // the scenarios scale it
            }
            if (object.metadata?.name === this.rendered.topologyConfigMap.metadata.name) {
                object.data.replicas = "0";
            }
            items.push(object);
        }
        const mysqlUid = this.rendered.statefulSet.spec.template.spec.securityContext.runAsUser;
        items.push({
            apiVersion: "v1", kind: "Pod", metadata: { name: clientPodName, namespace: this.namespace },
            spec: {
                securityContext: { runAsUser: mysqlUid, runAsGroup: mysqlUid, fsGroup: mysqlUid },
                terminationGracePeriodSeconds: 1,
                containers: [{
                    name: "client", image: this.serverImage, command: ["sleep", "infinity"],
                    volumeMounts: [{ name: "client", mountPath: "/etc/e2e-client", readOnly: true }],
                }],
                volumes: [{ name: "client", secret: { secretName: clientPodName, defaultMode: 0o440 } }],
            },
        });
        await this.kubectl(["apply", "--server-side", "--field-manager=e2e", "-f", "-"],
            JSON.stringify({ apiVersion: "v1", kind: "List", items }));
        this.log(`applied ${items.length} objects to namespace ${this.namespace}: ${items.map((i) => `${i.kind}/${i.metadata.name}`).join(" ")}`);
        await waitFor("the client pod", 120000, async () => this.runningPod(clientPodName)?.runs.client !== undefined || undefined);
    }

    private isHeld(pod: IPod): boolean {
        const ordinal = this.ordinalOf(pod.metadata?.name ?? "");
        return ordinal !== undefined && this.held.has(ordinal);
    }

    private ordinalOf(podName: string): number | undefined {
        const m = podName.match(/^(.*)-(\d+)$/);
        return m && m[1] === this.name ? Number(m[2]) : undefined;
    }

    /** The API pods of the StatefulSet, by ordinal (from the agent's informer). */
    private apiPods(): Map<number, IPod> {
        const out = new Map<number, IPod>();
        for (const pod of this.kube.agent.pods.list()) {
            const ordinal = pod.metadata?.namespace === this.namespace ? this.ordinalOf(pod.metadata?.name ?? "") : undefined;
            if (ordinal !== undefined) {
                out.set(ordinal, pod);
            }
        }
        return out;
    }

    private runningPod(name: string): Pod | undefined {
        const entry = this.kube.agent.runtime.running()
            .find((p) => p.pod.metadata?.namespace === this.namespace && p.pod.metadata?.name === name);
        return entry && this.kube.agent.runtime.harnessPod(entry.uid);
    }

    /** The pods that run now (started, not being deleted), by ordinal. */
    get pods(): Map<number, Pod> {
        const out = new Map<number, Pod>();
        for (const { uid, pod } of this.kube.agent.runtime.running()) {
            const ordinal = pod.metadata?.namespace === this.namespace ? this.ordinalOf(pod.metadata?.name ?? "") : undefined;
            const harness = this.kube.agent.runtime.harnessPod(uid);
            if (ordinal !== undefined && harness && !pod.metadata?.deletionTimestamp) {
                out.set(ordinal, harness);
            }
        }
        return new Map([...out.entries()].sort(([a], [b]) => a - b));
    }

    pod(ordinal: number): Pod {
        const pod = this.pods.get(ordinal);
        if (!pod) {
            throw new Error(`no running pod ${ordinal}`);
        }
        return pod;
    }

    private get clientPod(): Pod {
        const pod = this.runningPod(clientPodName);
        if (!pod) {
            throw new Error("the client pod does not run");
        }
        return pod;
    }

    /** Ready as the API says it (the agent wrote the Ready condition), and as the runtime sees it. */
    private apiReady(ordinal: number): boolean {
        const pod = this.apiPods().get(ordinal);
        return pod !== undefined && !pod.metadata?.deletionTimestamp
            && pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true
            && this.pods.get(ordinal)?.ready === true;
    }

    /** "ordinal:pod:restarts" of every running pod (all containers summed): equal before and after = nothing restarted. */
    restartSummary(): string {
        return [...this.pods.entries()]
            .map(([n, pod]) => `${n}:${pod.name}:${Object.values(pod.restarts).reduce((a, b) => a + b, 0)}`).join(" ");
    }

    /** Whether pods `ordinals` are Ready as the API server reports it (read with kubectl), in order. */
    async readyInApi(ordinals: readonly number[]): Promise<boolean[]> {
        const json = JSON.parse(await this.kubectl(["get", "pods", ...ordinals.map((n) => `${this.name}-${n}`), "-o", "json"]));
        const ready = new Map<string, boolean>(json.items.map((p: any) => [p.metadata.name,
            p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") === true]));
        return ordinals.map((n) => ready.get(`${this.name}-${n}`) === true);
    }

    private async waitReady(ordinal: number, timeoutMs: number): Promise<Pod> {
        await waitFor(`pod ${this.name}-${ordinal} Ready`, timeoutMs, async () => this.apiReady(ordinal), 250);
        this.log(`${this.name}-${ordinal} ready`);
        return this.pod(ordinal);
    }

    private async scaleStatefulSet(replicas: number): Promise<void> {
        await this.kubectl(["scale", "statefulset", this.name, `--replicas=${replicas}`]);
    }

    private get specReplicas(): number {
        const pods = [...this.apiPods().keys()];
        return pods.length === 0 ? 0 : Math.max(...pods) + 1;
    }

    /**
     * What `pulumi up` with a new `replicas` does: the topology ConfigMap first (kept at the larger
     * count while pods go), then the StatefulSet (Parallel: missing pods start at once, surplus go).
     */
    async scaleTo(replicas: number, readyTimeoutMs = 300000): Promise<void> {
        await this.setTopology(Math.max(replicas, this.specReplicas));
        for (let n = 0; n < replicas; n++) {
            this.held.delete(n);
        }
        await this.scaleStatefulSet(replicas);
        await Promise.all(Array.from({ length: replicas }, (_, n) => this.waitReady(n, readyTimeoutMs)));
        await waitFor(`pods >= ${replicas} gone`, 300000, async () => [...this.apiPods().keys()].every((n) => n < replicas), 250);
        for (const n of [...this.held]) {
            if (n >= replicas) {
                this.held.delete(n);
            }
        }
        await this.setTopology(replicas);
    }

    /** The topology ConfigMap's replica count; the agent refreshes the mounted files. */
    async setTopology(replicas: number): Promise<void> {
        const name = this.rendered.topologyConfigMap.metadata.name;
        await this.kubectl(["patch", "configmap", name, "--type=merge", "-p", JSON.stringify({ data: { replicas: String(replicas) } })]);
        // the agent rewrites ConfigMap volumes on its informer's event; wait until running pods see it
        await waitFor(`topology ${replicas} in the pods`, 30000, async () => [...this.pods.values()].every((pod) => {
            const file = path.join(pod.volumeDir("topology"), "replicas");
            return !fs.existsSync(path.dirname(file)) || fs.readFileSync(file, "utf8") === String(replicas);
        }), 250);
    }

    async startPod(ordinal: number, readyTimeoutMs = 300000): Promise<Pod> {
        await this.launchPod(ordinal);
        return this.waitReady(ordinal, readyTimeoutMs);
    }

    /** Lets the node start pod `ordinal` (the controller has recreated it) and returns it once it runs. */
    async launchPod(ordinal: number): Promise<Pod> {
        if (ordinal >= this.specReplicas && !this.apiPods().has(ordinal)) {
            throw new Error(`pod ${ordinal} is not part of the StatefulSet (scale first)`);
        }
        this.held.delete(ordinal);
        this.log(`starting ${this.name}-${ordinal}`);
        return waitFor(`pod ${this.name}-${ordinal} running`, 120000, async () => this.pods.get(ordinal));
    }

    /** Cuts (or restores) a pod's network link, as a node or network failure would. */
    async setLink(ordinal: number, up: boolean): Promise<void> {
        const pod = this.pod(ordinal);
        const result = await run("ip", ["-n", pod.netns, "link", "set", "eth0", up ? "up" : "down"]);
        if (result.code !== 0) {
            throw new Error(`link ${up ? "up" : "down"} on ${pod.name}: ${result.stderr}`);
        }
    }

    /** `kubectl delete pod`: preStop, SIGTERM, grace; the controller recreates it, held until started. */
    async deletePod(ordinal: number, extra: readonly string[] = []): Promise<void> {
        this.held.add(ordinal);
        const old = this.apiPods().get(ordinal)?.metadata?.uid;
        await this.kubectl(["delete", "pod", `${this.name}-${ordinal}`, "--wait=true", "--timeout=300s", ...extra], undefined, 320000);
        // the controller recreates it at once, but a deleted claim must go first (its finalizer waits
        // for the old pod to be gone): give a loaded control plane time
        await waitFor(`pod ${this.name}-${ordinal} recreated`, 180000, async () => {
            const uid = this.apiPods().get(ordinal)?.metadata?.uid;
            return uid !== undefined && uid !== old;
        }, 250);
    }

    /** A node failure under the pod: every process SIGKILLed at once (no preStop, no grace), then the pod object goes. */
    async crashPod(ordinal: number): Promise<void> {
        this.held.add(ordinal);
        await this.pod(ordinal).stop(0, true);
        await this.deletePod(ordinal, ["--grace-period=1"]);
    }

    /** Pod restart (deleted and recreated by the controller): init containers run again. */
    async restartPod(ordinal: number, readyTimeoutMs = 300000): Promise<Pod> {
        await this.deletePod(ordinal);
        return this.startPod(ordinal, readyTimeoutMs);
    }

    /**
     * Empties a held pod's data volume: what deleting its PersistentVolumeClaim and getting a new,
     * empty one does to the component (the claim object stays).
     */
    deleteVolume(ordinal: number): void {
        if (this.pods.has(ordinal) || (this.apiPods().has(ordinal) && !this.held.has(ordinal))) {
            throw new Error(`pod ${ordinal} runs or may start: delete it before its volume`);
        }
        const dir = this.claimDir(ordinal);
        for (const entry of fs.readdirSync(dir)) {
            fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
        }
    }

    /** The host directory of the PersistentVolume bound to pod `ordinal`'s data claim (it outlives the pod). */
    claimDir(ordinal: number): string {
        const template = this.rendered.statefulSet.spec.volumeClaimTemplates[0].metadata.name;
        const claim = this.kube.agent.claims.get(this.namespace, `${template}-${this.name}-${ordinal}`);
        const pv = claim?.spec?.volumeName ? this.kube.agent.volumes.get("", claim.spec.volumeName) : undefined;
        const dir = pv?.spec?.local?.path ?? pv?.spec?.hostPath?.path;
        if (!dir) {
            throw new Error(`the data claim of pod ${ordinal} is not bound`);
        }
        return dir;
    }

    /** The directories of every bound claim in the namespace (scaled-away pods' too). */
    allClaimDirs(): string[] {
        return this.kube.agent.claims.list().filter((c) => c.metadata?.namespace === this.namespace && c.spec?.volumeName)
            .map((c) => this.kube.agent.volumes.get("", c.spec!.volumeName!))
            .map((pv) => pv?.spec?.local?.path ?? pv?.spec?.hostPath?.path)
            .filter((d): d is string => d !== undefined);
    }

    /** Pod `ordinal`'s log `label` (e.g. "mysql-0"): every incarnation's file, oldest first. */
    podLog(ordinal: number, label: string): string {
        const file = `${this.name}-${ordinal}-${label}.log`;
        return this.kube.podLogFiles(this.namespace, `${this.name}-${ordinal}`).filter((f) => path.basename(f) === file)
            .map((f) => fs.readFileSync(f, "utf8")).join("");
    }

    /** Every log of this cluster: the pods' (all incarnations) and the test's own. */
    logFiles(): string[] {
        const own = fs.readdirSync(path.join(this.workDir, "logs")).map((f) => path.join(this.workDir, "logs", f));
        return [...this.kube.podLogFiles(this.namespace), ...own];
    }

    /** The component's flavor of this cluster's engine and version: where version-specific expectations live. */
    get flavor(): Flavor {
        const flavor = findFlavor(this.options.engine, this.options.args.version ?? "");
        if (!flavor) {
            throw new Error(`no flavor for ${this.options.engine} ${this.options.args.version}`);
        }
        return flavor;
    }

    /** The server container's literal (non-secret) environment: client binary, paths, dialect. */
    get serverEnv(): Record<string, string> {
        const mysql = this.rendered.statefulSet.spec.template.spec.containers[0];
        return Object.fromEntries(mysql.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    }

    /** SQL as root over the pod's socket, with the credentials file the component's scripts wrote. */
    async rootSql(ordinal: number, sql: string, format: readonly string[] = ["--batch", "--skip-column-names"]): Promise<string> {
        const pod = this.pod(ordinal);
        const env = this.serverEnv;
        // SQL on stdin, never in an argument list
        const result = await pod.exec(this.serverContainer,
            [env.MYSQL_CLIENT, `--defaults-file=${env.RUN_DIR}/admin.cnf`, ...format], { input: sql });
        if (result.code !== 0) {
            throw new Error(`${pod.name}: ${sql}: ${result.stderr}`);
        }
        return result.stdout.trim();
    }

    /** SQL as the application user from the client pod, through a Service name. */
    async clientSql(service: "primary" | "read" | { ordinal: number }, sql: string, timeoutMs = 60000): Promise<RunResult> {
        return this.clientPod.exec("client", this.clientCommand(service, ["-e", sql]), { timeoutMs });
    }

    /** Runs a command in the client pod (its container "client"), `input` on stdin. */
    clientExec(command: readonly string[], input?: string, timeoutMs = 60000): Promise<RunResult> {
        return this.clientPod.exec("client", command, { input, timeoutMs });
    }

    /** A client command line for the given Service (the password is in a mounted file). */
    clientCommand(service: "primary" | "read" | { ordinal: number }, extra: string[]): string[] {
        const client = this.serverEnv.MYSQL_CLIENT;
        const host = typeof service === "string" ? this.serviceHosts[service] : `${this.name}-${service.ordinal}.${this.serviceName}`;
        return [client, "--defaults-file=/etc/e2e-client/app.cnf", ...this.clientTls, "-h", host,
            "-P", String(this.rendered.services.primary.spec.ports[0].port), "--batch", "--skip-column-names",
            appUser.database, ...extra];
    }

    /** Client TLS options when the cluster serves TLS: encrypt and verify the server's name. */
    get clientTls(): string[] {
        if (!this.options.args.tls) {
            return [];
        }
        return this.options.engine === "mariadb"
            ? ["--ssl", "--ssl-ca=/etc/e2e-client/ca.crt", "--ssl-verify-server-cert"]
            : ["--ssl-mode=VERIFY_IDENTITY", "--ssl-ca=/etc/e2e-client/ca.crt"];
    }

    /** pod-exec.sh's environment for the client pod's container, with extra `host:container` mounts. */
    clientEnv(extraMounts: readonly string[] = []): NodeJS.ProcessEnv {
        const env = this.clientPod.execEnv("client");
        return { ...env, POD_MOUNTS: [env.POD_MOUNTS ?? "", ...extraMounts].filter((m) => m !== "").join("\n") };
    }

    /** Waits until every running pod has `rows` rows in the test table. */
    async waitForRows(rows: number, timeoutMs = 120000): Promise<void> {
        for (const ordinal of this.pods.keys()) {
            await waitFor(`${rows} rows on pod ${ordinal}`, timeoutMs, async () =>
                Number(await this.rootSql(ordinal, `SELECT COUNT(*) FROM ${appUser.database}.t`)) === rows);
        }
    }

    /** CHECKSUM TABLE of the test table on every running pod. */
    async checksums(): Promise<Record<number, string>> {
        const sums: Record<number, string> = {};
        for (const ordinal of this.pods.keys()) {
            sums[ordinal] = (await this.rootSql(ordinal, `CHECKSUM TABLE ${appUser.database}.t`)).split("\t")[1];
        }
        return sums;
    }

    private startArgvSampler(): void {
        const sampler = this.argvSampler;
        const sample = async () => {
            const secrets = this.secretValues;
            const ps = await run("ps", ["-eo", "args"]);
            sampler.samples++;
            sampler.processes += ps.stdout.split("\n").length;
            for (const line of ps.stdout.split("\n")) {
                if (secrets.some((secret) => line.includes(secret))) {
                    sampler.leaks.push(line.trim().split(" ")[0]); // the command only: never print the password
                }
            }
            sampler.timer = setTimeout(sample, 1000);
        };
        sampler.timer = setTimeout(sample, 1000);
    }

    /** Deletes the namespace (pods stop with their grace period; volumes go); the pods' logs stay with the agent. */
    async destroy(removeFiles: boolean): Promise<void> {
        clearTimeout(this.argvSampler.timer);
        this.held.clear();
        await this.kube.kubectl(["delete", "namespace", this.namespace, "--wait=true", "--timeout=300s"], { timeoutMs: 320000 });
        if (removeFiles) {
            fs.rmSync(this.workDir, { recursive: true, force: true });
        }
    }
}
