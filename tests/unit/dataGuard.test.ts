/** The data guard's provider, called directly as the engine would at preview and up. */
import { strict as assert } from "assert";
import { dataGuardProvider } from "../../components/dataGuard";
import { render } from "../helpers/render";
import { registered, types } from "../helpers/mocks";

interface Inputs { engine: string; version: string; storageSize?: string; storageClassName?: string }
const withStorage = (i: Inputs) => ({ storageSize: "10Gi", storageClassName: "", ...i });
const check = (olds: object, news: Inputs) => dataGuardProvider.check!(olds, withStorage(news));

describe("DataGuard: changes the data cannot take fail before any pod or claim changes", () => {
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

    it("a larger storageSize passes, in any unit (10Gi -> 20Gi, 10Gi -> 12000M)", async () => {
        const old = withStorage({ engine: "mysql", version: "8.4", storageSize: "10Gi" });
        assert.deepEqual((await check(old, { engine: "mysql", version: "8.4", storageSize: "20Gi" })).failures, []);
        assert.deepEqual((await check(old, { engine: "mysql", version: "8.4", storageSize: "12000M" })).failures, []);
    });

    it("a smaller storageSize is refused, naming both sizes and how to migrate (10Gi -> 10000M is smaller)", async () => {
        const old = withStorage({ engine: "mysql", version: "8.4", storageSize: "10Gi" });
        for (const smaller of ["5Gi", "10000M"]) {
            const r = await check(old, { engine: "mysql", version: "8.4", storageSize: smaller });
            assert.equal(r.failures!.length, 1, smaller);
            assert.equal(r.failures![0].property, "storageSize");
            assert.match(r.failures![0].reason, new RegExp(`storageSize cannot shrink from 10Gi to ${smaller}: .*set storageSize back to 10Gi .*deploy a new cluster`));
        }
    });

    it("another StorageClass is refused, the cluster default included", async () => {
        const old = withStorage({ engine: "mysql", version: "8.4", storageClassName: "fast" });
        const r = await check(old, { engine: "mysql", version: "8.4", storageClassName: "slow" });
        assert.equal(r.failures![0].property, "storageClassName");
        assert.match(r.failures![0].reason, /storageClassName cannot change from fast to slow on existing volumes: .*set storageClassName back \(fast\)/);
        const fromDefault = await check(withStorage({ engine: "mysql", version: "8.4" }), { engine: "mysql", version: "8.4", storageClassName: "fast" });
        assert.match(fromDefault.failures![0].reason, /from the cluster's default class to fast .*\(remove it\)/);
    });

    it("a guard recorded before storage was guarded compares engine and version only", async () => {
        const r = await check({ engine: "mysql", version: "8.4" }, { engine: "mysql", version: "8.4", storageSize: "1Gi", storageClassName: "x" });
        assert.deepEqual(r.failures, []);
    });

    it("the component registers it before any other child (each of which depends on it), under its old name's alias", async () => {
        await render("db", { engine: "mariadb", storageSize: "20Gi", storageClassName: "fast" });
        const guard = registered.find((r) => r.name === "db-data-guard");
        assert.ok(guard, "no data guard");
        const { engine, version, storageSize, storageClassName } = guard.inputs;
        assert.deepEqual({ engine, version, storageSize, storageClassName }, { engine: "mariadb", version: "10.11", storageSize: "20Gi", storageClassName: "fast" });
        assert.equal(registered.filter((r) => r.type !== types.component)[0].name, "db-data-guard");
    });
});
