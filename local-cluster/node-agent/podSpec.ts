/**
 * From a v1 Pod to what the harness's Pod class runs (tests/e2e/harness/podTemplate.ts):
 * command + args with $(VAR) expanded, probes as exec commands, mounts (subPath as a
 * synthetic volume "<volume>/<subPath>": volume names cannot contain "/"), the user.
 */
import * as fs from "fs";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { ContainerTemplate, ProbeTemplate } from "../../tests/e2e/harness/podTemplate";
import { ConfigError, expand } from "./env";

/** The pod's hostname as the kubelet sets it: spec.hostname, else the pod name, at most 63 characters. */
export function podHostname(pod: IPod): string {
    return (pod.spec?.hostname ?? pod.metadata?.name ?? "").slice(0, 63).replace(/[.-]+$/, "");
}

export type VolumeKind = "configMap" | "emptyDir" | "claim" | "secret";

/** The host's mysql user and group: the emulated images' non-root user (as in the harness). */
export function hostMysqlIds(): { uid: number; gid: number } {
    const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("mysql:"));
    if (!line) {
        throw new Error("no mysql user on this host (apt-get install mariadb-server)");
    }
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
}

/**
 * uid/gid a container runs as: runAsUser 0 or unset is root (the images' default user);
 * runAsUser 999 is the host's mysql user (the official images' mysql); any other uid runs as itself.
 */
export function containerIds(pod: IPod, c: IContainer | undefined, mysql: { uid: number; gid: number }): { uid: number; gid: number } {
    const runAsUser = c?.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
    const runAsGroup = c?.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup;
    if (runAsUser === undefined || runAsUser === 0) {
        return { uid: 0, gid: 0 };
    }
    // the images' mysql account (999) is the host's mysql (whose ids may differ); any other uid,
    // e.g. 65534 of the metrics exporter, runs as itself
    return runAsUser === imageMysqlUid ? mysql : { uid: runAsUser, gid: runAsGroup ?? runAsUser };
}

/** The uid of `mysql` in the official MySQL and MariaDB images. */
const imageMysqlUid = 999;

function port(c: IContainer, value: number | string | undefined): number {
    if (typeof value === "number") {
        return value;
    }
    const named = c.ports?.find((p) => p.name === value)?.containerPort ?? Number(value);
    if (!Number.isInteger(named)) {
        throw new ConfigError(`container ${c.name}: unknown port ${value}`);
    }
    return named;
}

/** An exec command doing what a tcpSocket or httpGet probe does, from inside the pod (needs bash in the image). */
function probeCommand(c: IContainer, p: IProbe, podIP: string): string[] {
    if (p.exec?.command) {
        return p.exec.command;
    }
    if (p.tcpSocket) {
        return ["bash", "-c", 'exec 3<>"/dev/tcp/$0/$1"', p.tcpSocket.host ?? podIP, String(port(c, p.tcpSocket.port))];
    }
    if (p.httpGet && (p.httpGet.scheme ?? "HTTP") === "HTTP") {
        const script = 'exec 3<>"/dev/tcp/$0/$1" && printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n" "$2" "$0" >&3 && read -r _ code _ <&3 && [[ $code == [23]* ]]';
        return ["bash", "-c", script, p.httpGet.host ?? podIP, String(port(c, p.httpGet.port)), p.httpGet.path ?? "/"];
    }
    throw new ConfigError(`container ${c.name}: only exec, tcpSocket and HTTP httpGet probes are supported`);
}

function probe(c: IContainer, p: IProbe | undefined, podIP: string): ProbeTemplate | undefined {
    return p && {
        command: probeCommand(c, p, podIP),
        periodSeconds: p.periodSeconds ?? 10,
        failureThreshold: p.failureThreshold ?? 3,
        timeoutSeconds: p.timeoutSeconds ?? 1,
    };
}

export const subPathVolume = (volume: string, subPath: string) => `${volume}/${subPath}`;

/** The harness's container: env already resolved to literal values (resolveEnv then copies them). */
export function containerTemplate(c: IContainer, env: Record<string, string>, podIP: string): ContainerTemplate {
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expand(a, env));
    if (!c.command || argv.length === 0) {
        throw new ConfigError(`container ${c.name}: no command; images have no entrypoint here, so command is required`);
    }
    for (const m of c.volumeMounts ?? []) {
        if (m.subPathExpr) {
            throw new ConfigError(`container ${c.name}: subPathExpr is not supported`);
        }
    }
    return {
        name: c.name, image: c.image ?? "", command: argv,
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        mounts: (c.volumeMounts ?? []).map((m) => ({
            name: m.subPath ? subPathVolume(m.name, m.subPath) : m.name, mountPath: m.mountPath, readOnly: m.readOnly,
        })),
        readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem === true,
        preStop: c.lifecycle?.preStop?.exec?.command,
        readinessProbe: probe(c, c.readinessProbe, podIP),
        livenessProbe: probe(c, c.livenessProbe, podIP),
        startupProbe: probe(c, c.startupProbe, podIP),
    };
}

/** Volume name -> the harness's kind (decides which ones it creates and chowns), subPath mounts included. */
export function volumeKinds(pod: IPod): Record<string, VolumeKind> {
    const kinds: Record<string, VolumeKind> = {};
    for (const v of pod.spec?.volumes ?? []) {
        // the harness creates and chowns emptyDir and claim dirs; "configMap" here = provided by the agent as is
        // (configMap, secret, projected, downwardAPI, hostPath)
        kinds[v.name] = v.emptyDir ? "emptyDir" : v.persistentVolumeClaim ? "claim" : "configMap";
    }
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        for (const m of c.volumeMounts ?? []) {
            if (!(m.name in kinds)) {
                throw new ConfigError(`container ${c.name} mounts volume ${m.name}, which the pod does not have`);
            }
            if (m.subPath) {
                kinds[subPathVolume(m.name, m.subPath)] = kinds[m.name];
            }
        }
    }
    return kinds;
}
