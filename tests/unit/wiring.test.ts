/**
 * Args wired from other resources' outputs (pulumi.Input): the values reach every object they
 * would reach as plain values; a wired value is validated when it resolves, with the field named;
 * passwords never make the rest of the config secret.
 */
import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster } from "../../components";
import { isSecretValue, registered, resetRegistered, settle, types } from "../helpers/mocks";
import { containersByName, render } from "../helpers/render";

/** What a failed Output rejects with, or undefined when it resolves. */
function failureOf(output: pulumi.Output<unknown>): Promise<unknown> {
    return new Promise((resolve) => {
        (output as any).promise().then(() => resolve(undefined), resolve);
    });
}

describe("args wired from other resources' outputs", () => {
    it("namespace, images, StorageClass, Secrets, resources and labels from outputs reach every object, as plain values would", async () => {
        // the values come from other resources of the program, as users wire them
        const ns = new k8s.core.v1.Namespace("apps", { metadata: { name: "apps" } });
        const tlsSecret = new k8s.core.v1.Secret("db-tls", { metadata: { name: "db-tls", namespace: "apps" } });
        const credentials = new k8s.core.v1.Secret("db-creds", { metadata: { name: "db-creds", namespace: "apps" } });
        const settings = new k8s.core.v1.ConfigMap("settings", {
            metadata: { name: "settings", namespace: "apps" },
            data: { image: "registry.example.com/db/mariadb:10.11.9", storageClass: "fast-ssd", memory: "4Gi", team: "payments" },
        });
        const data = settings.data;
        const wired = await render("db", {
            engine: "mariadb",
            namespace: ns.metadata.name,
            image: data.apply((d) => d.image),
            backupImage: data.apply((d) => d.image),
            storageClassName: data.apply((d) => d.storageClass),
            existingSecretName: credentials.metadata.name,
            tls: { secretName: tlsSecret.metadata.name },
            resources: { requests: { cpu: "1", memory: data.apply((d) => d.memory) } },
            sidecarResources: pulumi.output({ requests: { cpu: "50m", memory: "128Mi" } }),
            labels: { team: data.apply((d) => d.team) },
        });
        const plain = await render("db", {
            engine: "mariadb", namespace: "apps", image: "registry.example.com/db/mariadb:10.11.9",
            backupImage: "registry.example.com/db/mariadb:10.11.9", storageClassName: "fast-ssd", existingSecretName: "db-creds",
            tls: { secretName: "db-tls" }, resources: { requests: { cpu: "1", memory: "4Gi" } },
            sidecarResources: { requests: { cpu: "50m", memory: "128Mi" } }, labels: { team: "payments" },
        });
        // the same objects, field for field, as with the plain values
        const ofCluster = (r: { resources: typeof registered }) => r.resources
            .filter((x) => x.type.startsWith("kubernetes:") && !["apps", "db-tls", "db-creds", "settings"].includes(x.name))
            .map((x) => [x.type, x.name, x.inputs])
            .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
        assert.deepEqual(ofCluster(wired), ofCluster(plain));
        assert.equal(wired.statefulSet.metadata.namespace, "apps");
        assert.equal(containersByName(wired.statefulSet).mysql.image, "registry.example.com/db/mariadb:10.11.9");
        assert.equal(containersByName(wired.statefulSet).mysql.resources.requests.memory, "4Gi");
        assert.equal(wired.statefulSet.spec.volumeClaimTemplates[0].spec.storageClassName, "fast-ssd");
        assert.equal(wired.secret, undefined, "an existing Secret is used, none created");
        assert.equal(wired.statefulSet.metadata.labels.team, "payments");
        const volumes = wired.statefulSet.spec.template.spec.volumes;
        assert.equal(volumes.find((v: any) => v.name === "tls").secret.secretName, "db-tls");
        assert.equal(volumes.find((v: any) => v.name === "credentials").secret.secretName, "db-creds");
        // the buffer pool is sized from the wired memory, as from a plain one
        assert.match(wired.configMap.data["base.cnf"], /innodb_buffer_pool_size/);
        assert.equal(wired.configMap.data["base.cnf"], plain.configMap.data["base.cnf"]);
        // outputs follow the wired values
        assert.deepEqual(await new Promise((r) => wired.cluster.primaryEndpoint.apply(r)), { host: "db-primary.apps.svc", port: 3306 });
        assert.equal(await new Promise((r) => wired.cluster.secretName.apply(r)), "db-creds");
        // the data guard compares the wired StorageClass too
        const guard = wired.resources.find((r) => r.type === types.generatedPassword && r.name === "db-data-guard")!;
        assert.equal(guard.inputs.storageClassName, "fast-ssd");
    });

    for (const [field, value, message] of [
        ["namespace", "Bad_NS", /namespace must be a DNS-1123 label .*got "Bad_NS"/],
        ["image", "not an image!", /image must be an image reference .*got "not an image!"/],
        ["storageClassName", "Fast SSD", /storageClassName must be a DNS-1123 subdomain .*got "Fast SSD"/],
        ["labels", { "app.kubernetes.io/name": "x" }, /labels\.app\.kubernetes\.io\/name is set by the component; use another key/],
        ["resources", { requests: { memory: "lots" } }, /resources\.requests\.memory must be a positive Kubernetes quantity/],
    ] as const) {
        it(`a wired ${field} is validated when it resolves: the update fails with the field named, and nothing is registered`, async () => {
            resetRegistered();
            const cluster = new MySqlCluster("bad", { [field]: pulumi.output(value) } as any);
            const failure = await failureOf(cluster.statefulSetName);
            assert.ok(failure instanceof Error, `no failure: ${failure}`);
            assert.match(failure.message, message);
            assert.match(failure.message, /MySqlCluster "bad": invalid arguments/);
            await settle();
            // not even a generated password: every child waits for the data guard, which waits for the config
            assert.deepEqual(registered.map((r) => r.type), [types.component]);
        });
    }

    it("known values are still refused before anything is registered, wired ones beside them or not", () => {
        resetRegistered();
        assert.throws(() => new MySqlCluster("bad", { namespace: pulumi.output("apps"), replicas: 0 }), /replicas must be an integer >= 1, got 0/);
        assert.equal(registered.length, 0);
    });

    it("a secret password beside a wired namespace keeps the objects plain (only the Secret's values are secret)", async () => {
        const cluster = await render("db", { namespace: pulumi.output("apps"), rootPassword: pulumi.secret("s3cret-Root") });
        const sts = cluster.resources.find((r) => r.type === types.statefulSet)!;
        assert.ok(!isSecretValue(sts.rawInputs.spec) && !isSecretValue(sts.rawInputs.metadata));
        const secret = cluster.resources.find((r) => r.type === types.secret)!;
        assert.ok(isSecretValue(secret.rawInputs.stringData), "stringData reached the engine unencrypted");
        assert.equal(secret.inputs.metadata.namespace, "apps");
    });
});
