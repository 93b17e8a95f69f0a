/**
 * An emulated StatefulSet of the component's pods: the ConfigMap written as files, one
 * network namespace per pod, /etc/hosts per pod standing in for cluster DNS, OrderedReady
 * scaling, and a client namespace that reaches the cluster through the Service names.
 */
import * as fs from "fs";
import * as path from "path";
import { MySqlClusterArgs } from "../../../components";
import { render, RenderedCluster } from "../../helpers/render";
import { ImageRoot, Pod, PodHost } from "./pod";
import { podTemplate, PodTemplate } from "./podTemplate";
import { run, RunResult, waitFor } from "./process";

export const infraDir = path.join(__dirname, "..", "infra");

export interface ClusterOptions {
    readonly engine: "mysql" | "mariadb";
    readonly name: string;
    readonly args: MySqlClusterArgs;
    /** Network name ([a-z0-9]+) and the third octet of the pods' 127.10.x.y addresses. */
    readonly net: string;
    readonly subnet: number;
    readonly workDir: string;
    /** The emulated images: server image -> root filesystem and mysql user. */
    readonly images: (image: string) => ImageRoot;
    readonly log: (message: string) => void;
    /** Secrets that exist in the namespace before the component (e.g. a TLS Secret): name -> key -> value. */
    readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const maxOrdinal = 9;
/** The application database and account the suite asks the component to create. */
export const appUser = { user: "app", password: "app-Pw-4711", database: "appdb" };

export class EmulatedCluster implements PodHost {
    readonly pods = new Map<number, Pod>();
    readonly rendered: RenderedCluster;
    readonly template: PodTemplate;
    readonly net: string;
    readonly workDir: string;
    readonly infraDir = infraDir;
    private readRoundRobin = 0;
    /** Samples of every process's argument list while the cluster runs, searched for passwords. */
    readonly argvSampler = { samples: 0, processes: 0, leaks: [] as string[], timer: undefined as NodeJS.Timeout | undefined };

    private constructor(readonly options: ClusterOptions, rendered: RenderedCluster) {
        this.rendered = rendered;
        this.template = podTemplate(rendered);
        this.net = options.net;
        this.workDir = options.workDir;
    }

    static async create(options: ClusterOptions): Promise<EmulatedCluster> {
        const rendered = await render(options.name, options.args);
        const cluster = new EmulatedCluster(options, rendered);
        await cluster.prepare();
        cluster.startArgvSampler();
        return cluster;
    }

    image(image: string): ImageRoot {
        return this.options.images(image);
    }

    address(ordinal: number): string {
        return `127.10.${this.options.subnet}.${10 + ordinal}`;
    }

    get clientAddress(): string {
        return `127.10.${this.options.subnet}.200`;
    }

    log(message: string): void {
        this.options.log(message);
    }

    hostsFile(podName: string): string {
        return path.join(this.workDir, "hosts", podName);
    }

    /** Service DNS names as the component's outputs give them. */
    get serviceHosts() {
        const ns = this.template.namespace;
        const { services } = this.rendered;
        return {
            primary: `${services.primary.metadata.name}.${ns}.svc`,
            read: `${services.read.metadata.name}.${ns}.svc`,
        };
    }

    private async prepare(): Promise<void> {
        fs.rmSync(this.workDir, { recursive: true, force: true });
        for (const dir of ["hosts", "logs", "env", "pvc", "pods", "client"]) {
            fs.mkdirSync(path.join(this.workDir, dir), { recursive: true });
        }
        fs.chmodSync(path.join(this.workDir, "env"), 0o700);
        for (const { name, defaultMode } of Object.values(this.template.configMapVolumes)) {
            fs.mkdirSync(path.join(this.workDir, "configmaps", name), { recursive: true });
            for (const [file, text] of Object.entries(this.template.configMaps[name])) {
                fs.writeFileSync(path.join(this.workDir, "configmaps", name, file), text, { mode: defaultMode });
            }
        }
        await run(path.join(infraDir, "net.sh"), ["down", this.net]);
        await run(path.join(infraDir, "net.sh"), ["up", this.net]);
        for (let n = 0; n <= maxOrdinal; n++) {
            this.writeHosts(`${this.template.statefulSetName}-${n}`);
        }
        this.writeHosts("client");
        const client = await run(path.join(infraDir, "net.sh"), ["pod-add", this.net, "client", `${this.clientAddress}/16`]);
        if (client.code !== 0) {
            throw new Error(`client namespace: ${client.stderr}`);
        }
        const { uid, gid } = this.image(this.template.containers[0].image);
        // Secret volumes as the kubelet projects them: one file per key, mode defaultMode, group fsGroup
        for (const { secretName, defaultMode } of Object.values(this.template.secretVolumes)) {
            const data = this.options.secrets?.[secretName];
            if (!data) {
                throw new Error(`the pods mount Secret ${secretName}, which the test did not provide`);
            }
            const dir = path.join(this.workDir, "secrets", secretName);
            fs.mkdirSync(dir, { recursive: true });
            for (const [key, value] of Object.entries(data)) {
                fs.writeFileSync(path.join(dir, key), value, { mode: defaultMode });
                fs.chownSync(path.join(dir, key), 0, gid);
                fs.chmodSync(path.join(dir, key), defaultMode);
            }
            if (data["ca.crt"]) {
                fs.writeFileSync(path.join(this.workDir, "client", "ca.crt"), data["ca.crt"], { mode: 0o644 });
            }
        }
        const cnf = path.join(this.workDir, "client", "app.cnf");
        fs.writeFileSync(cnf, `[client]\nuser=${appUser.user}\npassword=${appUser.password}\nconnect-timeout=5\n`, { mode: 0o600 });
        fs.chownSync(cnf, uid, gid);
    }

