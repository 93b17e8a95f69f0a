"""A replicated MariaDB cluster from Python: the README's TypeScript example, through the component provider."""
import pulumi
import pulumi_mysql_cluster as mysql_cluster

db = mysql_cluster.MySqlCluster(
    "db",
    engine=mysql_cluster.Engine.MARIADB,
    replicas=2,
    namespace="team-python",
    storage_size="256Mi",
    resources=mysql_cluster.ResourceRequirementsArgs(
        requests=mysql_cluster.ComputeResourcesArgs(cpu="100m", memory="256Mi"),
    ),
)

pulumi.export("primaryEndpoint", db.primary_endpoint)
pulumi.export("readEndpoint", db.read_endpoint)
pulumi.export("headlessServiceName", db.headless_service_name)
pulumi.export("statefulSetName", db.stateful_set_name)
pulumi.export("secretName", db.secret_name)
pulumi.export("rootPassword", db.root_password)
