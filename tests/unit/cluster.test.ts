import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import { promiseOf, registered, types } from "../helpers/mocks";
import { containersByName, envOf, render } from "../helpers/render";
import { configChecksum } from "../../components/builders/configMap";
import { configChecksumAnnotation } from "../../components/builders/statefulSet";

describe("MySqlCluster children", () => {
    it("registers the component, two ConfigMaps (config, topology), Secret, StatefulSet, three Services, ServiceAccount, NetworkPolicy, PDB and a claim patch per pod", async () => {
        const { resources } = await render("db");
        const counts: Record<string, number> = {};
        for (const r of resources) {
            counts[r.type] = (counts[r.type] ?? 0) + 1;
        }
        assert.deepEqual(counts, {
            [types.component]: 1, [types.configMap]: 2, [types.secret]: 1, [types.service]: 3,
            // dynamic resources: 3 generated passwords and the data guard
            [types.statefulSet]: 1, [types.generatedPassword]: 4, [types.serviceAccount]: 1,
            [types.networkPolicy]: 1, [types.podDisruptionBudget]: 1, [types.claimPatch]: 3,
        });
    });

    it("a claim patch per ordinal carries the data claim the StatefulSet would make, at the current storageSize", async () => {
        const r = await render("orders", { namespace: "shop", replicas: 4, storageSize: "50Gi", storageClassName: "fast" });
        const patches = r.resources.filter((x) => x.type === types.claimPatch);
        assert.deepEqual(patches.map((p) => p.inputs.metadata.name), ["data-orders-0", "data-orders-1", "data-orders-2", "data-orders-3"]);
        const template = r.statefulSet.spec.volumeClaimTemplates[0];
        for (const p of patches) {
            assert.equal(p.inputs.kind, "PersistentVolumeClaim");
            assert.equal(p.inputs.metadata.namespace, "shop");
            assert.deepEqual(p.inputs.metadata.labels, template.metadata.labels);
            assert.deepEqual(p.inputs.spec, template.spec);
            assert.equal(p.inputs.spec.resources.requests.storage, "50Gi");
            assert.equal(p.inputs.spec.storageClassName, "fast");
            // the StatefulSet controller owns the fields of claims it made: the size is taken over
            assert.equal(p.inputs.metadata.annotations["pulumi.com/patchForce"], "true");
            // and is not awaited (the provider's claim await times out on a bound WaitForFirstConsumer claim)
            assert.equal(p.inputs.metadata.annotations["pulumi.com/skipAwait"], "true");
        }
        // `<template name>-<StatefulSet name>-<ordinal>`: the claim the controller adopts for pod N
        assert.equal(`${template.metadata.name}-${r.statefulSet.metadata.name}-0`, patches[0].inputs.metadata.name);
    });

    it("names every object from the cluster name, in the given namespace", async () => {
        const r = await render("orders", { namespace: "shop" });
        assert.equal(r.statefulSet.metadata.name, "orders");
        assert.equal(r.services.headless.metadata.name, "orders");
        assert.equal(r.services.read.metadata.name, "orders-read");
        assert.equal(r.services.primary.metadata.name, "orders-primary");
        assert.match(r.configMap.metadata.name, /^orders-config-[0-9a-f]{10}$/);
        assert.equal(r.secret.metadata.name, "orders-credentials");
        for (const object of [r.statefulSet, r.configMap, r.secret, ...Object.values(r.services)]) {
            assert.equal(object.metadata.namespace, "shop");
            assert.equal(object.metadata.labels["app.kubernetes.io/instance"], "orders");
            assert.equal(object.metadata.labels["app.kubernetes.io/managed-by"], "pulumi");
        }
    });

    it("the StatefulSet's selector matches its pod labels and every Service's selector", async () => {
        const { statefulSet, services } = await render("db");
        const podLabels = statefulSet.spec.template.metadata.labels;
        const matches = (selector: Record<string, string>) =>
            Object.entries(selector).every(([k, v]) => podLabels[k] === v);
        assert.ok(matches(statefulSet.spec.selector.matchLabels));
        assert.ok(matches(services.headless.spec.selector));
        assert.ok(matches(services.read.spec.selector));
        assert.equal(statefulSet.spec.serviceName, services.headless.metadata.name);
        assert.equal(services.headless.spec.clusterIP, "None");
        assert.equal(services.headless.spec.publishNotReadyAddresses, true);
    });

    it("the primary Service selects pod 0 only; the read Service every ready pod", async () => {
        const { services } = await render("db");
        assert.equal(services.primary.spec.selector["statefulset.kubernetes.io/pod-name"], "db-0");
        assert.equal(services.read.spec.selector["statefulset.kubernetes.io/pod-name"], undefined);
        assert.equal(services.read.spec.publishNotReadyAddresses, undefined);
    });

    it("init containers run init-mysql then clone-mysql; MySQL has no backup sidecar and no port 3307", async () => {
        const { statefulSet, services } = await render("db");
        const spec = statefulSet.spec.template.spec;
        assert.deepEqual(spec.initContainers.map((c: any) => c.name), ["init-mysql", "clone-mysql"]);
        assert.deepEqual(spec.containers.map((c: any) => c.name), ["mysql", "member"]);
        assert.deepEqual(services.headless.spec.ports.map((p: any) => p.port), [3306]);
        // an empty pod 0 must reach peers that are not ready yet: every pod starts at once
        assert.equal(statefulSet.spec.podManagementPolicy, "Parallel");
    });

    it("MariaDB streams backups: a backup sidecar on 3307, mariadb-backup/mbstream tools", async () => {
        const { statefulSet, services } = await render("db", { engine: "mariadb" });
        const c = containersByName(statefulSet);
        assert.deepEqual(statefulSet.spec.template.spec.containers.map((x: any) => x.name), ["mysql", "member", "backup"]);
        assert.deepEqual(c.backup.ports, [{ name: "backup", containerPort: 3307 }]);
        assert.deepEqual(services.headless.spec.ports.map((p: any) => p.port), [3306, 3307]);
        const env = envOf(c["clone-mysql"]);
        assert.equal(env.BOOTSTRAP_METHOD, "stream");
        assert.equal(env.BACKUP_TOOL, "mariadb-backup");
        assert.equal(env.STREAM_TOOL, "mbstream");
        // two threads read the donor's files and two write the copy's (the sidecar's env is the same)
        assert.equal(env.COPY_THREADS, "2");
        assert.equal(envOf(c.backup).COPY_THREADS, "2");
        assert.equal(env.MYSQLD, "mariadbd");
        assert.equal(env.REPLICATION_SYNTAX, "master");
        assert.equal(c.mysql.image, "mariadb:10.11");
    });

    it("MySQL defaults to 9.7, the newest LTS (the version the suites run); 8.4 stays selectable; both clone with the CLONE plugin and the 8.4+ replication syntax", async () => {
        for (const [args, version] of [[{}, "9.7"], [{ version: "8.4" }, "8.4"]] as const) {
            const { statefulSet, configMap } = await render("db", args);
            const containers = containersByName(statefulSet);
            for (const name of ["init-mysql", "clone-mysql", "mysql", "member"]) {
                assert.equal(containers[name].image, `mysql:${version}`, name);
            }
            assert.equal(statefulSet.metadata.labels["app.kubernetes.io/version"], version);
            const env = envOf(containers["clone-mysql"]);
            assert.equal(env.BOOTSTRAP_METHOD, "clone");
            assert.equal(env.REPLICATION_SYNTAX, "source");
            assert.equal(env.BACKUP_GRANTS, "BACKUP_ADMIN");
            assert.equal(env.BACKUP_TOOL, undefined);
            assert.match(configMap.data["base.cnf"], /^plugin-load-add=mysql_clone\.so$/m);
            assert.match(configMap.data["base.cnf"], /^gtid_mode=ON$/m);
            assert.match(configMap.data["replica.cnf"], /^super_read_only=ON$/m);
        }
    });

    it("every flavor defaults to utf8mb4 (MariaDB would start with latin1) with a collation the version has", async () => {
        for (const [args, collation] of [[{ engine: "mariadb" }, "utf8mb4_general_ci"], [{ engine: "mysql" }, "utf8mb4_0900_ai_ci"],
            [{ engine: "mysql", version: "9.7" }, "utf8mb4_0900_ai_ci"]] as const) {
            const base = (await render("db", args)).configMap.data["base.cnf"];
            assert.match(base, /^character-set-server=utf8mb4$/m, JSON.stringify(args));
            assert.match(base, new RegExp(`^collation-server=${collation}$`, "m"), JSON.stringify(args));
        }
    });

    it("MariaDB 11.8 is a flavor of its own: its image, the same scripts, and 11.x's utf8mb4 collation (10.11 keeps general_ci)", async () => {
        const r = await render("db", { engine: "mariadb", version: "11.8" });
        assert.equal(containersByName(r.statefulSet).mysql.image, "mariadb:11.8");
        assert.match(r.configMap.data["base.cnf"], /^collation-server=utf8mb4_uca1400_ai_ci$/m);
        assert.match(r.configMap.data["base.cnf"], /^character-set-server=utf8mb4$/m);
        const old = await render("db", { engine: "mariadb", version: "10.11" });
        assert.match(old.configMap.data["base.cnf"], /^collation-server=utf8mb4_general_ci$/m);
        assert.equal(envOf(containersByName(r.statefulSet).member).UPGRADE_TOOL, "mariadb-upgrade");
    });

    it("MariaDB replicas are read_only without super_read_only (MariaDB has none)", async () => {
        const { configMap } = await render("db", { engine: "mariadb", version: "11.4" });
        assert.match(configMap.data["replica.cnf"], /^read_only=ON$/m);
        assert.doesNotMatch(configMap.data["replica.cnf"], /super_read_only/);
    });

    it("every container runs one of the component's scripts with bash, from the ConfigMap mount", async () => {
        for (const engine of ["mysql", "mariadb"] as const) {
            const { statefulSet, configMap } = await render("db", { engine });
            for (const c of Object.values(containersByName(statefulSet))) {
                assert.equal(c.command[0], "bash");
                const file = c.command[1].replace("/opt/mysql-cluster/", "");
                assert.ok(configMap.data[file], `${c.name} runs ${file}, which is not in the ConfigMap`);
                assert.equal(c.args, undefined);
                const mount = c.volumeMounts.find((m: any) => m.mountPath === "/opt/mysql-cluster");
                assert.deepEqual(mount, { name: "config", mountPath: "/opt/mysql-cluster", readOnly: true });
            }
        }
    });

    it("passwords reach containers only as the mounted Secret (never env), and only where needed", async () => {
        const { statefulSet } = await render("db", { engine: "mariadb" });
        const spec = statefulSet.spec.template.spec;
        const c = containersByName(statefulSet);
        for (const container of Object.values(c)) {
            const secretEnv = Object.entries(envOf(container)).filter(([, v]) => v.startsWith("secret:"));
            assert.deepEqual(secretEnv, [], `${container.name} has a password in its env`);
        }
        const credentialMounts = (name: string) => (c[name].volumeMounts ?? [])
            .filter((m: any) => /credentials/.test(m.name)).map((m: any) => `${m.name}:${m.mountPath}:${m.readOnly}`);
        assert.deepEqual(credentialMounts("init-mysql"), []);
        for (const name of ["clone-mysql", "mysql", "member"]) {
            assert.deepEqual(credentialMounts(name), ["credentials:/etc/mysql-cluster-credentials:true"], name);
            assert.equal(envOf(c[name]).CREDENTIALS_DIR, "/etc/mysql-cluster-credentials");
        }
        // the backup sidecar sees the backup password only
        assert.deepEqual(credentialMounts("backup"), ["backup-credentials:/etc/mysql-cluster-backup-credentials:true"]);
        assert.equal(envOf(c.backup).CREDENTIALS_DIR, "/etc/mysql-cluster-backup-credentials");
        const volume = (name: string) => spec.volumes.find((v: any) => v.name === name);
        assert.deepEqual(volume("credentials"), { name: "credentials", secret: { secretName: "db-credentials", defaultMode: 0o440 } });
        assert.deepEqual(volume("backup-credentials").secret.items, [{ key: "backup-password", path: "backup-password" }]);
        assert.equal(envOf(c.mysql).POD_NAME, "field:metadata.name");
    });

    it("MySQL clusters have no backup-credentials volume (no backup sidecar); dual passwords on MySQL 8.4+", async () => {
        const { statefulSet } = await render("db", { engine: "mysql" });
        assert.equal(statefulSet.spec.template.spec.volumes.some((v: any) => v.name === "backup-credentials"), false);
        assert.equal(envOf(containersByName(statefulSet).member).DUAL_PASSWORDS, "1");
        const maria = await render("db", { engine: "mariadb" });
        assert.equal(envOf(containersByName(maria.statefulSet).member).DUAL_PASSWORDS, "0");
    });

    it("volumes: data on a PVC template, config read-only, run directory in memory", async () => {
        const { statefulSet } = await render("db", { storageSize: "50Gi", storageClassName: "fast-ssd" });
        const spec = statefulSet.spec.template.spec;
        const volumes = Object.fromEntries(spec.volumes.map((v: any) => [v.name, v]));
        assert.match(volumes.config.configMap.name, /^db-config-[0-9a-f]{10}$/);
        assert.equal(volumes.config.configMap.defaultMode, 0o444);
        assert.equal(volumes.run.emptyDir.medium, "Memory");
        const claim = statefulSet.spec.volumeClaimTemplates[0];
        assert.equal(claim.metadata.name, "data");
        assert.equal(claim.spec.storageClassName, "fast-ssd");
        assert.equal(claim.spec.resources.requests.storage, "50Gi");
        const mysql = containersByName(statefulSet).mysql;
        const mounts = Object.fromEntries(mysql.volumeMounts.map((m: any) => [m.name, m.mountPath]));
        assert.deepEqual(mounts, {
            config: "/opt/mysql-cluster", conf: "/etc/mysql-cluster", data: "/var/lib/mysql",
            run: "/var/run/mysqld", tmp: "/tmp", topology: "/etc/mysql-cluster-topology",
            credentials: "/etc/mysql-cluster-credentials",
        });
        // the replica count is read live from its own ConfigMap: scaling does not roll the pods
        assert.deepEqual(volumes.topology.configMap, { name: "db-topology", defaultMode: 0o444 });
        assert.equal(envOf(mysql).DATADIR, "/var/lib/mysql/data", "datadir is a subdirectory of the volume");
    });

    it("probes authenticate through the component's probe scripts; startup covers startupTimeoutSeconds", async () => {
        const { statefulSet } = await render("db", { startupTimeoutSeconds: 7200 });
        const mysql = containersByName(statefulSet).mysql;
        assert.deepEqual(mysql.readinessProbe.exec.command, ["bash", "/opt/mysql-cluster/probe-ready.sh"]);
        // the kubelet's next readiness run after the startup probe passes is a period away: a short one
        assert.equal(mysql.readinessProbe.periodSeconds, 2);
        assert.equal(mysql.readinessProbe.failureThreshold, 3);
        assert.deepEqual(mysql.livenessProbe.exec.command, ["bash", "/opt/mysql-cluster/probe-alive.sh"]);
        assert.deepEqual(mysql.startupProbe.exec.command, ["bash", "/opt/mysql-cluster/probe-alive.sh"]);
        assert.equal(mysql.startupProbe.periodSeconds * mysql.startupProbe.failureThreshold, 7200);
    });

    it("a preStop hook stops replication before SIGTERM, within a 120 s grace period", async () => {
        const { statefulSet } = await render("db");
        const mysql = containersByName(statefulSet).mysql;
        assert.deepEqual(mysql.lifecycle.preStop.exec.command, ["bash", "/opt/mysql-cluster/pre-stop.sh"]);
        assert.equal(statefulSet.spec.template.spec.terminationGracePeriodSeconds, 120);
    });

    it("pods run as the image's mysql user, non-root, no privilege escalation, no capabilities", async () => {
        const { statefulSet } = await render("db");
        const pod = statefulSet.spec.template.spec;
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.securityContext.runAsUser, 999);
        assert.equal(pod.securityContext.fsGroup, 999);
        for (const c of [...pod.initContainers, ...pod.containers]) {
            assert.equal(c.securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
            assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        }
        assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
    });

    it("resources default to requests only, and take user requests and limits", async () => {
        const defaults = containersByName((await render("db")).statefulSet).mysql.resources;
        assert.deepEqual(defaults, { requests: { cpu: "500m", memory: "1Gi" } });
        const custom = containersByName((await render("db", {
            resources: { requests: { memory: "4Gi" }, limits: { memory: "4Gi", cpu: "2" } },
        })).statefulSet).mysql.resources;
        assert.deepEqual(custom, { requests: { cpu: "500m", memory: "4Gi" }, limits: { memory: "4Gi", cpu: "2" } });
    });

    it("extraConfig lands in extra.cnf, sorted; numbers and booleans from JavaScript callers too (booleans as ON/OFF)", async () => {
        // the type says string (the multi-language schema has no unions); JavaScript may pass others
        const { configMap } = await render("db", { extraConfig: { max_connections: 500, "slow-query-log": true } as any });
        assert.equal(configMap.data["extra.cnf"],
            "# mysql-cluster: extraConfig\n[mysqld]\nmax_connections=500\nslow-query-log=ON\n");
    });

    it("the pod template carries the ConfigMap checksum; a config change changes it", async () => {
        const a = await render("db");
        assert.equal(a.statefulSet.spec.template.metadata.annotations[configChecksumAnnotation],
            configChecksum(a.configMap.data));
        const b = await render("db", { extraConfig: { max_connections: "900" } });
        assert.notEqual(b.statefulSet.spec.template.metadata.annotations[configChecksumAnnotation],
            a.statefulSet.spec.template.metadata.annotations[configChecksumAnnotation]);
    });

    it("the scripts' ConfigMap is immutable and named after its content: a change is a new ConfigMap the pods roll onto", async () => {
        const a = await render("db", { engine: "mariadb" });
        const b = await render("db", { engine: "mariadb" });
        const c = await render("db", { engine: "mariadb", extraConfig: { max_connections: "500" } });
        assert.equal(a.configMap.immutable, true);
        assert.equal(a.configMap.metadata.name, b.configMap.metadata.name, "the same args must give the same name");
        assert.notEqual(a.configMap.metadata.name, c.configMap.metadata.name);
        for (const r of [a, c]) {
            const volume = r.statefulSet.spec.template.spec.volumes.find((v: any) => v.name === "config");
            assert.equal(volume.configMap.name, r.configMap.metadata.name);
        }
        // the Pulumi resource keeps its name (db-config): a content change is a replacement of it
        assert.ok(registered.some((r) => r.type === types.configMap && r.name === "db-config"));
    });

    it("skipAwait annotates the StatefulSet for the provider; by default it is waited for", async () => {
        const waited = await render("db", {});
        assert.equal(waited.statefulSet.metadata.annotations, undefined);
        const skipped = await render("db", { skipAwait: true });
        assert.deepEqual(skipped.statefulSet.metadata.annotations, { "pulumi.com/skipAwait": "true" });
    });

    it("an existing Secret replaces the generated one everywhere", async () => {
        const r = await render("db", { existingSecretName: "vault-db" });
        assert.equal(r.secret, undefined);
        assert.equal(registered.filter((x) => x.type === types.generatedPassword && x.name.endsWith("-password")).length, 0);
        const volume = r.statefulSet.spec.template.spec.volumes.find((v: any) => v.name === "credentials");
        assert.equal(volume.secret.secretName, "vault-db");
        assert.equal(await promiseOf(r.cluster.secretName), "vault-db");
        // never read at preview: the same program may create it (a read would fail while it does not exist)
        assert.equal(registered.filter((x) => x.type === types.secret).length, 0, "the existing Secret was read or created");
        assert.equal(await promiseOf(r.cluster.rootPassword), "");
    });

    it("children inherit the provider given to the component", async () => {
        const provider = new k8s.Provider("other-cluster", { kubeconfig: "{}" });
        const { resources } = await render("db", {}, { providers: { kubernetes: provider } });
        const children = resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes");
        assert.ok(children.length >= 6);
        for (const child of children) {
            assert.match(child.provider ?? "", /other-cluster/, `${child.name} does not use the given provider`);
        }
    });
});

