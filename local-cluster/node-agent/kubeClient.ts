/**
 * A small Kubernetes API client: kubeconfig (client certificate or token), JSON requests,
 * and watches. Written here instead of using @kubernetes/client-node, whose 1.x and 2.x
 * releases are ESM-only (this repo runs CommonJS under ts-node).
 */
import * as fs from "fs";
import * as https from "https";
import { URL } from "url";
import * as YAML from "yaml";

export class ApiError extends Error {
    constructor(readonly status: number, readonly reason: string, message: string) {
        super(message);
    }
}

export interface WatchEvent<T> {
    readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
    readonly object: T;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

interface Credentials {
    readonly server: string;
    readonly ca?: Buffer;
    readonly cert?: Buffer;
    readonly key?: Buffer;
    readonly token?: string;
    readonly insecure: boolean;
}

/** Inline `<field>-data` (base64) or a file path relative to the kubeconfig. */
function material(entry: any, field: string, baseDir: string): Buffer | undefined {
    if (entry?.[`${field}-data`]) {
        return Buffer.from(entry[`${field}-data`], "base64");
    }
    if (entry?.[field]) {
        const file = entry[field].startsWith("/") ? entry[field] : `${baseDir}/${entry[field]}`;
        return fs.readFileSync(file);
    }
    return undefined;
}

export function loadKubeconfig(file: string): Credentials {
    const config = YAML.parse(fs.readFileSync(file, "utf8"));
    const baseDir = file.replace(/\/[^/]*$/, "") || ".";
    const context = config.contexts?.find((c: any) => c.name === config["current-context"])?.context;
    if (!context) {
        throw new Error(`${file}: no current-context`);
    }
    const cluster = config.clusters?.find((c: any) => c.name === context.cluster)?.cluster;
    const user = config.users?.find((u: any) => u.name === context.user)?.user ?? {};
    if (!cluster?.server) {
        throw new Error(`${file}: context ${config["current-context"]} names no cluster with a server`);
    }
    return {
        server: cluster.server,
        ca: material(cluster, "certificate-authority", baseDir),
        cert: material(user, "client-certificate", baseDir),
        key: material(user, "client-key", baseDir),
        token: user.token,
        insecure: cluster["insecure-skip-tls-verify"] === true,
    };
}

export class KubeClient {
    private readonly agent: https.Agent;

    constructor(private readonly credentials: Credentials) {
        this.agent = new https.Agent({
            keepAlive: true, ca: credentials.ca, cert: credentials.cert, key: credentials.key,
            rejectUnauthorized: !credentials.insecure,
        });
    }

    static fromKubeconfig(file: string): KubeClient {
        return new KubeClient(loadKubeconfig(file));
    }

    private url(path: string, query: Query = {}): URL {
        const url = new URL(path, this.credentials.server);
        for (const [key, value] of Object.entries(query)) {
            if (value !== undefined) {
                url.searchParams.set(key, String(value));
            }
        }
        return url;
    }

    private open(method: string, url: URL, body?: unknown, contentType = "application/json"): Promise<import("http").IncomingMessage> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const req = https.request(url, {
                method, agent: this.agent,
                headers: {
                    Accept: "application/json",
                    ...(this.credentials.token ? { Authorization: `Bearer ${this.credentials.token}` } : {}),
                    ...(payload !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}),
                },
            }, resolve);
            req.on("error", reject);
            req.end(payload);
        });
    }

    /** One request; the JSON answer, or ApiError with the API's status code and reason. */
    async request<T = any>(method: string, path: string, options: { query?: Query; body?: unknown; contentType?: string } = {}): Promise<T> {
        const res = await this.open(method, this.url(path, options.query), options.body, options.contentType);
        const chunks: Buffer[] = [];
        for await (const chunk of res) {
            chunks.push(chunk as Buffer);
        }
        const text = Buffer.concat(chunks).toString("utf8");
        const parsed = text ? safeJson(text) : undefined;
        if ((res.statusCode ?? 500) >= 300) {
            throw new ApiError(res.statusCode ?? 500, parsed?.reason ?? "", `${method} ${path}: ${res.statusCode} ${parsed?.message ?? text}`);
        }
        return parsed as T;
    }

    get<T = any>(path: string, query?: Query): Promise<T> {
        return this.request<T>("GET", path, { query });
    }

    /** GET that answers undefined for 404 Not Found. */
    async find<T = any>(path: string): Promise<T | undefined> {
        try {
            return await this.get<T>(path);
        } catch (error) {
            if (error instanceof ApiError && error.status === 404) {
                return undefined;
            }
            throw error;
        }
    }

    create<T = any>(path: string, body: unknown): Promise<T> {
        return this.request<T>("POST", path, { body });
    }

    put<T = any>(path: string, body: unknown): Promise<T> {
        return this.request<T>("PUT", path, { body });
    }

    /** PATCH: "merge" (RFC 7386) or "strategic" (Kubernetes strategic merge patch). */
    patch<T = any>(path: string, body: unknown, kind: "merge" | "strategic" = "merge"): Promise<T> {
        return this.request<T>("PATCH", path, {
            body, contentType: kind === "merge" ? "application/merge-patch+json" : "application/strategic-merge-patch+json",
        });
    }

    delete<T = any>(path: string, body?: unknown): Promise<T> {
        return this.request<T>("DELETE", path, { body });
    }

    /**
     * A watch: calls `onEvent` per event until the server ends the stream (resolves) or the
     * connection fails (rejects). `abort` ends it early.
     */
    async watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, abort: AbortSignal): Promise<void> {
        const res = await this.open("GET", this.url(path, { ...query, watch: 1, allowWatchBookmarks: true }));
        if ((res.statusCode ?? 500) >= 300) {
            res.resume();
            throw new ApiError(res.statusCode ?? 500, "", `watch ${path}: ${res.statusCode}`);
        }
        const stop = () => res.destroy();
        abort.addEventListener("abort", stop);
        let buffered = "";
        try {
            for await (const chunk of res) {
                buffered += (chunk as Buffer).toString("utf8");
                let newline: number;
                while ((newline = buffered.indexOf("\n")) >= 0) {
                    const line = buffered.slice(0, newline).trim();
                    buffered = buffered.slice(newline + 1);
                    if (line) {
                        onEvent(JSON.parse(line));
                    }
                }
            }
        } catch (error) {
            if (!abort.aborted) {
                throw error;
            }
        } finally {
            abort.removeEventListener("abort", stop);
        }
    }
}

function safeJson(text: string): any {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
