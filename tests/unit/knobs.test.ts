/** The knobs users expect from charts and operators: Services, pod extras, env, affinity, claim retention, transforms. */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster, MySqlClusterArgs, MySqlClusterArgsError } from "../../components";
import { componentEnvNames, componentEnvPrefixes, scriptVariableNames } from "../../components/validation/pod";
import { configChecksumAnnotation } from "../../components/builders/statefulSet";
import { types } from "../helpers/mocks";
import { containersByName, envOf, render } from "../helpers/render";

const preferred = "preferredDuringSchedulingIgnoredDuringExecution";
const required = "requiredDuringSchedulingIgnoredDuringExecution";
const zoneTerm = { labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "topology.kubernetes.io/zone" };
const nodeAffinity = { [required]: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }] } };

describe("MySqlCluster knobs", () => {
    it("by default: ClusterIP Services without annotations, no pull secrets, only the checksum annotation, claims retained", async () => {
        const { services, statefulSet } = await render("db");
        for (const service of [services.primary, services.read]) {
            assert.equal(service.spec.type, "ClusterIP");
            assert.equal(service.metadata.annotations, undefined);
        }
        const pod = statefulSet.spec.template;
        assert.equal(pod.spec.imagePullSecrets, undefined);
        assert.deepEqual(Object.keys(pod.metadata.annotations), [configChecksumAnnotation]);
        assert.deepEqual(statefulSet.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
    });

    it("each client Service takes its own type and annotations; the headless one stays ClusterIP None without them", async () => {
        const { services } = await render("db", {
            primaryService: { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } },
            readService: { type: "NodePort", annotations: { "example.com/tier": "reads" } },
        });
        assert.equal(services.primary.spec.type, "LoadBalancer");
        assert.deepEqual(services.primary.metadata.annotations, { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" });
        assert.equal(services.read.spec.type, "NodePort");
        assert.deepEqual(services.read.metadata.annotations, { "example.com/tier": "reads" });
        assert.equal(services.headless.spec.clusterIP, "None");
        assert.equal(services.headless.spec.type, undefined);
        assert.equal(services.headless.metadata.annotations, undefined);
    });

    it("imagePullSecrets and pod annotations reach the pod template; the config checksum stays the component's", async () => {
        const { statefulSet } = await render("db", { imagePullSecrets: ["registry-a", "registry-b"], podAnnotations: { "example.com/owner": "team-db" } });
        const pod = statefulSet.spec.template;
        assert.deepEqual(pod.spec.imagePullSecrets, [{ name: "registry-a" }, { name: "registry-b" }]);
        assert.equal(pod.metadata.annotations["example.com/owner"], "team-db");
        assert.match(pod.metadata.annotations[configChecksumAnnotation], /^[0-9a-f]+$/);
    });

    it("extraEnv reaches the mysql container only, after the component's own variables; a Secret key stays a reference", async () => {
        const extraEnv = [{ name: "TZ", value: "Europe/Berlin" }, { name: "LICENSE_KEY", secretKeyRef: { name: "vendor", key: "key" } }];
        const { statefulSet } = await render("db", { engine: "mariadb", extraEnv });
        const containers = containersByName(statefulSet);
        const env = containers.mysql.env;
        assert.deepEqual(env.slice(-2), [{ name: "TZ", value: "Europe/Berlin" }, { name: "LICENSE_KEY", valueFrom: { secretKeyRef: { name: "vendor", key: "key" } } }]);
        for (const [name, container] of Object.entries<any>(containers)) {
            if (name !== "mysql") assert.equal(envOf(container).TZ, undefined, `${name} got extraEnv`);
        }
    });

    it("every variable the component sets on any container is in the list extraEnv refuses (every flavor, every option)", async () => {
        const variants: MySqlClusterArgs[] = [
            {}, { engine: "mariadb" }, { engine: "mariadb", version: "11.8" },
            { database: "app", user: "app", tls: { secretName: "db-tls" }, metrics: {} },
            { engine: "mariadb", database: "app", user: "app", tls: { secretName: "db-tls" }, metrics: {} },
        ];
        for (const args of variants) {
            const { statefulSet } = await render("db", args);
            for (const container of Object.values<any>(containersByName(statefulSet))) {
                for (const { name } of container.env ?? []) {
                    assert.ok(componentEnvNames.includes(name) || componentEnvPrefixes.some((p) => name.startsWith(p)),
                        `${container.name} sets ${name}, which extraEnv would not refuse`);
                }
            }
        }
    });

    it("extraEnv refuses every variable a pod script mentions (its tunables, such as MEMBER_POLL_SECONDS, included)", () => {
        assert.ok(scriptVariableNames.includes("MEMBER_POLL_SECONDS") && scriptVariableNames.includes("DATADIR"));
        for (const name of scriptVariableNames) {
            assert.throws(() => new MySqlCluster("db", { extraEnv: [{ name, value: "1" }] }),
                (error: unknown) => error instanceof MySqlClusterArgsError && error.message.includes(`name ${name} is set or read by the component`), name);
        }
    });

    it("raw affinity is added to the built-in anti-affinity, soft or hard, never replacing it", async () => {
        const affinity = { nodeAffinity, podAffinity: { [preferred]: [{ weight: 50, podAffinityTerm: zoneTerm }] }, podAntiAffinity: { [required]: [zoneTerm] } };
        for (const mode of ["soft", "hard"] as const) {
            const { statefulSet } = await render("db", { podAntiAffinity: mode, affinity });
            const builtIn = (await render("db", { podAntiAffinity: mode })).statefulSet.spec.template.spec.affinity.podAntiAffinity;
            const merged = statefulSet.spec.template.spec.affinity;
            assert.deepEqual(merged.nodeAffinity, nodeAffinity);
            assert.deepEqual(merged.podAffinity, affinity.podAffinity);
            // the built-in term first, the user's after it
            assert.deepEqual(merged.podAntiAffinity[required], [...(builtIn[required] ?? []), zoneTerm]);
            assert.deepEqual(merged.podAntiAffinity[preferred], builtIn[preferred]);
        }
    });

    it("claim retention: Delete only where asked, the other case still retained", async () => {
        const { statefulSet } = await render("db", { persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete" } });
        assert.deepEqual(statefulSet.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Delete" });
    });

    it("the same knobs give byte-identical specs, whatever the order their maps and affinity terms were written in", async () => {
        const args = (flip: boolean): MySqlClusterArgs => ({
            podAnnotations: flip ? { b: "2", a: "1" } : { a: "1", b: "2" },
            primaryService: { type: "LoadBalancer", annotations: flip ? { y: "2", x: "1" } : { x: "1", y: "2" } },
            affinity: { podAntiAffinity: { [required]: [flip ? { topologyKey: zoneTerm.topologyKey, labelSelector: zoneTerm.labelSelector } : zoneTerm] } },
            extraEnv: [{ name: "TZ", value: "UTC" }], imagePullSecrets: ["registry"],
        });
        const first = JSON.stringify((await render("db", args(false))).resources);
        const second = JSON.stringify((await render("db", args(true))).resources);
        assert.equal(first, second);
    });

    it("a Pulumi transform on the component reaches its children (the documented escape hatch)", async () => {
        // docs/configuration.md's example: a field the component has no knob for, on every Service
        const transform: pulumi.ResourceTransform = (args) =>
            args.type === "kubernetes:core/v1:Service" && args.props.spec?.type === "LoadBalancer"
                ? { props: { ...args.props, spec: { ...args.props.spec, externalTrafficPolicy: "Local" } }, opts: args.opts }
                : undefined;
        const { resources, services } = await render("db", { primaryService: { type: "LoadBalancer" } }, { transforms: [transform] });
        assert.equal(services.primary.spec.externalTrafficPolicy, "Local");
        assert.equal(services.read.spec.externalTrafficPolicy, undefined);
        assert.equal(services.headless.spec.externalTrafficPolicy, undefined);
        // the engine applies a component's transforms to its children: every Kubernetes object is one
        const monitor = (pulumi.runtime as any).getMonitor();
        const urns = [...monitor.resources.keys()] as string[];
        for (const r of resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            const urn = urns.find((u) => u.endsWith(`::${r.name}`))!;
            assert.ok(urn.includes(`${types.component}$`), `${r.name} is not a child of the component: ${urn}`);
        }
    });
});
