/**
 * The one decision point (members.sh) and the transaction-set arithmetic under it (gtid.sh), as
 * tables: every state a member can meet, the verdict, and why. Runs the real shell functions.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { fixturesDir, runScriptFunctions } from "../helpers/bash";

const mysql = { ENGINE: "mysql", REPLICATION_SYNTAX: "source" };
const mariadb = { ENGINE: "mariadb", REPLICATION_SYNTAX: "master" };

/** Runs `fn` with each argument passed through the environment (no quoting in the snippet). */
function call(fn: string, args: string[], env: Record<string, string>) {
    const vars = Object.fromEntries(args.map((a, i) => [`A${i}`, a]));
    const r = runScriptFunctions(`${fn} ${args.map((_, i) => `"$A${i}"`).join(" ")}`, { ...env, ...vars });
    return { ...r, out: r.stdout.trim() };
}

const U0 = "aaaaaaaa-0000-0000-0000-000000000000"; // the primary's origin
const U1 = "bbbbbbbb-1111-1111-1111-111111111111"; // replica 1's own origin
const U2 = "cccccccc-2222-2222-2222-222222222222"; // replica 2's own origin
/** Member facts: IDENTITY ORIGIN GTIDS PURGED READ_ONLY, tab-separated (taking writes by default). */
const facts = (id: string, origin: string, gtids: string, purged = "", readOnly = "0") => [id, origin, gtids, purged, readOnly].join("\t");
const peers = (rows: Array<[number, string]>) => rows.map(([n, f]) => `${n}\t${f}`).join("\n");

describe("transaction sets (gtid.sh)", () => {
    it("MySQL sets: intervals, several origins, newlines and tags in one normal form", () => {
        const r = call("gtid_normal", [`${U0.toUpperCase()}:1-5:11-18,\n${U1}:3:tag_a:1-2`], mysql);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.out, [`${U0} 1 5`, `${U0} 11 18`, `${U1} 3 3`, `${U1}:tag_a 1 2`].join("\n"));
    });

    const cases: Array<[string, string, string, boolean, Record<string, string>]> = [
        ["empty is in anything", "", `${U0}:1-5`, true, mysql],
        ["equal sets", `${U0}:1-5`, `${U0}:1-5`, true, mysql],
        ["a prefix", `${U0}:1-3`, `${U0}:1-5`, true, mysql],
        ["one more transaction", `${U0}:1-6`, `${U0}:1-5`, false, mysql],
        ["a gap filled elsewhere", `${U0}:1-5:7`, `${U0}:1-10`, true, mysql],
        ["a transaction inside the other's gap", `${U0}:6`, `${U0}:1-5:7-9`, false, mysql],
        ["another origin", `${U1}:1`, `${U0}:1-100`, false, mysql],
        ["MariaDB: lower sequence of the same server", "0-100-50", "0-100-523,0-101-7", true, mariadb],
        ["MariaDB: higher sequence", "0-100-524", "0-100-523", false, mariadb],
        ["MariaDB: another server in the same domain", "0-101-1", "0-100-523", false, mariadb],
        ["MariaDB: slave_pos and binlog state merged", "0-100-10,0-100-20", "0-100-20", true, mariadb],
    ];
    for (const [why, a, b, expected, env] of cases) {
        it(`subset: ${why} -> ${expected}`, () => {
            const r = call("gtid_subset", [a, b], env);
            assert.equal(r.status === 0, expected, r.stderr);
        });
    }

    it("subtract lists exactly what is missing, readable", () => {
        assert.equal(runScriptFunctions(`gtid_subtract "$A" "$B" | gtid_text`,
            { ...mysql, A: `${U0}:1-20`, B: `${U0}:1-5:11-18` }).stdout, `${U0}:6-10, ${U0}:19-20\n`);
        assert.equal(runScriptFunctions(`gtid_subtract "$A" "$B" | gtid_text`,
            { ...mariadb, A: "0-100-530,0-101-2", B: "0-100-523" }).stdout, "0-100:524-530, 0-101:1-2\n");
    });

    it("garbage is refused, never read as an empty set", () => {
        for (const [set, env] of [["not-a-gtid", mysql], [`${U0}:5-1`, mysql], ["0-100", mariadb]] as const) {
            const r = call("gtid_subset", [set, `${U0}:1-5`], env);
            assert.notEqual(r.status, 0, `${set} was accepted`);
            assert.match(r.stderr, /gtid_normal/);
        }
    });
});

