/**
 * Writes provider/schema.json, the multi-language schema that the component provider serves and
 * the SDKs are generated from (`npm run schema`; a unit test fails when the file and the args
 * disagree). The Node SDK infers it from MySqlCluster's TypeScript args and their JSDoc, which
 * needs the sources of a checkout; then the whole numbers are marked `integer` (TypeScript has
 * only `number`, which Python and Go would type as a float), and the Go SDK is asked for input
 * types of the plain-only object types too (without them it does not compile: the args refer to
 * `ClientSelectorArgs`).
 */
import * as fs from "fs";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { MySqlCluster } from "../components/mysqlCluster";
import { packageName, packageRoot, schemaFile } from "../components/provider";

/**
 * Every whole-number property, as `<type>.<property>` (`MySqlCluster` for the component's inputs
 * and outputs, else the type's name). Each is validated as an integer (tests/unit/packageSchema.test.ts
 * checks that a fraction is refused for each, and accepted for every other number).
 */
export const integerProperties: readonly string[] = [
    "MySqlCluster.replicas", "MySqlCluster.port", "MySqlCluster.backupPort", "MySqlCluster.maxReplicaLagSeconds",
    "MySqlCluster.startupTimeoutSeconds", "MySqlCluster.primaryPeerWaitSeconds", "MySqlCluster.awaitTimeoutMinutes",
    "MetricsOptions.port", "MetricsOptions.lagAlertSeconds",
    "Toleration.tolerationSeconds", "TopologySpreadConstraint.maxSkew",
    "Endpoint.port",
];

/** The property maps of the schema by `<type>` as in integerProperties. */
export function propertyMaps(schema: any): Array<[string, Record<string, any>]> {
    const maps: Array<[string, Record<string, any>]> = [];
    for (const [token, resource] of Object.entries<any>(schema.resources ?? {})) {
        const type = token.split(":")[2];
        maps.push([type, resource.inputProperties ?? {}], [type, resource.properties ?? {}]);
    }
    for (const [token, type] of Object.entries<any>(schema.types ?? {})) {
        maps.push([token.split(":")[2], type.properties ?? {}]);
    }
    return maps;
}

/** The schema with each of integerProperties typed `integer`; fails on a name that is no number property. */
export function withIntegers(schema: any): any {
    const found = new Set<string>();
    for (const [type, properties] of propertyMaps(schema)) {
        for (const [name, property] of Object.entries<any>(properties)) {
            if (integerProperties.includes(`${type}.${name}`) && property.type === "number") {
                property.type = "integer";
                found.add(`${type}.${name}`);
            }
        }
    }
    const missing = integerProperties.filter((p) => !found.has(p));
    if (missing.length > 0) {
        throw new Error(`tools/schema.ts: no number property ${missing.join(", ")} in the inferred schema: update integerProperties`);
    }
    return schema;
}

/** The schema as the provider serves it (pretty-printed, as checked in at provider/schema.json). */
export async function inferredSchema(): Promise<string> {
    const inferred = new ComponentProvider({ components: [MySqlCluster], name: packageName, dirname: packageRoot });
    const schema = withIntegers(JSON.parse(await inferred.getSchema()));
    schema.language = { ...schema.language, go: { ...schema.language?.go, generateExtraInputTypes: true } };
    return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
    inferredSchema().then((text) => {
        fs.writeFileSync(schemaFile, text);
        console.log(`wrote ${schemaFile}`);
    }).catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
}