    /** The pod's /etc/hosts: every pod's headless name, the primary Service, and the read Service. */
    private writeHosts(podName: string, readTarget = 0): void {
        const ns = this.template.namespace;
        const svc = this.template.serviceName;
        const lines = ["127.0.0.1 localhost"];
        for (let n = 0; n <= maxOrdinal; n++) {
            const pod = `${this.template.statefulSetName}-${n}`;
            lines.push(`${this.address(n)} ${pod}.${svc} ${pod}.${svc}.${ns}.svc ${pod}.${svc}.${ns}.svc.cluster.local`);
        }
        lines.push(`${this.address(0)} ${this.serviceHosts.primary}`);
        lines.push(`${this.address(readTarget)} ${this.serviceHosts.read}`);
        // written in place: the file is bind-mounted into running pods
        fs.writeFileSync(this.hostsFile(podName), lines.join("\n") + "\n");
    }

    /**
     * Scales like the StatefulSet controller with Parallel pod management, after Pulumi updated the
     * topology ConfigMap: every missing pod starts at once; surplus pods go from the highest ordinal.
     */
    async scaleTo(replicas: number, readyTimeoutMs = 300000): Promise<void> {
        this.setTopology(Math.max(replicas, ...[...this.pods.keys()].map((n) => n + 1)));
        const missing = Array.from({ length: replicas }, (_, n) => n).filter((n) => !this.pods.has(n));
        await Promise.all(missing.map((n) => this.startPod(n, readyTimeoutMs)));
        const doomed = [...this.pods.keys()].filter((n) => n >= replicas).sort((a, b) => b - a);
        for (const n of doomed) {
            await this.deletePod(n);
        }
        this.setTopology(replicas);
    }

    /** The topology ConfigMap's replica count, as the kubelet refreshes a mounted ConfigMap. */
    setTopology(replicas: number): void {
        const name = this.rendered.topologyConfigMap.metadata.name;
        fs.writeFileSync(path.join(this.workDir, "configmaps", name, "replicas"), String(replicas));
    }

    async startPod(ordinal: number, readyTimeoutMs = 300000): Promise<Pod> {
        const pod = this.launchPod(ordinal);
        await pod.waitReady(readyTimeoutMs);
        this.log(`${pod.name} ready`);
        return pod;
    }

    /** Creates a pod and starts it without waiting for anything (init containers may wait on peers). */
    launchPod(ordinal: number): Pod {
        const pod = new Pod(this, ordinal);
        this.pods.set(ordinal, pod);
        this.log(`starting ${pod.name}`);
        pod.start().catch((error) => this.log(`${pod.name}: ${error}`));
        return pod;
    }

    /** Cuts (or restores) a pod's network link, as a node or network failure would. */
    async setLink(ordinal: number, up: boolean): Promise<void> {
        const pod = this.pod(ordinal);
        const result = await run("ip", ["-n", `${this.net}-${pod.name}`, "link", "set", "eth0", up ? "up" : "down"]);
        if (result.code !== 0) {
            throw new Error(`link ${up ? "up" : "down"} on ${pod.name}: ${result.stderr}`);
        }
    }

    async deletePod(ordinal: number): Promise<void> {
        const pod = this.pod(ordinal);
        await pod.stop();
        this.pods.delete(ordinal);
    }

    /** A node failure under the pod: every process killed at once (no preStop, no grace). */
    async crashPod(ordinal: number): Promise<void> {
        await this.pod(ordinal).stop(0, true);
        this.pods.delete(ordinal);
    }

    /** Pod restart (deleted and recreated by the controller): init containers run again. */
    async restartPod(ordinal: number, readyTimeoutMs = 300000): Promise<Pod> {
        await this.deletePod(ordinal);
        return this.startPod(ordinal, readyTimeoutMs);
    }

    /** Deletes a stopped pod's PersistentVolumeClaim (its data). */
    deleteVolume(ordinal: number): void {
        fs.rmSync(this.claimDir(ordinal), { recursive: true, force: true });
    }