describe("an empty pod 0 (decide_seed)", () => {
    const id = "cluster-a";
    const table: Array<[string, string, string]> = [
        ["a peer does not answer: wait, never a new cluster", peers([[1, facts("EMPTY", U1, "")], [2, "-"]]),
            "wait pods 2 have not answered"],
        ["every peer answers empty: a new cluster", peers([[1, facts("EMPTY", U1, "")], [2, facts("EMPTY", U2, "")]]), "init"],
        ["no peers at all (replicas: 1): a new cluster", "", "init"],
        ["one peer holds data: re-seed from it", peers([[1, facts("EMPTY", U1, "")], [2, facts(id, U2, `${U0}:1-40`)]]),
            "reseed 2"],
        ["the most advanced peer wins, not the nearest", peers([[1, facts(id, U1, `${U0}:1-40`)], [2, facts(id, U2, `${U0}:1-90`)]]),
            "reseed 2"],
        ["a peer's own (errant) transactions do not make it the most advanced",
            peers([[1, facts(id, U1, `${U0}:1-40,${U1}:1-3`)], [2, facts(id, U2, `${U0}:1-40`)]]), "reseed 1"],
        ["peers of two clusters: an operator must choose", peers([[1, facts(id, U1, `${U0}:1-4`)], [2, facts("cluster-b", U2, `${U0}:1-4`)]]),
            "halt peers hold data of different clusters"],
        ["diverged peers: an operator must choose",
            peers([[1, facts(id, U1, `${U0}:1-40`)], [2, facts(id, U2, `${U0}:1-39,${U0}:41`)]]), "halt the peers have diverged"],
        ["a foreign server without identity counts as no data, an empty one too",
            peers([[1, facts("", U1, `${U0}:1-4`)], [2, facts("EMPTY", U2, "")]]), "init"],
    ];
    for (const [why, input, verdict] of table) {
        it(why, () => {
            const r = call("decide_seed", [input], mysql);
            assert.equal(r.status, 0, r.stderr);
            assert.ok(r.out.startsWith(verdict), `got "${r.out}"`);
        });
    }
});

describe("pod 0 with data, before it takes writes (decide_primary)", () => {
    const id = "cluster-a";
    const me = facts(id, U0, `${U0}:1-100`);
    const table: Array<[string, string, string, string]> = [
        ["peers hold the same: promote", me, peers([[1, facts(id, U1, `${U0}:1-100`)], [2, facts(id, U2, `${U0}:1-90`)]]), "promote"],
        ["no peer answered: promote (the wait for them is the agent's)", me, "", "promote"],
        ["an older copy of itself (a peer has more of the primary's transactions): set aside",
            facts(id, U0, `${U0}:1-60`), peers([[1, facts(id, U1, `${U0}:1-100`)]]), "set-aside pods 1 hold transactions"],
        ["a replica's errant transactions do not demote the primary", me, peers([[1, facts(id, U1, `${U0}:1-100,${U1}:1`)]]), "promote"],
        ["every peer belongs to another cluster: this volume is the stranger", me,
            peers([[1, facts("cluster-b", U1, `${U2}:1-5`)], [2, facts("cluster-b", U2, `${U2}:1-5`)]]), "halt this volume belongs to cluster cluster-a"],
        ["one stranger among peers of its own cluster: promote (the stranger stops itself)", me,
            peers([[1, facts("cluster-b", U1, `${U2}:1-5`)], [2, facts(id, U2, `${U0}:1-100`)]]), "promote"],
        ["a data directory without identity is not served", facts("", U0, `${U0}:1-100`), "", "halt this data directory has no cluster identity"],
    ];
    for (const [why, local, input, verdict] of table) {
        it(why, () => {
            const r = call("decide_primary", [local, input], mysql);
            assert.equal(r.status, 0, r.stderr);
            assert.ok(r.out.startsWith(verdict), `got "${r.out}"`);
        });
    }
    it("MariaDB: an older copy of pod 0 (server 100) behind a replica (server 101)", () => {
        const r = call("decide_primary", [facts(id, "100", "0-100-60"), peers([[1, facts(id, "101", "0-100-100")]])], mariadb);
        assert.ok(r.out.startsWith("set-aside"), r.out + r.stderr);
    });
});

