/**
 * A user's stack: two clusters of the packaged component, one per engine, in two namespaces. The
 * MySQL one uses a Secret this same program creates (existingSecretName), as a user with their
 * own secret management would.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster } from "mysql-cluster";

const common = { replicas: 2, storageSize: "256Mi", resources: { requests: { cpu: "100m", memory: "256Mi" } } };
const orders = new MySqlCluster("orders", { ...common, namespace: "team-a", engine: "mariadb" });

const config = new pulumi.Config();
const billingSecret = new k8s.core.v1.Secret("billing-db", {
    metadata: { name: "billing-db", namespace: "team-b" },
    stringData: {
        "root-password": config.requireSecret("billingRootPassword"),
        "replication-password": config.requireSecret("billingReplicationPassword"),
        "backup-password": config.requireSecret("billingBackupPassword"),
    },
});
const billing = new MySqlCluster("billing", { ...common, namespace: "team-b", engine: "mysql", version: "9.7", existingSecretName: "billing-db" },
    { dependsOn: [billingSecret] });

export const ordersPrimary = orders.primaryEndpoint;
export const billingPrimary = billing.primaryEndpoint;
export const billingSecretName = billing.secretName;
