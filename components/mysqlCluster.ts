import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MySqlClusterArgs } from "./args";
import { ClusterConfig } from "./config";
import { built, configValue, resolveWired } from "./wiring";
import { buildConfigMap, buildTopologyConfigMap, configChecksum } from "./builders/configMap";
import { buildSecret, ClusterPasswords } from "./builders/secret";
import { buildHeadlessService, buildPrimaryService, buildReadService } from "./builders/services";
import { buildNetworkPolicy, buildPodDisruptionBudget, buildServiceAccount } from "./builders/policies";
import { buildStatefulSet } from "./builders/statefulSet";
import { buildClaimPatches } from "./builders/claims";
import { buildPrometheusRule, buildServiceMonitor } from "./builders/monitoring";
import { GeneratedPassword } from "./generatedPassword";
import { DataGuard } from "./dataGuard";
import { clusterNames } from "./names";
import { connectionUrl } from "./connection";

/** Where clients connect: an in-cluster DNS name qualified by namespace, and a port. */
export interface Endpoint {
    readonly host: string;
    readonly port: number;
}

/**
 * A replicated MySQL or MariaDB cluster: pod 0 is the primary, every other pod clones a ready
 * peer and replicates from the primary. Children: the data guard, ConfigMaps (scripts, topology),
 * a Secret (unless an existing one is named), headless/read/primary Services, a ServiceAccount,
 * NetworkPolicy and PDB, a claim patch per pod and the StatefulSet; with `metrics`, optionally a
 * ServiceMonitor and a PrometheusRule.
 */
export class MySqlCluster extends pulumi.ComponentResource {
    /** Writes: `<name>-primary.<namespace>.svc`, pod 0 only. */
    public readonly primaryEndpoint!: pulumi.Output<Endpoint>;
    /** Reads: `<name>-read.<namespace>.svc`, every ready pod. */
    public readonly readEndpoint!: pulumi.Output<Endpoint>;
    /** Headless Service: pod N is `<name>-N.<headlessServiceName>`. */
    public readonly headlessServiceName!: pulumi.Output<string>;
    /** The StatefulSet: `<name>`. */
    public readonly statefulSetName!: pulumi.Output<string>;
    /** Secret holding root-password, replication-password and backup-password (and user-password with `user`). */
    public readonly secretName!: pulumi.Output<string>;
    /**
     * Password of `root@localhost`, as a Pulumi secret: root has no network account, so it logs in only
     * inside a pod (`kubectl exec <name>-0 -c mysql -- mysql -uroot -p`, over the socket); clients use
     * `user`. Empty with `existingSecretName` (it is in that Secret, which the component never reads).
     */
    public readonly rootPassword!: pulumi.Output<string>;
    /** Password of the application account `user`, as a Pulumi secret; empty without `user` or with `existingSecretName`. */
    public readonly userPassword!: pulumi.Output<string>;
    /**
     * Writes: `mysql://<user>:<password>@<name>-primary.<namespace>.svc:<port>/<database>`, as a Pulumi
     * secret (user and password percent-encoded); empty without `user` or with `existingSecretName`.
     */
    public readonly primaryConnectionString!: pulumi.Output<string>;
    /** Reads: the same over `<name>-read.<namespace>.svc`, as a Pulumi secret; empty without `user` or with `existingSecretName`. */
    public readonly readConnectionString!: pulumi.Output<string>;
    /** Writes, without the password (not secret): `mysql://<user>@<host>:<port>/<database>`; no user part without `user`. */
    public readonly primaryUrl!: pulumi.Output<string>;
    /** Reads, without the password (not secret): `mysql://<user>@<host>:<port>/<database>`; no user part without `user`. */
    public readonly readUrl!: pulumi.Output<string>;

