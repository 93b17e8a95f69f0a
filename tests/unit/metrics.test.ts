import { strict as assert } from "assert";
import { MySqlClusterArgsError, resolveConfig } from "../../components/config";
import { runScriptFunctions } from "../helpers/bash";
import { containersByName, envOf, render } from "../helpers/render";

const serviceMonitorType = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const prometheusRuleType = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

function problemsOf(args: object): string[] {
    try {
        resolveConfig("db", args);
    } catch (error) {
        assert.ok(error instanceof MySqlClusterArgsError);
        return [...error.problems];
    }
    return [];
}

describe("metrics: the exporter sidecar and the monitoring objects", () => {
    it("without `metrics`: no exporter, no metrics port, no account env, no monitoring objects", async () => {
        const { statefulSet, configMap, services, resources } = await render("db", { engine: "mariadb" });
        const containers = containersByName(statefulSet);
        assert.equal(containers.metrics, undefined);
        assert.equal(configMap.data["exporter.cnf"], undefined);
        assert.ok(!services.headless.spec.ports.some((p: any) => p.name === "metrics"));
        assert.equal(envOf(containers.member).METRICS_USER, undefined);
        assert.ok(!resources.some((r) => r.type === serviceMonitorType || r.type === prometheusRuleType));
    });

    for (const engine of ["mysql", "mariadb"] as const) {
        it(`${engine}: an exporter per pod, as uid 65534 over the socket, with no Secret mounted and no password`, async () => {
            const { statefulSet, configMap, services, resources } = await render("db", { engine, metrics: {} });
            const containers = containersByName(statefulSet);
            const exporter = containers.metrics;
            assert.equal(exporter.image, "prom/mysqld-exporter:v0.16.0");
            assert.deepEqual(exporter.command, ["/bin/mysqld_exporter"]);
            assert.deepEqual(exporter.args, ["--config.my-cnf=/opt/mysql-cluster/exporter.cnf", "--web.listen-address=:9104"]);
            assert.deepEqual(exporter.ports, [{ name: "metrics", containerPort: 9104 }]);
            assert.equal(exporter.securityContext.runAsUser, 65534);
            assert.equal(exporter.securityContext.readOnlyRootFilesystem, true);
            assert.equal(exporter.readinessProbe, undefined, "an exporter must never take the pod out of the Services");
            assert.equal(exporter.env, undefined);
            const mounts = exporter.volumeMounts.map((m: any) => [m.mountPath, m.readOnly === true]);
            assert.deepEqual(mounts, [["/opt/mysql-cluster", true], ["/var/run/mysqld", true]]);
            // its option file: the socket account, no secret from the Secret
            const cnf = configMap.data["exporter.cnf"];
            assert.match(cnf, /^\[client\]$/m);
            assert.match(cnf, /^user=nobody$/m);
            assert.match(cnf, /^socket=\/var\/run\/mysqld\/mysqld\.sock$/m);
            assert.doesNotMatch(cnf, /^password/m);
            // the member agent creates the account, with the flavor's grants
            const env = envOf(containers.member);
            assert.equal(env.METRICS_USER, "nobody");
            assert.equal(env.METRICS_GRANTS, engine === "mysql" ? "PROCESS, REPLICATION CLIENT" : "PROCESS, BINLOG MONITOR, SLAVE MONITOR");
            // scraped through the headless Service only, admitted by the NetworkPolicy
            assert.deepEqual(services.headless.spec.ports.find((p: any) => p.name === "metrics"), { name: "metrics", port: 9104, targetPort: "metrics" });
            assert.ok(!services.read.spec.ports.some((p: any) => p.name === "metrics"));
            const policy = resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")!.inputs;
            assert.deepEqual(policy.spec.ingress.find((rule: any) => rule.ports[0].port === 9104), { ports: [{ protocol: "TCP", port: 9104 }] });
            assert.ok(!resources.some((r) => r.type === serviceMonitorType || r.type === prometheusRuleType));
        });
    }

    it("a ServiceMonitor selects the headless Service only (each pod scraped once) in the cluster's namespace", async () => {
        const { services, resources } = await render("db", {
            namespace: "data", metrics: { serviceMonitor: true, port: 9200, monitorLabels: { release: "kube-prometheus" } },
        });
        const monitor = resources.find((r) => r.type === serviceMonitorType)!.inputs;
        assert.equal(monitor.metadata.name, "db");
        assert.equal(monitor.metadata.namespace, "data");
        assert.equal(monitor.metadata.labels.release, "kube-prometheus");
        assert.deepEqual(monitor.spec.namespaceSelector, { matchNames: ["data"] });
        assert.deepEqual(monitor.spec.endpoints, [{ port: "metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s" }]);
        const selects = (svc: any) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels[k] === v);
        assert.ok(selects(services.headless));
        assert.ok(!selects(services.read) && !selects(services.primary));
        assert.ok(!resources.some((r) => r.type === prometheusRuleType));
    });

    it("a PrometheusRule alerts on a down server, stopped replication, lag, a pod not ready and a nearly full volume, for this cluster only", async () => {
        const { resources } = await render("db", { namespace: "data", metrics: { prometheusRule: true, lagAlertSeconds: 45, diskFreeAlertPercent: 15 } });
        const rule = resources.find((r) => r.type === prometheusRuleType)!.inputs;
        const rules = rule.spec.groups[0].rules;
        assert.deepEqual(rules.map((r: any) => r.alert), ["MySqlClusterServerDown", "MySqlClusterReplicationStopped",
            "MySqlClusterReplicaLagging", "MySqlClusterPodNotReady", "MySqlClusterDiskNearlyFull"]);
        for (const r of rules) {
            assert.match(r.expr, /namespace="data", (pod=~"db-\[0-9\]\+"|persistentvolumeclaim=~"data-db-\[0-9\]\+")/, r.expr);
            assert.ok(r.for && r.labels.severity && r.annotations.summary && r.annotations.description, r.alert);
        }
        // MySQL 9.7 (the default) has SHOW REPLICA STATUS only: the exporter names its columns so
        assert.match(rules[1].expr, /^mysql_slave_status_replica_io_running\{.*\} == 0 or mysql_slave_status_replica_sql_running\{.*\} == 0$/);
        assert.match(rules[2].expr, /^mysql_slave_status_seconds_behind_source\{.*\} > 45$/);
        assert.match(rules[4].expr, /< 15$/);
    });

    it("the lag alert defaults to maxReplicaLagSeconds; MariaDB's replica metrics keep the SHOW SLAVE STATUS names", async () => {
        const { resources } = await render("db", { engine: "mariadb", maxReplicaLagSeconds: 12, metrics: { prometheusRule: true } });
        const rules = resources.find((r) => r.type === prometheusRuleType)!.inputs.spec.groups[0].rules;
        assert.match(rules[1].expr, /^mysql_slave_status_slave_io_running\{.*\} == 0 or mysql_slave_status_slave_sql_running\{.*\} == 0$/);
        assert.match(rules[2].expr, /^mysql_slave_status_seconds_behind_master\{.*\} > 12$/);
    });

    it("bad metrics args are refused, each naming the field", () => {
        assert.deepEqual(problemsOf({ metrics: { port: 3306 } }), ["metrics.port (3306) must differ from port (3306) and backupPort (3307); choose another one"]);
        const problems = problemsOf({ metrics: { image: "Bad Image", lagAlertSeconds: 0, diskFreeAlertPercent: 100, serviceMonitor: "yes", scrape: true } });
        assert.equal(problems.length, 5, problems.join("\n"));
        for (const field of ["metrics.scrape is not a field", "metrics.image must be", "metrics.lagAlertSeconds must be", "metrics.diskFreeAlertPercent must be", "metrics.serviceMonitor must be true or false"]) {
            assert.ok(problems.some((p) => p.startsWith(field)), `${field}: ${problems.join("\n")}`);
        }
        assert.match(problemsOf({ metrics: true })[0], /^metrics must be an object/);
        assert.match(problemsOf({ metrics: { resources: { requests: { memory: "lots" } } } })[0], /^metrics\.resources\.requests\.memory must be a positive Kubernetes quantity/);
    });

    it("metrics_account_sql: a socket-authenticated account with the flavor's grants and performance_schema, not binary-logged", () => {
        const maria = runScriptFunctions("metrics_account_sql", { ENGINE: "mariadb", METRICS_USER: "nobody", METRICS_GRANTS: "PROCESS, BINLOG MONITOR, SLAVE MONITOR" });
        assert.equal(maria.status, 0, maria.stderr);
        assert.equal(maria.stdout, "SET SESSION sql_log_bin = 0;\nCREATE USER IF NOT EXISTS 'nobody'@'localhost';\n" +
            "ALTER USER 'nobody'@'localhost' IDENTIFIED VIA unix_socket;\n" +
            "GRANT PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO 'nobody'@'localhost';\nGRANT SELECT ON performance_schema.* TO 'nobody'@'localhost';\n");
        const my = runScriptFunctions("metrics_account_sql", { ENGINE: "mysql", METRICS_USER: "nobody", METRICS_GRANTS: "PROCESS, REPLICATION CLIENT" });
        assert.equal(my.stdout, "SET SESSION sql_log_bin = 0;\nSET @ro = @@GLOBAL.super_read_only;\nSET GLOBAL super_read_only = OFF;\n" +
            "CREATE USER IF NOT EXISTS 'nobody'@'localhost';\nALTER USER 'nobody'@'localhost' IDENTIFIED WITH auth_socket;\n" +
            "GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'nobody'@'localhost';\nGRANT SELECT ON performance_schema.* TO 'nobody'@'localhost';\n" +
            "SET GLOBAL super_read_only = @ro;\n");
    });
});
