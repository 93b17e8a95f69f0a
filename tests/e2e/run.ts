/**
 * The real replication suite: `npm run test:e2e` (Linux, root). Starts the real control plane
 * with the project's node agent in this process (harness/kube.ts); for each engine, one cluster
 * of the component in its own namespace runs the scenarios in order; prints each scenario's wall
 * time and a final "N passed, N failed" line.
 */
import { MySqlClusterArgs } from "../../components";
import { appUser, KubeCluster } from "./harness/cluster";
import { TestKube } from "./harness/kube";
import { EngineVersions, ensureImages, imageResolver } from "./images";
import { faults } from "./faults";
import { credentialScenarios } from "./credentials";
import { safety } from "./safety";
import { safetyRound2, shortBudget } from "./safetyRound2";
import { leakCheck, scenarios, Scenario } from "./scenarios";
import { makeTlsSecret, tlsScenarios } from "./tls";

/** One engine version of the matrix, with the scenarios it runs (TLS suites run on every one). */
interface MatrixEntry {
    /** What E2E_ENGINES selects, and the results table's label. */
    readonly key: string;
    readonly engine: "mysql" | "mariadb";
    readonly version: string;
    readonly scenarios: readonly Scenario[];
    /** Args of this version's main suite beyond the common ones. */
    readonly extraArgs?: MySqlClusterArgs;
}

/**
 * The versions the suite proves: every scenario on MariaDB 10.11 (the host) and MySQL 9.x (sid);
 * bootstrap, scaling and the faults on MariaDB 11.8 (trixie), which shares 10.11's scripts.
 */
function versionMatrix(versions: EngineVersions): MatrixEntry[] {
    // round two last before the leak check: D12 leaves pods restarted in an order the rotation scenario (C1) does not expect
    const everything = [...scenarios, ...faults, ...safety, ...credentialScenarios, ...safetyRound2, leakCheck];
    return [
        { key: "mariadb", engine: "mariadb", version: versions.mariadbVersion, scenarios: everything },
        { key: "mysql", engine: "mysql", version: versions.mysqlVersion, scenarios: everything },
        // the shortest startupTimeoutSeconds allowed: every scenario of this version runs with liveness
        // 60 s after the last progress, and D14 copies for longer than that in a server container
        {
            key: `mariadb${versions.mariadb118Version}`, engine: "mariadb", version: versions.mariadb118Version,
            scenarios: [...scenarios, ...faults, ...safetyRound2, ...shortBudget, leakCheck], extraArgs: { startupTimeoutSeconds: 60 },
        },
    ];
}

interface Outcome {
    readonly engine: string;
    readonly scenario: string;
    readonly ok: boolean;
    readonly seconds: number;
    readonly detail: string;
}

const started = Date.now();
const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
const log = (message: string) => console.log(`${stamp()} ${message}`);
const live: KubeCluster[] = [];
let kube: TestKube | undefined;

// passwords with quotes, backslashes and spaces: the scripts must carry them intact
const passwords = { rootPassword: `r00t"pw'x\\y;`, replicationPassword: "repl pw$1 `x`", backupPassword: "back'up\\pw" };

interface Suite {
    readonly label: string;
    readonly namespace: string;
    readonly extraArgs: MySqlClusterArgs;
    readonly secrets?: Record<string, Record<string, string>>;
    readonly scenarios: readonly Scenario[];
}

