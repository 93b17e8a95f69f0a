import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster, MySqlClusterArgs, MySqlClusterArgsError } from "../../components";
import { registered, resetRegistered, settle } from "../helpers/mocks";

interface BadInput {
    readonly why: string;
    readonly name?: string;
    readonly args: Record<string, unknown>;
    readonly message: RegExp;
}

const long = "a".repeat(53);

/** Each case: what is wrong, and the message that names the field and the fix. */
const badInputs: BadInput[] = [
    { why: "zero replicas", args: { replicas: 0 }, message: /replicas must be an integer >= 1, got 0/ },
    { why: "negative replicas", args: { replicas: -2 }, message: /replicas must be an integer >= 1, got -2/ },
    { why: "fractional replicas", args: { replicas: 2.5 }, message: /replicas must be an integer >= 1, got 2\.5/ },
    { why: "replicas as a string", args: { replicas: "3" }, message: /replicas must be an integer >= 1, got "3"/ },
    { why: "uppercase name", name: "MyDB", args: {}, message: /name must be a DNS-1035 label .* got "MyDB"/ },
    { why: "name starting with a digit", name: "1db", args: {}, message: /name must be a DNS-1035 label/ },
    { why: "name with underscore", name: "my_db", args: {}, message: /name must be a DNS-1035 label/ },
    { why: "name too long for pod labels", name: long, args: {}, message: /at most 52 characters/ },
    { why: "namespace with dots", args: { namespace: "team.prod" }, message: /namespace must be a DNS-1123 label/ },
    { why: "empty namespace", args: { namespace: "" }, message: /namespace must be a DNS-1123 label.*got ""/ },
    { why: "unknown engine", args: { engine: "postgres" }, message: /engine must be "mysql" or "mariadb", got "postgres"/ },
    { why: "MySQL 8.0 (end-of-life)", args: { version: "8.0" }, message: /version "8.0" is not supported for engine "mysql"; use one of: 8\.4, 9\.x$/m },
    { why: "MySQL 5.7: refused with why and what to use (no GTIDs: the safety decisions would be blind)", args: { version: "5.7" },
        message: /version "5.7": MySQL 5.7 is no longer supported: it is end-of-life and ran without GTIDs.*Use version "8.4" or "9.7"/ },
    { why: "a MariaDB version on mysql", args: { version: "10.11" }, message: /version "10.11" is not supported for engine "mysql"/ },
    { why: "a MySQL version on mariadb", args: { engine: "mariadb", version: "8.4" }, message: /use one of: 10\.11, 11\.4/ },
    { why: "malformed version", args: { version: "latest" }, message: /version "latest" is not supported/ },
    { why: "empty image", args: { image: "" }, message: /image must be an image reference .* got ""/ },
    { why: "image with spaces", args: { image: "mysql 8.4" }, message: /image must be an image reference/ },
    { why: "uppercase image path", args: { image: "MySQL:8.4" }, message: /image must be an image reference/ },
    { why: "empty backup image", args: { backupImage: "" }, message: /backupImage must be an image reference/ },
    { why: "storage size without unit letters", args: { storageSize: "10GB" }, message: /storageSize must be a positive Kubernetes quantity such as "10Gi", got "10GB"/ },
    { why: "zero storage", args: { storageSize: "0" }, message: /storageSize must be a positive Kubernetes quantity/ },
    { why: "tmpdir size without a unit the API knows", args: { tmpSize: "2GB" }, message: /tmpSize must be a positive Kubernetes quantity such as "2Gi", got "2GB"/ },
    { why: "storage class with spaces", args: { storageClassName: "fast ssd" }, message: /storageClassName must be a DNS-1123 subdomain/ },
    { why: "malformed cpu request", args: { resources: { requests: { cpu: "two" } } }, message: /resources\.requests\.cpu must be a positive Kubernetes quantity such as "500m", got "two"/ },
    { why: "memory limit below request", args: { resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } } }, message: /resources\.limits\.memory \(1Gi\) is below resources\.requests\.memory \(2Gi\)/ },
    { why: "unknown resource name", args: { resources: { requests: { gpu: "1" } } }, message: /resources\.requests\.gpu is not supported; use cpu or memory/ },
    { why: "misspelt resources field", args: { resources: { request: { cpu: "1" } } }, message: /resources\.request is not a field; use resources\.requests/ },
    { why: "bad sidecar memory", args: { sidecarResources: { limits: { memory: "lots" } } }, message: /sidecarResources\.limits\.memory must be a positive Kubernetes quantity/ },
    { why: "port out of range", args: { port: 70000 }, message: /port must be an integer from 1 to 65535, got 70000/ },
    { why: "port zero", args: { backupPort: 0 }, message: /backupPort must be an integer from 1 to 65535, got 0/ },
    { why: "same client and backup port", args: { port: 3307 }, message: /port and backupPort must differ, both are 3307/ },
    { why: "existing Secret plus explicit passwords", args: { existingSecretName: "creds", rootPassword: "x" }, message: /existingSecretName conflicts with rootPassword: put the passwords in the existing Secret, or drop existingSecretName/ },
    { why: "existing Secret name invalid", args: { existingSecretName: "Creds!" }, message: /existingSecretName must be the name of a Secret/ },
    { why: "extraConfig overriding server-id", args: { extraConfig: { "server-id": 7 } }, message: /extraConfig\.server-id is managed by the component and cannot be set; remove it/ },
    { why: "extraConfig overriding read_only", args: { extraConfig: { read_only: "OFF" } }, message: /extraConfig\.read_only is managed by the component/ },
    { why: "extraConfig overriding gtid-domain-id (pod 0 draws a new one at each start: rule 11)", args: { extraConfig: { "gtid-domain-id": 5 } }, message: /extraConfig\.gtid-domain-id is managed by the component/ },
    { why: "extraConfig with a newline (section injection)", args: { extraConfig: { max_connections: "1\n[client]" } }, message: /extraConfig\.max_connections must be a single-line value/ },
    { why: "extraConfig with an object value", args: { extraConfig: { innodb: { size: 1 } } }, message: /extraConfig\.innodb must be a string, number or boolean, got object/ },
    { why: "extraConfig key with spaces", args: { extraConfig: { "max connections": 5 } }, message: /extraConfig key "max connections" is not a server option name/ },
    { why: "negative lag limit", args: { maxReplicaLagSeconds: -1 }, message: /maxReplicaLagSeconds must be an integer >= 0, got -1/ },
    { why: "startup timeout too short", args: { startupTimeoutSeconds: 5 }, message: /startupTimeoutSeconds must be an integer >= 60, got 5/ },
    { why: "MySQL replication password too long", args: { replicationPassword: "x".repeat(33) }, message: /replicationPassword has 33 characters; MySQL replication accepts at most 32: use a shorter one/ },
    { why: "await timeout zero", args: { awaitTimeoutMinutes: 0 }, message: /awaitTimeoutMinutes must be an integer from 1 to 10080 \(a week\), got 0/ },
    { why: "await timeout fractional", args: { awaitTimeoutMinutes: 1.5 }, message: /awaitTimeoutMinutes must be an integer from 1 to 10080/ },
    { why: "skipAwait not a boolean", args: { skipAwait: "yes" as any }, message: /skipAwait must be true or false, got "yes"/ },
    { why: "label overriding a component label", args: { labels: { "app.kubernetes.io/instance": "x" } }, message: /labels\.app\.kubernetes\.io\/instance is set by the component; use another key/ },
    { why: "label value too long", args: { labels: { team: "x".repeat(64) } }, message: /labels\.team must be a label value/ },
    { why: "misspelt argument", args: { replica: 3 }, message: /unknown argument "replica"; the arguments are: replicas,/ },
    { why: "unknown anti-affinity mode", args: { podAntiAffinity: "strict" }, message: /podAntiAffinity must be "soft" or "hard", got "strict"/ },
    { why: "nodeSelector value with spaces", args: { nodeSelector: { disk: "fast ssd" } }, message: /nodeSelector\.disk must be a label value/ },
    { why: "toleration Exists with a value", args: { tolerations: [{ key: "k", operator: "Exists", value: "v" }] }, message: /tolerations\[0\]\.value must be empty when operator is "Exists"/ },
    { why: "toleration Equal without a key", args: { tolerations: [{ value: "v" }] }, message: /tolerations\[0\]\.key is required with operator "Equal"/ },
    { why: "tolerationSeconds without NoExecute", args: { tolerations: [{ key: "k", value: "v", tolerationSeconds: 30 }] }, message: /tolerations\[0\]\.tolerationSeconds needs effect "NoExecute"/ },
    { why: "unknown toleration effect", args: { tolerations: [{ key: "k", value: "v", effect: "Evict" }] }, message: /tolerations\[0\]\.effect must be NoSchedule, PreferNoSchedule or NoExecute/ },
    { why: "spread with zero skew", args: { topologySpreadConstraints: [{ topologyKey: "zone", maxSkew: 0 }] }, message: /topologySpreadConstraints\[0\]\.maxSkew must be an integer >= 1/ },
    { why: "spread without a topology key", args: { topologySpreadConstraints: [{ topologyKey: "" }] }, message: /topologySpreadConstraints\[0\]\.topologyKey must be a node label name/ },
    { why: "priority class with uppercase", args: { priorityClassName: "High" }, message: /priorityClassName must be the name of a PriorityClass/ },
    { why: "an allowed client with no selector", args: { allowedClients: [{}] }, message: /allowedClients\[0\] must set namespaceLabels, podLabels or both/ },
    { why: "an allowed client with a bad label", args: { allowedClients: [{ podLabels: { "bad key!": "x" } }] }, message: /allowedClients\[0\]\.podLabels key "bad key!" is not a valid label name/ },
    { why: "a system schema as the application database", args: { database: "mysql" }, message: /database must be 1-64 letters, digits or '_' and not a system schema/ },
    { why: "database name with a dash", args: { database: "my-db" }, message: /database must be 1-64 letters/ },
    { why: "user without database", args: { user: "app" }, message: /user needs database/ },
    { why: "a reserved account as the user", args: { database: "app", user: "root" }, message: /user must be 1-32 letters.*not an account the component uses/ },
    { why: "userPassword without user", args: { userPassword: "x" }, message: /userPassword is set but user is not/ },
    { why: "TLS Secret name invalid", args: { tls: { secretName: "DB TLS" } }, message: /tls\.secretName must name a Secret holding tls\.crt, tls\.key and ca\.crt/ },
    { why: "TLS flag not a boolean", args: { tls: { secretName: "db-tls", requireSecureTransport: "yes" } }, message: /tls\.requireSecureTransport must be true or false, got "yes"/ },
    { why: "TLS unknown field", args: { tls: { secretName: "db-tls", ca: "x" } }, message: /tls\.ca is not a field; use tls\.secretName and tls\.requireSecureTransport/ },
    { why: "TLS settings through extraConfig", args: { extraConfig: { ssl_cert: "/x.pem" } }, message: /extraConfig\.ssl_cert is managed by the component/ },
    { why: "existing Secret plus userPassword", args: { existingSecretName: "creds", database: "a", user: "b", userPassword: "x" }, message: /existingSecretName conflicts with userPassword/ },
    { why: "an ExternalName primary Service", args: { primaryService: { type: "ExternalName" } }, message: /primaryService\.type must be "ClusterIP", "NodePort" or "LoadBalancer", got "ExternalName"/ },
    { why: "a misspelt Service field", args: { readService: { annotation: {} } }, message: /readService\.annotation is not a field; use readService\.type or readService\.annotations/ },
    { why: "a Service annotation with a bad name", args: { readService: { annotations: { "bad key!": "x" } } }, message: /readService\.annotations key "bad key!" is not a valid annotation name/ },
    { why: "a numeric annotation value", args: { podAnnotations: { "example.com/n": 5 } }, message: /podAnnotations\.example\.com\/n must be a string \(quote numbers and booleans\), got 5/ },
    { why: "a pod annotation the component owns", args: { podAnnotations: { "mysql-cluster.pulumi.com/config-checksum": "x" } }, message: /podAnnotations\.mysql-cluster\.pulumi\.com\/config-checksum is set by the component/ },
    { why: "an image pull secret with uppercase", args: { imagePullSecrets: ["Registry"] }, message: /imagePullSecrets\[0\] must be the name of a Secret/ },
    { why: "image pull secrets as a string", args: { imagePullSecrets: "registry" }, message: /imagePullSecrets must be a list of Secret names/ },
    { why: "extraEnv overriding a component variable", args: { extraEnv: [{ name: "DATADIR", value: "/tmp" }] }, message: /extraEnv\[0\]\.name DATADIR is set or read by the component.*use another name/ },
    { why: "extraEnv with a client password variable", args: { extraEnv: [{ name: "MYSQL_PWD", value: "x" }] }, message: /extraEnv\[0\]\.name MYSQL_PWD is set or read by the component/ },
    { why: "extraEnv with BASH_ENV (runs code in every script)", args: { extraEnv: [{ name: "BASH_ENV", value: "/x" }] }, message: /extraEnv\[0\]\.name BASH_ENV is set or read/ },
    { why: "extraEnv with HOSTNAME (the pod's ordinal)", args: { extraEnv: [{ name: "HOSTNAME", value: "db-0" }] }, message: /extraEnv\[0\]\.name HOSTNAME is set or read/ },
    { why: "extraEnv reading the credentials Secret", args: { extraEnv: [{ name: "PW", secretKeyRef: { name: "db-credentials", key: "root-password" } }] }, message: /extraEnv\[0\]\.secretKeyRef \(PW\) names the component's credentials Secret db-credentials: its passwords never go into env/ },
    { why: "extraEnv reading an existing credentials Secret", args: { existingSecretName: "vault-db", extraEnv: [{ name: "PW", secretKeyRef: { name: "vault-db", key: "user-password" } }] }, message: /names the component's credentials Secret vault-db/ },
    { why: "extraEnv with both value and secretKeyRef", args: { extraEnv: [{ name: "A", value: "1", secretKeyRef: { name: "s", key: "k" } }] }, message: /extraEnv\[0\] \(A\) must set exactly one of value and secretKeyRef/ },
    { why: "extraEnv listing a name twice", args: { extraEnv: [{ name: "TZ", value: "UTC" }, { name: "TZ", value: "CET" }] }, message: /extraEnv\[1\]\.name TZ is listed twice/ },
    { why: "extraEnv with a bad name", args: { extraEnv: [{ name: "1X", value: "1" }] }, message: /extraEnv\[0\]\.name must be letters, digits and '_'/ },
    { why: "affinity with a misspelt field", args: { affinity: { nodeAfinity: {} } }, message: /affinity\.nodeAfinity is not a field; use affinity\.nodeAffinity/ },
    { why: "affinity term without a topology key", args: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } } }, message: /affinity\.podAntiAffinity\.requiredDuringSchedulingIgnoredDuringExecution\[0\]\.topologyKey must be a node label name/ },
    { why: "affinity weight out of range", args: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { topologyKey: "zone" } }] } } }, message: /preferredDuringSchedulingIgnoredDuringExecution\[0\]\.weight must be an integer from 1 to 100, got 0/ },
    { why: "node affinity with an unknown operator", args: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "Equals", values: ["ssd"] }] }] } } } }, message: /matchExpressions\[0\]\.operator must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, got "Equals"/ },
    { why: "node affinity without terms", args: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }, message: /nodeSelectorTerms must be a non-empty list/ },
    { why: "claim retention misspelt", args: { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Remove" } }, message: /persistentVolumeClaimRetentionPolicy\.whenDeleted must be "Retain" \(keep the data\) or "Delete" \(delete it\), got "Remove"/ },
];

describe("bad input is refused before anything is registered", () => {
    it(`the table has at least 40 cases (${badInputs.length})`, () => {
        assert.ok(badInputs.length >= 40);
    });

    for (const bad of badInputs) {
        it(bad.why, async () => {
            resetRegistered();
            assert.throws(
                () => new MySqlCluster(bad.name ?? "db", bad.args as MySqlClusterArgs),
                (error: unknown) => {
                    assert.ok(error instanceof MySqlClusterArgsError, `not an args error: ${error}`);
                    assert.match(error.message, bad.message);
                    return true;
                },
            );
            await settle();
            assert.deepEqual(registered.map((r) => r.type), [], "something was registered");
        });
    }

    it("an extraEnv value from an Output (a secret, say) is refused without its content in the message", () => {
        const secret = pulumi.secret("S3cret-value");
        assert.throws(() => new MySqlCluster("db", { extraEnv: [{ name: "TOKEN", value: secret as any }] }),
            (error: Error) => /extraEnv\[0\]\.value \(TOKEN\) must be a plain string; for a secret use secretKeyRef/.test(error.message) &&
                !error.message.includes("S3cret-value"));
    });

    it("reports every problem at once, not only the first", () => {
        assert.throws(() => new MySqlCluster("db", { replicas: 0, storageSize: "big", port: 0 }),
            (error: Error) => error.message.split("\n- ").length === 4);
    });

    it("valid edge values are accepted", async () => {
        resetRegistered();
        new MySqlCluster("a", { replicas: 1, version: "9.5", maxReplicaLagSeconds: 0, storageSize: "512Mi" });
        new MySqlCluster("b".repeat(52), { engine: "mariadb", version: "11.4.3", image: "registry.example.com:5000/db/mariadb:11.4.3" });
        await settle();
        assert.ok(registered.length > 0);
    });
});
