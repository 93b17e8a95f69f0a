/**
 * The multi-language schema, inferred by the Node SDK from MySqlCluster's TypeScript args, is
 * checked in at provider/schema.json: an API change shows as a diff in review (`npm run schema`
 * rewrites it). Whole numbers are integers in it, and the provider serves that file.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { MySqlCluster, MySqlClusterArgs } from "../../components";
import { wirableArgs } from "../../components/args";
import { componentProvider, schemaFile } from "../../components/provider";
import { inferredSchema, integerProperties, propertyMaps } from "../../tools/schema";
import { settle } from "../helpers/mocks";

/** For every number property of the schema: args that set it to a fraction (and are valid otherwise). */
const fractionOf: Record<string, MySqlClusterArgs> = {
    "MySqlCluster.replicas": { replicas: 2.5 },
    "MySqlCluster.port": { port: 3306.5 },
    "MySqlCluster.backupPort": { backupPort: 3307.5 },
    "MySqlCluster.maxReplicaLagSeconds": { maxReplicaLagSeconds: 30.5 },
    "MySqlCluster.startupTimeoutSeconds": { startupTimeoutSeconds: 600.5 },
    "MySqlCluster.primaryPeerWaitSeconds": { primaryPeerWaitSeconds: 60.5 },
    "MySqlCluster.awaitTimeoutMinutes": { awaitTimeoutMinutes: 60.5 },
    "MetricsOptions.port": { metrics: { port: 9104.5 } },
    "MetricsOptions.lagAlertSeconds": { metrics: { lagAlertSeconds: 30.5 } },
    "MetricsOptions.diskFreeAlertPercent": { metrics: { diskFreeAlertPercent: 12.5 } },
    "Toleration.tolerationSeconds": { tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30.5 }] },
    "TopologySpreadConstraint.maxSkew": { topologySpreadConstraints: [{ topologyKey: "zone", maxSkew: 1.5 }] },
};

const checkedIn = schemaFile;

describe("the multi-language schema (provider/schema.json)", function () {
    this.timeout(120000);
    let schema: any;
    before(async () => {
        const text = await inferredSchema();
        assert.equal(text, fs.readFileSync(checkedIn, "utf8"),
            "provider/schema.json is not what the args infer: run `npm run schema` and review the diff");
        schema = JSON.parse(text);
    });

    it("is checked in as inferred from the args", () => {
        assert.equal(schema.name, "mysql-cluster");
    });

    it("the engine and other string choices are enums; wirable args take outputs, the rest are plain", () => {
        const engine = schema.types["mysql-cluster:index:Engine"];
        assert.deepEqual(engine.enum.map((e: any) => e.value).sort(), ["mariadb", "mysql"]);
        const inputs = schema.resources["mysql-cluster:index:MySqlCluster"].inputProperties;
        for (const [name, property] of Object.entries<any>(inputs)) {
            // tls is a plain object whose secretName takes an output
            const wirable = ((wirableArgs as readonly string[]).includes(name) && name !== "tls") || /Password$/.test(name);
            assert.equal(property.plain === true, !wirable, `${name}: plain is ${property.plain}`);
            assert.ok(property.description, `${name} has no description`);
        }
        assert.equal(schema.types["mysql-cluster:index:TlsOptions"].properties.secretName.plain, undefined);
    });

    it("outputs: the endpoints (host, port), connection strings, names and passwords, each described", () => {
        const resource = schema.resources["mysql-cluster:index:MySqlCluster"];
        assert.deepEqual(Object.keys(resource.properties).sort(), [
            "headlessServiceName", "primaryConnectionString", "primaryEndpoint", "primaryUrl", "readConnectionString",
            "readEndpoint", "readUrl", "rootPassword", "secretName", "statefulSetName", "userPassword",
        ]);
        for (const [name, property] of Object.entries<any>(resource.properties)) {
            assert.ok(property.description, `output ${name} has no description`);
        }
        assert.deepEqual(Object.keys(schema.types["mysql-cluster:index:Endpoint"].properties).sort(), ["host", "port"]);
    });

    it("whole numbers are integers (a fraction is refused for each), every other number takes a fraction", () => {
        const numbers = propertyMaps(schema).flatMap(([type, properties]) => Object.entries<any>(properties)
            .filter(([, p]) => p.type === "number" || p.type === "integer").map(([name, p]) => [`${type}.${name}`, p.type]));
        const inputs = numbers.filter(([key]) => key !== "Endpoint.port");
        assert.deepEqual(inputs.map(([key]) => key).sort(), Object.keys(fractionOf).sort(), "a number property without a case in fractionOf");
        for (const [key, type] of inputs) {
            const build = () => new MySqlCluster("db", fractionOf[key]);
            if (type === "integer") {
                assert.throws(build, new RegExp(`${key.split(".")[1]} .*integer`), `${key} is an integer in the schema but takes a fraction`);
            } else {
                assert.doesNotThrow(build, `${key} is a number in the schema but refuses a fraction`);
            }
        }
        assert.deepEqual(numbers.filter(([, type]) => type === "integer").map(([key]) => key).sort(), [...new Set(integerProperties)].sort());
        assert.equal(schema.types["mysql-cluster:index:Endpoint"].properties.port.type, "integer");
    });

    it("the provider serves the checked-in file and constructs the cluster with every output the schema lists", async () => {
        const served = componentProvider(fs.readFileSync(schemaFile, "utf8"));
        assert.equal(await served.getSchema!(), fs.readFileSync(schemaFile, "utf8"));
        const result = await served.construct!("db", "mysql-cluster:index:MySqlCluster", { replicas: 2, engine: "mariadb" }, {});
        assert.deepEqual(Object.keys(result.state).sort(), Object.keys(schema.resources["mysql-cluster:index:MySqlCluster"].properties).sort());
        await settle();
        await assert.rejects(served.construct!("x", "mysql-cluster:index:Other", {}, {}), /only mysql-cluster:index:MySqlCluster/);
    });
});
