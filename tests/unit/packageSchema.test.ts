/**
 * The multi-language schema, inferred by the Node SDK from MySqlCluster's TypeScript args, is
 * checked in at provider/schema.json: an API change shows as a diff in review (`npm run schema`
 * rewrites it).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { wirableArgs } from "../../components/args";
import { inferredSchema } from "../../components/provider";

const checkedIn = path.join(__dirname, "..", "..", "provider", "schema.json");

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
});
