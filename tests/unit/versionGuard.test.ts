/** The version guard's provider, called directly as the engine would at preview and up. */
import { strict as assert } from "assert";
import { versionGuardProvider } from "../../components/versionGuard";
import { render } from "../helpers/render";
import { registered, types } from "../helpers/mocks";

const check = (olds: object, news: { engine: string; version: string }) => versionGuardProvider.check!(olds, news);

describe("VersionGuard: changes the data cannot take fail before any pod changes", () => {
    it("a new cluster passes", async () => {
        assert.deepEqual((await check({}, { engine: "mariadb", version: "10.11" })).failures, []);
    });

    it("upgrades and patch changes pass (10.11 -> 11.4, 8.4 -> 9.7, 9.7.1 -> 9.7.0)", async () => {
        assert.deepEqual((await check({ engine: "mariadb", version: "10.11" }, { engine: "mariadb", version: "11.4" })).failures, []);
        assert.deepEqual((await check({ engine: "mysql", version: "8.4" }, { engine: "mysql", version: "9.7" })).failures, []);
        assert.deepEqual((await check({ engine: "mysql", version: "9.7.1" }, { engine: "mysql", version: "9.7.0" })).failures, []);
    });

    it("a major.minor downgrade is refused, naming the versions and what to do", async () => {
        const r = await check({ engine: "mariadb", version: "11.4" }, { engine: "mariadb", version: "10.11" });
        assert.equal(r.failures!.length, 1);
        assert.equal(r.failures![0].property, "version");
        assert.match(r.failures![0].reason, /version 10\.11 is older than 11\.4, which the data was written by: mariadb does not support downgrades in place; set version back to 11\.4/);
        assert.equal((await check({ engine: "mysql", version: "9.7" }, { engine: "mysql", version: "8.4" })).failures!.length, 1);
    });

    it("another engine on existing data is refused", async () => {
        const r = await check({ engine: "mariadb", version: "10.11" }, { engine: "mysql", version: "8.4" });
        assert.equal(r.failures![0].property, "engine");
        assert.match(r.failures![0].reason, /engine cannot change from mariadb to mysql on existing data/);
    });

    it("the component registers it before any other child (each of which depends on it)", async () => {
        await render("db", { engine: "mariadb" });
        const guard = registered.find((r) => r.name === "db-version");
        assert.ok(guard, "no version guard");
        assert.deepEqual({ engine: guard.inputs.engine, version: guard.inputs.version }, { engine: "mariadb", version: "10.11" });
        assert.equal(registered.filter((r) => r.type !== types.component)[0].name, "db-version");
    });
});
