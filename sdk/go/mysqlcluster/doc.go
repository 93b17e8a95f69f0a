// Pulumi component: a replicated MySQL/MariaDB cluster on Kubernetes
package mysqlcluster
