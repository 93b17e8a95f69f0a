import { strict as assert } from "assert";
import { bufferPoolBytes } from "../../components/builders/memory";
import { render } from "../helpers/render";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** The value of `key` in the last [mysqld] file that sets it, base then extra (as init-mysql joins them). */
function effective(configMap: any, key: string): string | undefined {
    let value: string | undefined;
    for (const file of ["base.cnf", "extra.cnf"]) {
        for (const m of (configMap.data[file] ?? "").matchAll(new RegExp(`^${key}=(.*)$`, "gm"))) {
            value = m[1];
        }
    }
    return value;
}

describe("buffers sized to the server container's memory", () => {
    it("the buffer pool is what a 30% (at least 512 MiB) reserve leaves, in 128 MiB chunks, never below 128 MiB", () => {
        assert.equal(bufferPoolBytes(256 * MiB), 128 * MiB);
        assert.equal(bufferPoolBytes(1 * GiB), 512 * MiB);
        assert.equal(bufferPoolBytes(2 * GiB), 1408 * MiB); // 2048 - 614.4 = 1433.6 -> 11 chunks
        assert.equal(bufferPoolBytes(4 * GiB), 2816 * MiB);
        assert.equal(bufferPoolBytes(16 * GiB), 11392 * MiB);
    });

    it("the limit counts when set, else the request; the default pod (1Gi request) gets 512 MiB, not the engine's 128", async () => {
        assert.equal(effective((await render("db")).configMap, "innodb_buffer_pool_size"), "512M");
        const limited = await render("db", { resources: { requests: { memory: "2Gi" }, limits: { memory: "4Gi" } } });
        assert.equal(effective(limited.configMap, "innodb_buffer_pool_size"), "2816M");
        const small = await render("db", { resources: { requests: { memory: "256Mi" } } });
        assert.equal(effective(small.configMap, "innodb_buffer_pool_size"), "128M");
    });

    it("MariaDB's key and Aria caches follow the pod's memory instead of 128 MiB each", async () => {
        const small = (await render("db", { engine: "mariadb", resources: { requests: { memory: "256Mi" } } })).configMap;
        assert.equal(effective(small, "key_buffer_size"), "8M");
        assert.equal(effective(small, "aria_pagecache_buffer_size"), "16M");
        const large = (await render("db", { engine: "mariadb", resources: { limits: { memory: "8Gi" } } })).configMap;
        assert.equal(effective(large, "key_buffer_size"), "64M");
        assert.equal(effective(large, "aria_pagecache_buffer_size"), "128M");
        assert.equal(effective((await render("db")).configMap, "aria_pagecache_buffer_size"), undefined, "MySQL has no Aria");
    });

    it("extraConfig overrides a derived size", async () => {
        const r = await render("db", { extraConfig: { innodb_buffer_pool_size: "3G" } });
        assert.equal(effective(r.configMap, "innodb_buffer_pool_size"), "3G");
    });

    it("the tmpdir is an emptyDir with a size limit (tmpSize, default 2Gi): a runaway sort cannot fill the node's disk", async () => {
        const tmp = (r: any) => r.statefulSet.spec.template.spec.volumes.find((v: any) => v.name === "tmp");
        assert.deepEqual(tmp(await render("db")).emptyDir, { sizeLimit: "2Gi" });
        assert.deepEqual(tmp(await render("db", { tmpSize: "20Gi" })).emptyDir, { sizeLimit: "20Gi" });
    });
});