describe("MySqlCluster safety defaults", () => {
    it("a PodDisruptionBudget allows at most one pod down, over this cluster's pods", async () => {
        const { resources, statefulSet } = await render("db");
        const pdb = resources.find((r) => r.type === types.podDisruptionBudget)!.inputs;
        assert.equal(pdb.spec.maxUnavailable, 1);
        assert.deepEqual(pdb.spec.selector.matchLabels, statefulSet.spec.selector.matchLabels);
    });

    it("pods use their own ServiceAccount with no API token", async () => {
        const { resources, statefulSet } = await render("db");
        const sa = resources.find((r) => r.type === types.serviceAccount)!.inputs;
        assert.equal(sa.automountServiceAccountToken, false);
        assert.equal(statefulSet.spec.template.spec.serviceAccountName, sa.metadata.name);
        assert.equal(statefulSet.spec.template.spec.automountServiceAccountToken, false);
    });

    it("anti-affinity is soft by default and hard on request; scheduling options pass through", async () => {
        const soft = (await render("db")).statefulSet.spec.template.spec;
        assert.equal(soft.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey,
            "kubernetes.io/hostname");
        const hard = (await render("db", {
            podAntiAffinity: "hard", nodeSelector: { disk: "ssd" }, priorityClassName: "databases",
            tolerations: [{ key: "dedicated", value: "db", effect: "NoSchedule" }],
            topologySpreadConstraints: [{ topologyKey: "topology.kubernetes.io/zone" }],
        })).statefulSet.spec.template.spec;
        assert.equal(hard.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.length, 1);
        assert.deepEqual(hard.nodeSelector, { disk: "ssd" });
        assert.equal(hard.priorityClassName, "databases");
        assert.deepEqual(hard.tolerations, [{ key: "dedicated", value: "db", effect: "NoSchedule", operator: "Equal" }]);
        assert.deepEqual(hard.topologySpreadConstraints[0], {
            maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "mysql-cluster", "app.kubernetes.io/instance": "db" } },
        });
    });

    it("the NetworkPolicy admits the backup port from the cluster's own pods only", async () => {
        const { resources } = await render("db", { engine: "mariadb" });
        const policy = resources.find((r) => r.type === types.networkPolicy)!.inputs;
        const backup = policy.spec.ingress.find((rule: any) => rule.ports[0].port === 3307);
        assert.deepEqual(backup.from, [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "mysql-cluster", "app.kubernetes.io/instance": "db" } } }]);
        const client = policy.spec.ingress.find((rule: any) => rule.ports[0].port === 3306);
        assert.equal(client.from, undefined, "without allowedClients the client port is open to every pod");
    });

    it("allowedClients restrict the client port to the cluster's pods plus the listed selectors", async () => {
        const { resources } = await render("db", { allowedClients: [{ namespaceLabels: { team: "shop" }, podLabels: { app: "api" } }] });
        const policy = resources.find((r) => r.type === types.networkPolicy)!.inputs;
        assert.equal(policy.spec.ingress.length, 1, "MySQL clones over 3306: there is no backup port");
        assert.deepEqual(policy.spec.ingress[0].from[1], {
            namespaceSelector: { matchLabels: { team: "shop" } }, podSelector: { matchLabels: { app: "api" } },
        });
    });

    it("an application database and user get a generated password in the Secret", async () => {
        const r = await render("db", { database: "shop", user: "shop_app" });
        assert.deepEqual(Object.keys(r.secret.stringData).sort(),
            ["backup-password", "replication-password", "root-password", "user-password"]);
        const c = containersByName(r.statefulSet);
        assert.equal(envOf(c.mysql).APP_DATABASE, "shop");
        assert.equal(envOf(c.mysql).APP_USER, "shop_app");
    });
});