describe("a replica facing pod 0 (decide_replica)", () => {
    const id = "cluster-a";
    const source = facts(id, U0, `${U0}:1-100`, `${U0}:1-20`);
    const table: Array<[string, string, string, string, string]> = [
        ["behind the source, logs available: replicate", facts(id, U1, `${U0}:1-50`), source, "0", "replicate"],
        ["equal: replicate", facts(id, U1, `${U0}:1-100`), source, "0", "replicate"],
        ["the source purged what it still needs: re-clone (old copy set aside)", facts(id, U1, `${U0}:1-10`), source, "0",
            "reclone the source purged"],
        ["MariaDB-style 1236 with a subset: re-clone", facts(id, U1, `${U0}:1-50`), source, "1236", "reclone"],
        ["...but not while pod 0 is still settling (re-seeded, read-only): wait", facts(id, U1, `${U0}:1-50`),
            facts(id, U0, `${U0}:1-100`, `${U0}:1-100`, "1"), "1236", "wait pod 0 is not taking writes yet"],
        ["an errant transaction: stop and keep the data", facts(id, U1, `${U0}:1-100,${U1}:1`), source, "0",
            `halt errant transactions on this replica, not on the source: ${U1}:1`],
        ["1236 with an errant transaction is still errant, never a re-clone", facts(id, U1, `${U0}:1-100,${U1}:1`), source, "1236",
            "halt errant"],
        ["the source is behind this replica (pod 0 lost data): stop and keep the data", facts(id, U1, `${U0}:1-120`), source, "1236",
            `halt the source is behind this replica (lacks ${U0}:101-120)`],
        ["a source of another cluster: stop", facts(id, U1, `${U0}:1-100`), facts("cluster-b", U0, `${U0}:1-100`), "0",
            "halt the source belongs to cluster cluster-b"],
        ["a copy of another cluster under this pod: stop", facts("cluster-b", U1, `${U2}:1-5`), source, "0",
            "halt the source belongs to cluster cluster-a, this copy to cluster-b"],
        ["pod 0 empty and seeding: wait", facts(id, U1, `${U0}:1-100`), facts("EMPTY", U0, ""), "0", "wait pod 0 has no data"],
    ];
    for (const [why, local, src, errno, verdict] of table) {
        it(why, () => {
            const r = call("decide_replica", [local, src, errno], mysql);
            assert.equal(r.status, 0, r.stderr);
            assert.ok(r.out.startsWith(verdict), `got "${r.out}"`);
        });
    }
    it("MariaDB: a write of the replica's own server id is errant", () => {
        const r = call("decide_replica", [facts(id, "101", "0-100-50,0-101-1"), facts(id, "100", "0-100-60"), "0"], mariadb);
        assert.ok(r.out.startsWith("halt errant transactions on this replica, not on the source: 0-101:1"), r.out + r.stderr);
    });
    it("the I/O error number is read from real SHOW SLAVE STATUS output (1236 after a purge -> re-clone)", () => {
        const status = path.join(fixturesDir, "replica-status", "mariadb-purged");
        const r = runScriptFunctions(`decide_replica "$L" "$S" "$(status_field "$(cat ${JSON.stringify(status)})" Last_IO_Errno)"`,
            { ...mariadb, L: facts(id, "101", "0-100-50"), S: facts(id, "100", "0-100-90") });
        assert.match(r.stdout, /^reclone /, r.stdout + r.stderr);
    });
});
