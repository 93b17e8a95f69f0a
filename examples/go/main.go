// A replicated MariaDB cluster from Go: the README's TypeScript example, through the component
// provider, with the Go SDK that ships in the npm package (node_modules/mysql-cluster/sdk/go).
package main

import (
	"example.com/pulumi-mysql-cluster/sdk/go/mysqlcluster"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		engine := mysqlcluster.EngineMariadb
		db, err := mysqlcluster.NewMySqlCluster(ctx, "db", &mysqlcluster.MySqlClusterArgs{
			Engine:      &engine,
			Replicas:    pulumi.IntRef(2),
			Namespace:   pulumi.String("team-go"),
			StorageSize: pulumi.StringRef("256Mi"),
			Resources: &mysqlcluster.ResourceRequirementsArgs{
				Requests: &mysqlcluster.ComputeResourcesArgs{Cpu: pulumi.String("100m"), Memory: pulumi.String("256Mi")},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("primaryEndpoint", db.PrimaryEndpoint)
		ctx.Export("readEndpoint", db.ReadEndpoint)
		ctx.Export("headlessServiceName", db.HeadlessServiceName)
		ctx.Export("statefulSetName", db.StatefulSetName)
		ctx.Export("secretName", db.SecretName)
		ctx.Export("rootPassword", db.RootPassword)
		return nil
	})
}