describe("MySqlCluster TLS", () => {
    it("serves the given certificate, mounts it group-readable and points replication at its CA", async () => {
        const r = await render("db", { engine: "mariadb", tls: { secretName: "db-tls", requireSecureTransport: true } });
        const base = r.configMap.data["base.cnf"];
        assert.match(base, /^ssl_ca=\/etc\/mysql-tls\/ca\.crt$/m);
        assert.match(base, /^ssl_cert=\/etc\/mysql-tls\/tls\.crt$/m);
        assert.match(base, /^ssl_key=\/etc\/mysql-tls\/tls\.key$/m);
        assert.match(base, /^require_secure_transport=ON$/m);
        const volume = r.statefulSet.spec.template.spec.volumes.find((v: any) => v.name === "tls");
        assert.deepEqual(volume.secret, { secretName: "db-tls", defaultMode: 0o440 });
        const c = containersByName(r.statefulSet);
        for (const name of ["clone-mysql", "mysql", "backup"]) {
            assert.ok(c[name].volumeMounts.some((m: any) => m.name === "tls" && m.mountPath === "/etc/mysql-tls" && m.readOnly));
            assert.equal(envOf(c[name]).TLS_CA, "/etc/mysql-tls/ca.crt");
        }
    });

    it("without tls nothing TLS-related is rendered", async () => {
        const r = await render("db");
        assert.doesNotMatch(r.configMap.data["base.cnf"], /ssl|secure_transport/);
        assert.equal(envOf(containersByName(r.statefulSet).mysql).TLS_CA, undefined);
    });
});

