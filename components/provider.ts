/**
 * The multi-language component provider: serves MySqlCluster's schema (inferred by the Node SDK
 * from the TypeScript args and their JSDoc) and constructs MySqlCluster for programs in Python,
 * YAML, Go, .NET and Java. The engine runs it as the plugin `pulumi-resource-mysql-cluster`
 * (provider/pulumi-resource-mysql-cluster).
 */
import * as path from "path";
import { ComponentProvider, componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { MySqlCluster } from "./mysqlCluster";

/** The package name: the first part of every type token (`mysql-cluster:index:MySqlCluster`). */
export const packageName = "mysql-cluster";

/** The directory with the package.json whose entry point the schema is inferred from. */
export const packageRoot = path.resolve(__dirname, __dirname.endsWith(path.join("dist", "components")) ? "../.." : "..");

const options = () => ({ components: [MySqlCluster], name: packageName, dirname: packageRoot });

/** The schema as the engine gets it (pretty-printed, as checked in at provider/schema.json). */
export async function inferredSchema(): Promise<string> {
    return `${JSON.stringify(JSON.parse(await new ComponentProvider(options()).getSchema()), null, 2)}\n`;
}

if (require.main === module) {
    componentProviderHost(options()).catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