    constructor(name: string, args: MySqlClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // every known argument is checked before anything, this component included, is registered;
        // wired ones (Outputs) when they resolve (see wiring.ts)
        const wiring = resolveWired(name, args);
        const { shape } = wiring;
        super("mysql-cluster:index:MySqlCluster", name, {}, opts);
        const build = <T extends object>(builder: (config: ClusterConfig) => T): T => built(wiring, builder);
        // first: a change the data cannot take (another engine, a downgrade, a smaller volume, another
        // StorageClass) fails here, before any other child is touched (every one depends on it)
        const guard = new DataGuard(`${name}-data-guard`, {
            engine: shape.flavor.engine, version: shape.version, storageSize: shape.storageSize,
            storageClassName: configValue(wiring, (c) => c.storageClassName ?? ""),
        }, { parent: this, aliases: [{ name: `${name}-version` }] });
        const child = { parent: this, dependsOn: [guard] };

        // an existing Secret is used as it is; otherwise passwords are the user's or generated
        const passwords = shape.existingSecretName === undefined ? generatedOrGiven(shape, args, child) : undefined;
        const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, build(buildConfigMap), child);
        const topology = new k8s.core.v1.ConfigMap(`${name}-topology`, build(buildTopologyConfigMap), child);
        // the passwords never pass through the config: only the metadata does
        const secret = passwords
            ? new k8s.core.v1.Secret(`${name}-credentials`,
                { ...build((c) => ({ ...buildSecret(c, passwords), stringData: undefined })), stringData: buildSecret(shape, passwords).stringData },
                child)
            : undefined;
        const headless = new k8s.core.v1.Service(`${name}-headless`, build(buildHeadlessService), child);
        const read = new k8s.core.v1.Service(`${name}-read`, build(buildReadService), child);
        const primary = new k8s.core.v1.Service(`${name}-primary`, build(buildPrimaryService), child);
        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-serviceaccount`, build(buildServiceAccount), child);
        new k8s.networking.v1.NetworkPolicy(`${name}-networkpolicy`, build(buildNetworkPolicy), child);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, build(buildPodDisruptionBudget), child);
        // the data claims at the current storageSize, before the StatefulSet: a larger size expands them
        // in place; a scale-up's claims exist at that size before their pods. Never deleted by Pulumi
        // (like the StatefulSet's own claims): a destroy or a scale-down keeps the volumes.
        const claims = buildClaimPatches(shape).map((_, ordinal) =>
            new k8s.core.v1.PersistentVolumeClaimPatch(`${name}-data-${ordinal}`,
                build((c) => buildClaimPatches(c)[ordinal]), { ...child, retainOnDelete: true }));
        const statefulSet = new k8s.apps.v1.StatefulSet(`${name}-statefulset`,
            build((c) => buildStatefulSet(c, configChecksum(buildConfigMap(c).data as Record<string, string>))),
            {
                parent: this, dependsOn: [guard, configMap, topology, headless, serviceAccount, ...claims, ...(secret ? [secret] : [])],
                // claim templates are immutable: a change would replace the StatefulSet, every pod at once.
                // The template keeps its first size; the claim patches above carry later ones.
                ignoreChanges: ["spec.volumeClaimTemplates"],
                // the provider waits for the rollout (every pod Ready): a large clone needs more than its 10 minutes
                customTimeouts: { create: `${shape.awaitTimeoutMinutes}m`, update: `${shape.awaitTimeoutMinutes}m` },
            });

        // monitoring objects (Prometheus Operator CRDs), when asked for; the provider names a missing CRD
        const monitoring = [["servicemonitor", buildServiceMonitor], ["prometheusrule", buildPrometheusRule]] as const;
        for (const [suffix, builder] of monitoring) {
            if (builder(shape)) {
                new k8s.apiextensions.CustomResource(`${name}-${suffix}`, build((c) => ({ ...builder(c)! })), { ...child, dependsOn: [guard, headless] });
            }
        }

        const endpoint = (service: k8s.core.v1.Service): pulumi.Output<Endpoint> =>
            pulumi.all([service.metadata.name, service.metadata.namespace]).apply(([serviceName, namespace]) => ({
                host: `${serviceName}.${namespace}.svc`,
                port: shape.port,
            }));
        this.primaryEndpoint = endpoint(primary);
        this.readEndpoint = endpoint(read);
        this.headlessServiceName = headless.metadata.name;
        this.statefulSetName = statefulSet.metadata.name;
        this.secretName = secret ? secret.metadata.name
            : pulumi.output(configValue(wiring, (c) => clusterNames(name, c.existingSecretName).secret));
        // with existingSecretName the Secret is never read here: it may be created by the same program
        // (its keys are checked by the pods, which name a missing one)
        this.rootPassword = pulumi.secret(passwords ? passwords.root : "");
        this.userPassword = pulumi.secret(passwords?.user ?? "");
        // user and database are plain args: the shape holds their real values
        const { user, database } = shape.application ?? {};
        const url = (endpoint: pulumi.Output<Endpoint>) => endpoint.apply((e) => connectionUrl({ ...e, user, database }));
        const withPassword = (endpoint: pulumi.Output<Endpoint>) => pulumi.secret(passwords?.user === undefined ? ""
            : pulumi.all([endpoint, passwords.user]).apply(([e, password]) => connectionUrl({ ...e, user, password, database })));
        this.primaryConnectionString = withPassword(this.primaryEndpoint);
        this.readConnectionString = withPassword(this.readEndpoint);
        this.primaryUrl = url(this.primaryEndpoint);
        this.readUrl = url(this.readEndpoint);
        this.registerOutputs({
            primaryEndpoint: this.primaryEndpoint,
            readEndpoint: this.readEndpoint,
            headlessServiceName: this.headlessServiceName,
            statefulSetName: this.statefulSetName,
            secretName: this.secretName,
            rootPassword: this.rootPassword,
            userPassword: this.userPassword,
            primaryConnectionString: this.primaryConnectionString,
            readConnectionString: this.readConnectionString,
            primaryUrl: this.primaryUrl,
            readUrl: this.readUrl,
        });
    }
}

/** User-supplied passwords, or generated ones (stable: they live in state). */
function generatedOrGiven(config: ClusterConfig, args: MySqlClusterArgs, child: pulumi.CustomResourceOptions): ClusterPasswords {
    const generated = (purpose: string) => new GeneratedPassword(`${config.name}-${purpose}-password`,
        { length: 32 }, child).result;
    return {
        root: args.rootPassword ?? generated("root"),
        replication: args.replicationPassword ?? generated("replication"),
        backup: args.backupPassword ?? generated("backup"),
        ...(config.application?.user !== undefined ? { user: args.userPassword ?? generated("user") } : {}),
    };
}
