/**
 * TLS from an existing Secret, on its own cluster per engine: a CA and a server certificate made
 * with openssl for the pods' and Services' names, `requireSecureTransport` on.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { appUser, infraDir } from "./harness/cluster";
import { run, runOk, waitFor } from "./harness/process";
import { replicaStatus, Scenario } from "./scenarios";
import { createAppSchema, writeRows } from "./workload";

/** ca.crt, tls.crt, tls.key as cert-manager would store them, for the StatefulSet `name`. */
export async function makeTlsSecret(name: string, namespace: string): Promise<Record<string, string>> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-tls-"));
    const at = (f: string) => path.join(dir, f);
    try {
        await runOk("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", at("ca.key"),
            "-out", at("ca.crt"), "-days", "2", "-subj", "/CN=mysql-cluster-e2e-ca"]);
        await runOk("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", at("tls.key"), "-out", at("tls.csr"),
            "-subj", `/CN=${name}`]);
        // OpenSSL refuses a wildcard with a single label after it (*.db): pods are *.<svc>.<ns>.svc
        const names = [`*.${name}.${namespace}.svc`, `${name}-primary.${namespace}.svc`, `${name}-read.${namespace}.svc`];
        fs.writeFileSync(at("ext"), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
        await runOk("openssl", ["x509", "-req", "-in", at("tls.csr"), "-CA", at("ca.crt"), "-CAkey", at("ca.key"),
            "-CAcreateserial", "-out", at("tls.crt"), "-days", "2", "-extfile", at("ext")]);
        return Object.fromEntries(["ca.crt", "tls.crt", "tls.key"].map((f) => [f, fs.readFileSync(at(f), "utf8")]));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const tlsScenarios: Scenario[] = [
    {
        name: "T1. TLS: 3 pods from empty; replication and the clone run over verified TLS",
        async run(cluster) {
            await cluster.scaleTo(3);
            await createAppSchema(cluster);
            for (const n of [1, 2]) {
                const status = await replicaStatus(cluster, n);
                const field = (name: string) => status[`Master_${name}`] ?? status[`Source_${name}`];
                assert.equal(field("SSL_Allowed"), "Yes", `replica ${n} does not use TLS`);
                assert.equal(field("SSL_Verify_Server_Cert"), "Yes", `replica ${n} does not verify its source`);
                assert.equal(status.Slave_IO_Running ?? status.Replica_IO_Running, "Yes", `replica ${n} is not connected`);
            }
            const rows = await writeRows(cluster, 100, "t1");
            await cluster.waitForRows(rows);
            const sums = new Set(Object.values(await cluster.checksums()));
            assert.equal(sums.size, 1, "checksums differ");
            return `replicas connect with SSL and verify the source certificate; ${rows} rows equal on 3 pods`;
        },
    },
    {
        name: "T2. TLS: require_secure_transport refuses a plaintext client; a verifying TLS client works",
        async run(cluster) {
            const plain = cluster.options.engine === "mariadb" ? "--skip-ssl" : "--ssl-mode=DISABLED";
            const [client, defaults, ...rest] = cluster.clientCommand("primary", ["-e", "SELECT 1"]);
            const withoutTls = [client, defaults, plain, ...rest.filter((a) => !cluster.clientTls.includes(a))];
            const refused = await run(path.join(infraDir, "pod-exec.sh"), withoutTls, { env: cluster.clientEnv() });
            assert.notEqual(refused.code, 0, "a plaintext client was let in");
            // MySQL and MariaDB 11 name the reason (3159); MariaDB 10.11 answers "Access denied" (the same
            // account gets in over TLS below)
            assert.match(refused.stderr, cluster.flavor.plaintextRefusal === "insecure-transport"
                ? /ERROR 3159 .*insecure transport/i : /ERROR 1045 .*Access denied/);
            const ok = await cluster.clientSql("primary", "SELECT COUNT(*) FROM t");
            assert.equal(ok.code, 0, `the same account over TLS: ${ok.stderr}`);
            return `plaintext refused (${refused.stderr.trim().split("\n").pop()}); TLS with name verification accepted`;
        },
    },
    {
        name: "T3. TLS renewal: a new certificate and CA in the Secret are loaded without a restart; clients and replicas verify the new chain",
        async run(cluster) {
            const before = cluster.restartSummary();
            // a renewal with a new CA (the hardest case: the old chain no longer verifies)
            const renewed = await makeTlsSecret(cluster.name, cluster.namespace);
            await cluster.applySecret(`${cluster.name}-tls`, renewed);
            await cluster.setClientPassword(appUser.password, { "ca.crt": renewed["ca.crt"] });
            for (const n of [0, 1, 2]) {
                await waitFor(`pod ${n} loaded the renewed certificate`, 120000, async () =>
                    /TLS certificate loaded from .* \(it changed\)/.test(cluster.podLog(n, "member-0")) || undefined);
            }
            // a client that trusts only the new CA, verifying the server's name, through both Services
            for (const service of ["primary", "read"] as const) {
                const r = await cluster.clientSql(service, "SELECT COUNT(*) FROM t");
                assert.equal(r.code, 0, `${service} with the new chain: ${r.stderr}`);
            }
            // replicas reconnect and verify pod 0's new certificate against the new CA file
            const stopIo = cluster.serverEnv.REPLICATION_SYNTAX === "source" ? "STOP REPLICA IO_THREAD" : "STOP SLAVE IO_THREAD";
            for (const n of [1, 2]) {
                await cluster.rootSql(n, stopIo);
            }
            const rows = await writeRows(cluster, 10, "t3");
            await cluster.waitForRows(rows);
            for (const n of [1, 2]) {
                const status = await replicaStatus(cluster, n);
                assert.equal(status.Slave_IO_Running ?? status.Replica_IO_Running, "Yes", `replica ${n} did not reconnect over the new chain`);
            }
            assert.equal(cluster.restartSummary(), before, "a container restarted for the renewal");
            return `renewed certificate and CA loaded by all 3 servers without a restart (${cluster.serverEnv.TLS_RELOAD_SQL}); ` +
                `clients verifying only the new CA connect through both Services; replicas reconnected; ${rows} rows equal`;
        },
    },
];
