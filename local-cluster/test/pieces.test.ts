import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeAtomicDir } from "../node-agent/atomicDir";
import { expand } from "../node-agent/env";
import { tail } from "../node-agent/logs";
import { containerIds } from "../node-agent/podSpec";
import { parseQuantity } from "../node-agent/quantity";

describe("node agent pieces", () => {
    it("parses storage quantities", () => {
        assert.equal(parseQuantity("1Gi"), 2 ** 30);
        assert.equal(parseQuantity("500M"), 5e8);
        assert.equal(parseQuantity("1.5Ki"), 1536);
        assert.throws(() => parseQuantity("1 GB"), /not a quantity/);
    });

    it("runs a container as the uid it asks for: 999 (the images' mysql) as the host's mysql, others as themselves, none as root", () => {
        const mysql = { uid: 105, gid: 108 };
        const pod = (podUid?: number) => ({ spec: { containers: [], securityContext: podUid === undefined ? {} : { runAsUser: podUid, runAsGroup: podUid } } });
        assert.deepEqual(containerIds(pod(999) as any, undefined, mysql), mysql);
        assert.deepEqual(containerIds(pod(999) as any, { name: "metrics", securityContext: { runAsUser: 65534, runAsGroup: 65534 } }, mysql), { uid: 65534, gid: 65534 });
        assert.deepEqual(containerIds(pod() as any, undefined, mysql), { uid: 0, gid: 0 });
        assert.deepEqual(containerIds(pod(1000) as any, undefined, mysql), { uid: 1000, gid: 1000 });
    });

    it("expands $(VAR) like the kubelet", () => {
        assert.equal(expand("$(A)-$(B)-$$(A)", { A: "x" }), "x-$(B)-$(A)");
    });

    it("tails lines, then limits bytes", () => {
        const text = Buffer.from("a\nb\nc\n");
        assert.equal(tail(text, 2).toString(), "b\nc\n");
        assert.equal(tail(text, 9).toString(), "a\nb\nc\n");
        assert.equal(tail(text, 0).toString(), "");
        assert.equal(tail(text, undefined, 3).toString(), "a\nb");
    });

    it("swaps projected files atomically through ..data", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atomic-"));
        try {
            assert.equal(writeAtomicDir(dir, { "a.cnf": { content: Buffer.from("1"), mode: 0o440 } }, 0), true);
            assert.equal(writeAtomicDir(dir, { "a.cnf": { content: Buffer.from("1"), mode: 0o440 } }, 0), false);
            assert.equal(fs.readFileSync(path.join(dir, "a.cnf"), "utf8"), "1");
            assert.equal(fs.statSync(path.join(dir, "a.cnf")).mode & 0o777, 0o440);
            writeAtomicDir(dir, { "b/c": { content: Buffer.from("2"), mode: 0o644 } }, 0);
            assert.deepEqual(fs.readdirSync(dir).filter((f) => !f.startsWith("..")), ["b"]);
            assert.equal(fs.readFileSync(path.join(dir, "b", "c"), "utf8"), "2");
            assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith("..") && f !== "..data").length, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
