/**
 * The kubelet's HTTPS endpoint, reduced to what `kubectl logs` needs: the API server
 * proxies GET /containerLogs/<namespace>/<pod>/<container> here (client certificate
 * required, signed by the cluster CA). Supports previous, tailLines, limitBytes and follow;
 * exec, attach and port-forward are not served (see local-cluster/kexec.sh).
 */
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { URL } from "url";
import { containerLogFiles, podDirOf, tail } from "./logs";

export interface LogSource {
    readonly stateDir: string;
    /** uid and hostname of the live pod <namespace>/<name>, when the API knows it. */
    pod(namespace: string, name: string): { uid?: string; hostname: string; running: boolean } | undefined;
}

export interface ServerOptions {
    readonly address: string;
    readonly port: number;
    readonly cert: string;
    readonly key: string;
    readonly ca: string;
}

function send(res: http.ServerResponse, code: number, text: string): void {
    res.writeHead(code, { "Content-Type": "text/plain" });
    res.end(text);
}

export function startKubeletServer(options: ServerOptions, logs: LogSource, log: (m: string) => void): https.Server {
    const server = https.createServer({
        cert: fs.readFileSync(options.cert), key: fs.readFileSync(options.key), ca: fs.readFileSync(options.ca),
        requestCert: true, rejectUnauthorized: true,
    }, (req, res) => {
        const url = new URL(req.url ?? "/", "https://kubelet");
        if (url.pathname === "/healthz") {
            send(res, 200, "ok");
            return;
        }
        const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
        if (req.method !== "GET" || !match) {
            send(res, 404, `${url.pathname}: not served by the local-cluster node agent (logs only; exec: local-cluster/kexec.sh)`);
            return;
        }
        const [, namespace, name, container] = match.map(decodeURIComponent);
        const pod = logs.pod(namespace, name);
        const dir = podDirOf(logs.stateDir, namespace, name, pod?.uid);
        const files = dir ? containerLogFiles(dir, pod?.hostname ?? name, container) : [];
        const previous = url.searchParams.get("previous") === "true";
        const file = files[files.length - (previous ? 2 : 1)];
        if (!file) {
            send(res, 400, `previous terminated container "${container}" in pod "${name}" not found`);
            return;
        }
        const number = (key: string) => (url.searchParams.has(key) ? Number(url.searchParams.get(key)) : undefined);
        res.writeHead(200, { "Content-Type": "text/plain" });
        const content = fs.readFileSync(file);
        res.write(tail(content, number("tailLines"), number("limitBytes")));
        if (url.searchParams.get("follow") !== "true" || previous) {
            res.end();
            return;
        }
        // follow: stream what is appended until the client goes, the container restarts or the pod stops
        let offset = content.length;
        const timer = setInterval(() => {
            const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
            if (size > offset) {
                const fd = fs.openSync(file, "r");
                const chunk = Buffer.alloc(size - offset);
                fs.readSync(fd, chunk, 0, chunk.length, offset);
                fs.closeSync(fd);
                offset = size;
                res.write(chunk);
            }
            const now = logs.pod(namespace, name);
            const newest = dir ? containerLogFiles(dir, now?.hostname ?? name, container).pop() : undefined;
            if (!now?.running || newest !== file) {
                clearInterval(timer);
                res.end();
            }
        }, 500);
        req.on("close", () => clearInterval(timer));
    });
    server.on("tlsClientError", (error) => log(`kubelet endpoint: TLS client error: ${error.message}`));
    server.listen(options.port, options.address, () => log(`kubelet endpoint on https://${options.address}:${options.port}`));
    return server;
}