describe("MySqlCluster outputs", () => {
    it("endpoints are namespace-qualified Service names with the port", async () => {
        const { cluster } = await render("db", { namespace: "prod", port: 3310 });
        assert.deepEqual(await promiseOf(cluster.primaryEndpoint), { host: "db-primary.prod.svc", port: 3310 });
        assert.deepEqual(await promiseOf(cluster.readEndpoint), { host: "db-read.prod.svc", port: 3310 });
        assert.equal(await promiseOf(cluster.headlessServiceName), "db");
        assert.equal(await promiseOf(cluster.statefulSetName), "db");
        assert.equal(await promiseOf(cluster.secretName), "db-credentials");
    });

    it("rootPassword is the user's value, marked secret", async () => {
        const { cluster } = await render("db", { rootPassword: "S3cret-root" });
        assert.equal(await promiseOf(cluster.rootPassword), "S3cret-root");
        assert.equal(await (cluster.rootPassword as any).isSecret, true);
    });
});

describe("MySqlCluster determinism and isolation", () => {
    it("the same args give byte-identical inputs", async () => {
        const args = { engine: "mariadb" as const, replicas: 4, extraConfig: { b: "1", a: "x" }, labels: { team: "db" } };
        const first = JSON.stringify((await render("db", args)).resources);
        const second = JSON.stringify((await render("db", args)).resources);
        assert.equal(first, second);
    });

    it("two clusters in one namespace share no Kubernetes name and select disjoint pods", async () => {
        const a = await render("alpha");
        const b = await render("beta");
        const names = (r: typeof a) => [r.statefulSet, r.configMap, r.secret, ...Object.values(r.services)]
            .map((o: any) => `${o.kind}/${o.metadata.name}`);
        const overlap = names(a).filter((n) => names(b).includes(n));
        assert.deepEqual(overlap, []);
        assert.notEqual(a.statefulSet.spec.selector.matchLabels["app.kubernetes.io/instance"],
            b.statefulSet.spec.selector.matchLabels["app.kubernetes.io/instance"]);
    });
});
