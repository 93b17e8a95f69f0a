/**
 * The multi-language component provider: serves MySqlCluster's schema and constructs MySqlCluster
 * for programs in Python, YAML, Go, .NET and Java. The engine runs it as the plugin
 * `pulumi-resource-mysql-cluster` (provider/pulumi-resource-mysql-cluster).
 *
 * The schema it serves is the file provider/schema.json, which ships in the npm package: an
 * installed package has no TypeScript sources to infer it from (`npm run schema` writes the file
 * from the args in a checkout, tools/schema.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import { MySqlCluster } from "./mysqlCluster";

/** The package name: the first part of every type token (`mysql-cluster:index:MySqlCluster`). */
export const packageName = "mysql-cluster";

/** The package's root: the checkout, or node_modules/mysql-cluster when installed (dist/components/ is two levels down). */
export const packageRoot = path.resolve(__dirname, __dirname.endsWith(path.join("dist", "components")) ? "../.." : "..");

/** The schema the provider serves, as `npm run schema` writes it. */
export const schemaFile = path.join(packageRoot, "provider", "schema.json");

const componentToken = `${packageName}:index:MySqlCluster`;

/** A provider over a schema text: `construct` makes a MySqlCluster and returns the outputs the schema lists. */
export function componentProvider(schemaText: string): provider.Provider {
    const schema = JSON.parse(schemaText);
    const resource = schema.resources?.[componentToken];
    if (!resource) {
        throw new Error(`${schemaFile} describes no ${componentToken}: run \`npm run schema\` in a checkout`);
    }
    const outputNames = Object.keys(resource.properties ?? {});
    return {
        version: schema.version,
        getSchema: async () => schemaText,
        construct: async (name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions) => {
            if (type !== componentToken) {
                throw new Error(`unknown resource type ${type}: this provider constructs only ${componentToken}`);
            }
            const cluster: Record<string, any> = new MySqlCluster(name, inputs, options);
            return { urn: cluster.urn, state: Object.fromEntries(outputNames.map((key) => [key, cluster[key]])) };
        },
    };
}

if (require.main === module) {
    provider.main(componentProvider(fs.readFileSync(schemaFile, "utf8")), process.argv.slice(2)).catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
}
