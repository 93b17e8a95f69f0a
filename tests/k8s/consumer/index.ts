/** A user's stack: two clusters of the packaged component, one per engine, in two namespaces. */
import { MySqlCluster } from "mysql-cluster";

const common = { replicas: 2, storageSize: "256Mi", resources: { requests: { cpu: "100m", memory: "256Mi" } } };
const orders = new MySqlCluster("orders", { ...common, namespace: "team-a", engine: "mariadb" });
const billing = new MySqlCluster("billing", { ...common, namespace: "team-b", engine: "mysql", version: "9.7" });

export const ordersPrimary = orders.primaryEndpoint;
export const billingPrimary = billing.primaryEndpoint;
