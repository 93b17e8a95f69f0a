/** mysql-cluster: a replicated MySQL/MariaDB cluster on Kubernetes, as a Pulumi component. */
export { MySqlCluster, Endpoint } from "./mysqlCluster";
export {
    Affinity, ClaimRetention, ClaimRetentionPolicy, ClientSelector, ComputeResources, EnvVarOptions, MetricsOptions, MySqlClusterArgs,
    PodAntiAffinity, ResourceRequirements, SecretKeySelector, ServerSettingValue, ServiceOptions, ServiceType, TaintEffect, TlsOptions,
    Toleration, TolerationOperator, TopologySpreadConstraint, WhenUnsatisfiable,
} from "./args";
export { Engine, flavors } from "./flavors";
export { MySqlClusterArgsError, resolveConfig, ClusterConfig } from "./config";
