import { strict as assert } from "assert";
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { StatefulSet } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { MySqlClusterArgs } from "../../components";
import { render } from "../helpers/render";

const models: Record<string, new (data: any) => { validate(): void }> = {
    ConfigMap, Secret, Service, StatefulSet, ServiceAccount, NetworkPolicy, PodDisruptionBudget, PersistentVolumeClaim,
};

/** One case per flavor, plus one with every optional arg set. */
const cases: Array<[string, MySqlClusterArgs]> = [
    ["mysql 9.7 (default)", {}],
    ["mysql 8.4", { version: "8.4" }],
    ["mariadb 10.11", { engine: "mariadb" }],
    ["mariadb 11.4", { engine: "mariadb", version: "11.4" }],
    ["mariadb 11.8", { engine: "mariadb", version: "11.8" }],
    ["every option set", {
        engine: "mariadb", replicas: 5, namespace: "prod", image: "registry.example.com/db/mariadb:10.11.9",
        backupImage: "registry.example.com/db/mariadb:10.11.9", storageSize: "100Gi", storageClassName: "fast",
        resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "4", memory: "8Gi" } },
        sidecarResources: { limits: { memory: "512Mi" } }, extraConfig: { max_connections: "1000" },
        port: 3310, backupPort: 3311, maxReplicaLagSeconds: 5, startupTimeoutSeconds: 600,
        labels: { "example.com/team": "payments" }, podAntiAffinity: "hard", nodeSelector: { disk: "ssd" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoExecute", tolerationSeconds: 60 }],
        topologySpreadConstraints: [{ topologyKey: "topology.kubernetes.io/zone", maxSkew: 2, whenUnsatisfiable: "DoNotSchedule" }],
        priorityClassName: "databases", allowedClients: [{ namespaceLabels: { team: "shop" } }, { podLabels: { app: "api" } }],
        database: "payments", user: "payments_app", tls: { secretName: "db-tls", requireSecureTransport: true },
        primaryService: { type: "LoadBalancer", annotations: { "example.com/lb": "internal" } },
        readService: { type: "NodePort", annotations: { "example.com/tier": "reads" } },
        imagePullSecrets: ["registry"], podAnnotations: { "example.com/owner": "team" },
        extraEnv: [{ name: "TZ", value: "UTC" }, { name: "LICENSE", secretKeyRef: { name: "vendor", key: "license" } }],
        affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }] } },
            podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchLabels: { app: "cache" } } } }] },
        },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
    }],
];

describe("every registered Kubernetes object validates against the Kubernetes OpenAPI schema", () => {
    for (const [label, args] of cases) {
        it(label, async () => {
            const r = await render("db", args);
            const objects = r.resources.filter((x) => x.type.startsWith("kubernetes:")).map((x) => x.inputs);
            assert.ok(objects.length >= 6, `only ${objects.length} objects`);
            for (const object of objects) {
                const Model = models[object.kind];
                assert.ok(Model, `no schema model for kind ${object.kind}`);
                assert.doesNotThrow(() => new Model(object).validate(), `${object.kind}/${object.metadata.name}`);
            }
        });
    }

    it("the validator does reject a malformed object (the check can fail)", async () => {
        const r = await render("db");
        const broken = JSON.parse(JSON.stringify(r.statefulSet));
        broken.spec.replicas = "three";
        assert.throws(() => new StatefulSet(broken).validate(), /replicas must be integer/);
    });
});
