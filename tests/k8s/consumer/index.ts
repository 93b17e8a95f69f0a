/**
 * A user's stack: two clusters of the packaged component, one per engine, in two namespaces. The
 * MySQL one is wired to objects this same program creates, as users wire them: its Namespace
 * (namespace) and a Secret (existingSecretName), both passed as Outputs.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster } from "mysql-cluster";

const common = { replicas: 2, storageSize: "256Mi", resources: { requests: { cpu: "100m", memory: "256Mi" } } };
const orders = new MySqlCluster("orders", { ...common, namespace: "team-a", engine: "mariadb" });

const config = new pulumi.Config();
// kept on destroy, like the data volumes in it
const teamB = new k8s.core.v1.Namespace("team-b", { metadata: { name: "team-b" } }, { retainOnDelete: true });
const billingSecret = new k8s.core.v1.Secret("billing-db", {
    metadata: { name: "billing-db", namespace: teamB.metadata.name },
    stringData: {
        "root-password": config.requireSecret("billingRootPassword"),
        "replication-password": config.requireSecret("billingReplicationPassword"),
        "backup-password": config.requireSecret("billingBackupPassword"),
    },
});
const billing = new MySqlCluster("billing", {
    ...common, engine: "mysql", version: "9.7", namespace: teamB.metadata.name, existingSecretName: billingSecret.metadata.name,
});

export const ordersPrimary = orders.primaryEndpoint;
export const billingPrimary = billing.primaryEndpoint;
export const billingSecretName = billing.secretName;