async function runSuite(engine: "mysql" | "mariadb", version: string, suite: Suite, only: RegExp | undefined): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    if (!suite.scenarios.some((s) => !only || only.test(s.name))) {
        return outcomes;
    }
    const args: MySqlClusterArgs = {
        // primaryPeerWaitSeconds is the user's setting too: shorter waits, not test-only code paths
        engine, version, replicas: 3, primaryPeerWaitSeconds: 10, ...passwords,
        // up to 15 pods of three versions on one 2-core node: small requests, as a user of a small node sets
        // them. CPU requests must fit the node's 2000m or a pod stays Pending: at the peak (every version
        // at 5 pods) 5 x (80 + 20 + 20 + 5) x 2 + 5 x (80 + 20 + 5) = 1775m. (With 100m and an exporter at
        // 10m they came to 2150m, and a MySQL scale-up waited 6 minutes for the scheduler.)
        resources: { requests: { cpu: "80m", memory: "256Mi" } }, sidecarResources: { requests: { cpu: "20m", memory: "64Mi" } },
        database: appUser.database, user: appUser.user, userPassword: appUser.password,
        // every pod runs the metrics exporter (scenario M1 scrapes it): the default image, built from source here
        metrics: { resources: { requests: { cpu: "5m", memory: "32Mi" } } },
        ...suite.extraArgs,
    };
    const cluster = await KubeCluster.create({
        engine, name: "db", namespace: suite.namespace, args, kube: kube!, workDir: `/tmp/mysql-cluster-e2e/${suite.namespace}`,
        images: await imageResolver(), log: (m) => log(`[${suite.label}] ${m}`), secrets: suite.secrets,
    });
    live.push(cluster);
    let failed = false;
    try {
        for (const scenario of suite.scenarios) {
            if (only && !only.test(scenario.name)) {
                continue;
            }
            const t0 = Date.now();
            log(`[${suite.label}] ${scenario.name}`);
            try {
                const detail = (await scenario.run(cluster)) ?? "";
                outcomes.push({ engine: suite.label, scenario: scenario.name, ok: true, seconds: (Date.now() - t0) / 1000, detail });
                log(`[${suite.label}] PASS ${scenario.name}: ${detail}`);
            } catch (error) {
                failed = true;
                const detail = error instanceof Error ? error.message : String(error);
                outcomes.push({ engine: suite.label, scenario: scenario.name, ok: false, seconds: (Date.now() - t0) / 1000, detail });
                log(`[${suite.label}] FAIL ${scenario.name}: ${detail}`);
            }
        }
    } finally {
        // logs stay on failure, for the next person to read
        await cluster.destroy(!failed);
        live.splice(live.indexOf(cluster), 1);
    }
    return outcomes;
}

async function main(): Promise<number> {
    if (process.platform !== "linux" || process.getuid?.() !== 0) {
        console.error("test:e2e needs Linux and root (network and mount namespaces); it did NOT run.");
        console.log("0 passed, 1 failed");
        return 1;
    }
    const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : undefined;
    const versions = await ensureImages(log);
    log(`images: MariaDB ${versions.mariadbVersion} (host), MariaDB ${versions.mariadb118Version} (Debian trixie root), ` +
        `MySQL ${versions.mysqlVersion} (Debian sid root)`);
    const matrix = versionMatrix(versions);
    const selected = (process.env.E2E_ENGINES ?? matrix.map((m) => m.key).join(",")).split(",");
    kube = await TestKube.start(log);
    // each version's suites in order; the versions side by side (separate networks and volumes), so
    // the suite fits CI's budget. E2E_SERIAL=1 runs them one after the other.
    const versionRun = async (entry: MatrixEntry): Promise<Outcome[]> => [
        ...await runSuite(entry.engine, entry.version, {
            label: entry.key, namespace: `e2e-${entry.key.replace(/\W/g, "")}`, extraArgs: entry.extraArgs ?? {}, scenarios: entry.scenarios,
        }, only),
        ...await runSuite(entry.engine, entry.version, {
            label: `${entry.key}+tls`, namespace: `tls-${entry.key.replace(/\W/g, "")}`,
            secrets: { "db-tls": await makeTlsSecret("db", `tls-${entry.key.replace(/\W/g, "")}`) },
            extraArgs: { tls: { secretName: "db-tls", requireSecureTransport: true } }, scenarios: tlsScenarios,
        }, only),
    ];
    const runs = matrix.filter((m) => selected.includes(m.key));
    const outcomes: Outcome[] = [];
    if (process.env.E2E_SERIAL === "1") {
        for (const entry of runs) {
            outcomes.push(...await versionRun(entry));
        }
    } else {
        for (const result of await Promise.all(runs.map(versionRun))) {
            outcomes.push(...result);
        }
    }
    console.log("\nscenario | engine | result | wall time");
    console.log("--- | --- | --- | ---");
    for (const o of outcomes) {
        console.log(`${o.scenario} | ${o.engine} | ${o.ok ? "pass" : "FAIL"} | ${o.seconds.toFixed(1)} s`);
    }
    const passed = outcomes.filter((o) => o.ok).length;
    const failed = outcomes.length - passed;
    // on failure the state (pods' logs, the agent's log) stays for the next person to read
    await kube.stop(failed === 0);
    kube = undefined;
    console.log(`\ntotal wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`${passed} passed, ${failed} failed`);
    // the reasons last, where a log's tail (CI keeps only that) still shows them
    for (const o of outcomes.filter((x) => !x.ok)) {
        console.log(`FAILED ${o.scenario} [${o.engine}]: ${o.detail}`);
    }
    return failed === 0 && passed > 0 ? 0 : 1;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
        log(`${signal}: cleaning up`);
        await Promise.all(live.map((c) => c.destroy(false)));
        await kube?.stop(false);
        process.exit(130);
    });
}

main().then((code) => process.exit(code), async (error) => {
    console.error(error);
    await Promise.all(live.map((c) => c.destroy(false)));
    await kube?.stop(false);
    console.log("0 passed, 1 failed");
    process.exit(1);
});