    /** The host directory behind pod `ordinal`'s data claim (it outlives the pod). */
    claimDir(ordinal: number): string {
        const [volume] = Object.entries(this.template.volumes).find(([, kind]) => kind === "claim")!;
        return path.join(this.workDir, "pvc", `${volume}-${this.template.statefulSetName}-${ordinal}`);
    }

    pod(ordinal: number): Pod {
        const pod = this.pods.get(ordinal);
        if (!pod) {
            throw new Error(`no pod ${ordinal}`);
        }
        return pod;
    }

    /** The server container's literal (non-secret) environment: client binary, paths, dialect. */
    get serverEnv(): Record<string, string> {
        const mysql = this.template.containers[0];
        return Object.fromEntries(mysql.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    }

    /** SQL as root over the pod's socket, with the credentials file the component's scripts wrote. */
    async rootSql(ordinal: number, sql: string, format: readonly string[] = ["--batch", "--skip-column-names"]): Promise<string> {
        const pod = this.pod(ordinal);
        const env = this.serverEnv;
        // SQL on stdin, never in an argument list
        const result = await pod.exec(this.template.containers[0].name,
            [env.MYSQL_CLIENT, `--defaults-file=${env.RUN_DIR}/root.cnf`, ...format], { input: sql });
        if (result.code !== 0) {
            throw new Error(`${pod.name}: ${sql}: ${result.stderr}`);
        }
        return result.stdout.trim();
    }

    /** SQL as the application user from the client namespace, through a Service name. */
    async clientSql(service: "primary" | "read" | { ordinal: number }, sql: string, timeoutMs = 60000): Promise<RunResult> {
        if (service === "read") {
            const ready = [...this.pods.values()].filter((p) => p.ready).map((p) => p.ordinal);
            if (ready.length === 0) {
                throw new Error("the read Service has no ready endpoint");
            }
            this.writeHosts("client", ready[this.readRoundRobin++ % ready.length]);
        }
        return run(path.join(infraDir, "pod-exec.sh"), this.clientCommand(service, ["-e", sql]), {
            env: this.clientEnv(), timeoutMs,
        });
    }

    /** A client command line for the given Service (the password is in a mounted file). */
    clientCommand(service: "primary" | "read" | { ordinal: number }, extra: string[]): string[] {
        const client = this.serverEnv.MYSQL_CLIENT;
        const host = typeof service === "string" ? this.serviceHosts[service]
            : `${this.template.statefulSetName}-${service.ordinal}.${this.template.serviceName}`;
        return [client, "--defaults-file=/etc/e2e-client/app.cnf", ...this.clientTls, "-h", host,
            "-P", String(this.rendered.services.primary.spec.ports[0].port), "--batch", "--skip-column-names",
            appUser.database, ...extra];
    }

    /** Client TLS options when the cluster serves TLS: encrypt and verify the server's name. */
    get clientTls(): string[] {
        if (Object.keys(this.template.secretVolumes).length === 0) {
            return [];
        }
        return this.options.engine === "mariadb"
            ? ["--ssl", "--ssl-ca=/etc/e2e-client/ca.crt", "--ssl-verify-server-cert"]
            : ["--ssl-mode=VERIFY_IDENTITY", "--ssl-ca=/etc/e2e-client/ca.crt"];
    }

    clientEnv(extraMounts: readonly string[] = []): NodeJS.ProcessEnv {
        const image = this.image(this.template.containers[0].image);
        return {
            PATH: process.env.PATH,
            POD_NETNS: `${this.net}-client`,
            POD_HOSTNAME: "client",
            POD_ROOT: image.root,
            POD_MOUNTS: [`${path.join(this.workDir, "client")}:/etc/e2e-client:ro`, ...extraMounts].join("\n"),
            POD_HOSTS_FILE: this.hostsFile("client"),
            POD_UID: String(image.uid),
            POD_GID: String(image.gid),
        };
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
        for (const ordinal of [...this.pods.keys()].sort()) {
            sums[ordinal] = (await this.rootSql(ordinal, `CHECKSUM TABLE ${appUser.database}.t`)).split("\t")[1];
        }
        return sums;
    }

    private startArgvSampler(): void {
        const secrets = Object.values(this.template.secretData).filter((v) => v.length > 0);
        const sampler = this.argvSampler;
        const sample = async () => {
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

    /** Stops every pod and removes the network; volumes stay for the logs unless `removeFiles`. */
    async destroy(removeFiles: boolean): Promise<void> {
        clearTimeout(this.argvSampler.timer);
        for (const ordinal of [...this.pods.keys()].sort((a, b) => b - a)) {
            await this.deletePod(ordinal).catch((error) => this.log(`cleanup of pod ${ordinal}: ${error}`));
        }
        await run(path.join(infraDir, "net.sh"), ["down", this.net]);
        if (removeFiles) {
            fs.rmSync(this.workDir, { recursive: true, force: true });
        }
    }
}
