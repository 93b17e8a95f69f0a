/** mysql-cluster: a replicated MySQL/MariaDB cluster on Kubernetes, as a Pulumi component. */
export { MySqlCluster, Endpoint } from "./mysqlCluster";
export {
    ClientSelector, ComputeResources, MetricsOptions, MySqlClusterArgs, PodAntiAffinity, ResourceRequirements,
    ServerSettingValue, TaintEffect, TlsOptions, Toleration, TolerationOperator, TopologySpreadConstraint, WhenUnsatisfiable,
} from "./args";
export { Engine, flavors } from "./flavors";
export { MySqlClusterArgsError, resolveConfig, ClusterConfig } from "./config";
