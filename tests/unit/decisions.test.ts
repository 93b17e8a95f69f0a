/**
 * The one decision point (members.sh) and the transaction-set arithmetic under it (gtid.sh), as
 * tables: every state a member can meet, the verdict, and why. Runs the real shell functions.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Awk, awks, fixturesDir, pathWithAwk, runScriptFunctions } from "../helpers/bash";

const mysql = { ENGINE: "mysql", REPLICATION_SYNTAX: "source" };
const mariadb = { ENGINE: "mariadb", REPLICATION_SYNTAX: "master" };

/** Runs `fn` with each argument passed through the environment (no quoting in the snippet). */
function call(fn: string, args: string[], env: Record<string, string>, awk?: Awk) {
    const vars = Object.fromEntries(args.map((a, i) => [`A${i}`, a]));
    const r = runScriptFunctions(`${fn} ${args.map((_, i) => `"$A${i}"`).join(" ")}`, { ...env, ...vars }, awk);
    return { ...r, out: r.stdout.trim() };
}

const U0 = "aaaaaaaa-0000-0000-0000-000000000000"; // the primary's origin
const U1 = "bbbbbbbb-1111-1111-1111-111111111111"; // replica 1's own origin
const U2 = "cccccccc-2222-2222-2222-222222222222"; // replica 2's own origin
/**
 * Member facts: IDENTITY ORIGIN EXECUTED PURGED READ_ONLY RETRIEVED ASIDE, tab-separated (taking
 * writes, nothing retrieved beyond what was applied and nothing set aside by default).
 */
const facts = (id: string, origin: string, gtids: string, purged = "", readOnly = "0", retrieved = "", aside = "") =>
    [id, origin, gtids, purged, readOnly, retrieved, aside].join("\t");
const peers = (rows: Array<[number, string]>) => rows.map(([n, f]) => `${n}\t${f}`).join("\n");

// Under both awks the images carry: mawk (MariaDB images) and gawk (MySQL images).
for (const awk of awks) describe(`transaction sets (gtid.sh, under ${awk})`, () => {
    before(function () {
        assert.ok(pathWithAwk(awk), `${awk} is not installed: the pod scripts run under it in the official images (Debian: apt-get install -y ${awk})`);
    });

    it("MySQL sets: intervals, several origins, newlines and tags in one normal form", () => {
        const r = call("gtid_normal", [`${U0.toUpperCase()}:1-5:11-18,\n${U1}:3:tag_a:1-2`], mysql, awk);
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
        // past 2^31-1 (mawk printed 5e+09 for both and took them for equal)
        ["one more transaction past 2^31", `${U0}:1-5000000001`, `${U0}:1-5000000000`, false, mysql],
        ["a prefix past 2^31", `${U0}:1-5000000000`, `${U0}:1-5000000001`, true, mysql],
        ["MariaDB: higher sequence past 2^31", "0-100-5000000001", "0-100-5000000000", false, mariadb],
        ["MariaDB: lower sequence past 2^31", "0-100-4999999999", "0-100-5000000000", true, mariadb],
    ];
    for (const [why, a, b, expected, env] of cases) {
        it(`subset: ${why} -> ${expected}`, () => {
            const r = call("gtid_subset", [a, b], env, awk);
            assert.equal(r.status === 0, expected, r.stderr);
        });
    }

    it("subtract lists exactly what is missing, readable", () => {
        assert.equal(runScriptFunctions(`gtid_subtract "$A" "$B" | gtid_text`,
            { ...mysql, A: `${U0}:1-20`, B: `${U0}:1-5:11-18` }, awk).stdout, `${U0}:6-10, ${U0}:19-20\n`);
        assert.equal(runScriptFunctions(`gtid_subtract "$A" "$B" | gtid_text`,
            { ...mariadb, A: "0-100-530,0-101-2", B: "0-100-523" }, awk).stdout, "0-100:524-530, 0-101:1-2\n");
    });

    it("numbers past 2^31 come out exact, not as 5e+09", () => {
        assert.equal(call("gtid_normal", ["0-100-5000000001,0-101-7"], mariadb, awk).out, "0-100 1 5000000001\n0-101 1 7");
        assert.equal(runScriptFunctions(`gtid_subtract "$A" "$B" | gtid_text`,
            { ...mysql, A: `${U0}:1-5000000005`, B: `${U0}:1-4999999999:5000000003` }, awk).stdout,
            `${U0}:5000000000-5000000002, ${U0}:5000000004-5000000005\n`);
    });

    it("overlapping and adjacent intervals print as one (equal sets, equal text)", () => {
        const r = runScriptFunctions(`gtid_subtract "$A" "$B" | gtid_text`,
            { ...mysql, A: `${U0}:1-10,${U0}:1-12:14,${U1}:1-3,${U1}:4-6`, B: `${U0}:3-4` });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `${U0}:1-2, ${U0}:5-12, ${U0}:14, ${U1}:1-6\n`);
    });

    // gtid_sql here is a stand-in answer, not a server: these check only how gtid.sh treats what
    // the server says; the server's real GTID_SUBTRACT is checked against gtid.sh in the e2e suite (D13)
    describe("on MySQL with a server to ask (gtid_sql): the server's GTID_SUBTRACT decides, gtid.sh must agree", () => {
        const ask = (answer: string) => `gtid_sql() { cat >"$Q"; ${answer}; }`;
        const q = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gtid-sql-")), "query");
        it("asks the server with the sets as they came, and uses its answer when both agree", () => {
            const file = q();
            const r = runScriptFunctions(`${ask(`printf '%s\\n' "${U0.toUpperCase()}:6-10,\n${U0}:19-20"`)}; gtid_subtract "$A" "$B" | gtid_text`,
                { ...mysql, Q: file, A: `${U0}:1-20`, B: `${U0}:1-5:11-18` });
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout, `${U0}:6-10, ${U0}:19-20\n`);
            assert.match(fs.readFileSync(file, "utf8"), new RegExp(`GTID_SUBTRACT\\('${U0}:1-20', '${U0}:1-5:11-18'\\)`));
        });
        it("a server that disagrees, fails or answers garbage: no result (the decisions wait), and the log says which", () => {
            for (const [answer, message] of [
                [`echo "${U0}:6-10"`, /GTID_SUBTRACT says "[^"]*6-10", gtid.sh says "[^"]*6-10, [^"]*19-20"/],
                ["echo 'ERROR 1045 (28000): Access denied' >&2; return 1", /could not compute GTID_SUBTRACT: ERROR 1045/],
                ["echo 'NULL'", /gtid_normal: not a MySQL GTID set element "NULL"/],
            ] as const) {
                const r = runScriptFunctions(`${ask(answer)}; gtid_subtract "$A" "$B"`,
                    { ...mysql, Q: q(), A: `${U0}:1-20`, B: `${U0}:1-5:11-18` });
                assert.equal(r.status, 1, `${answer}: ${r.stdout}`);
                assert.equal(r.stdout, "");
                assert.match(r.stderr, message);
            }
        });
        it("a set that would not be a plain GTID set never reaches the SQL text", () => {
            const file = q();
            const r = runScriptFunctions(`${ask("echo ''")}; gtid_subtract "$A" "$B"`, { ...mysql, Q: file, A: `${U0}:1-2'); DROP TABLE x; --`, B: "" });
            assert.notEqual(r.status, 0);
            assert.ok(!fs.existsSync(file), "the query was sent");
        });
        it("MariaDB has no set arithmetic in the server: gtid.sh alone", () => {
            const file = q();
            const r = runScriptFunctions(`${ask("echo wrong")}; gtid_subtract "$A" "$B" | gtid_text`, { ...mariadb, Q: file, A: "0-100-530", B: "0-100-523" });
            assert.equal(r.stdout, "0-100:524-530\n");
            assert.ok(!fs.existsSync(file), "MariaDB was asked for GTID_SUBTRACT");
        });
    });

    it("garbage is refused, never read as an empty set", () => {
        // numbers awk cannot hold exactly (2^53 + 1 reads as 2^53) are refused too, never rounded
        for (const [set, env] of [["not-a-gtid", mysql], [`${U0}:5-1`, mysql], ["0-100", mariadb],
            [`${U0}:1-9007199254740993`, mysql], ["0-100-9007199254740993", mariadb]] as const) {
            const r = call("gtid_subset", [set, `${U0}:1-5`], env, awk);
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
        ["a peer's own (errant) transactions do not make it the most advanced, and it is never the source",
            peers([[1, facts(id, U1, `${U0}:1-40,${U1}:1-3`)], [2, facts(id, U2, `${U0}:1-40`)]]), "reseed 2"],
        ["the only complete copy is errant: halt, never copy its errant rows into the primary",
            peers([[1, facts(id, U1, `${U0}:1-50,${U1}:1`)], [2, facts(id, U2, `${U0}:1-40`)]]),
            `halt the only copies that hold every transaction of this cluster have errant transactions of their own: pod 1 (${U1}:1)`],
        ["rule 10: what a peer retrieved counts; the most advanced waits until it applied it",
            peers([[1, facts(id, U1, `${U0}:1-40`, "", "1", `${U0}:1-60`)], [2, facts(id, U2, `${U0}:1-50`)]]),
            `wait pod 1 holds the most advanced data but has not applied all it retrieved (${U0}:41-60)`],
        ["rule 10: ...and is the source once it has", peers([[1, facts(id, U1, `${U0}:1-60`, "", "1", `${U0}:1-60`)], [2, facts(id, U2, `${U0}:1-50`)]]),
            "reseed 1"],
        ["rule 9: every pod empty, but a replica's copy is set aside: never a new cluster",
            peers([[1, facts("EMPTY", U1, "", "", "0", "", `20261207T101010Z-db-1|${id}|${U1}|${U0}:1-40`)], [2, facts("EMPTY", U2, "")]]),
            "halt no pod serves data, but copies are set aside (pod 1's set-aside copy 20261207T101010Z-db-1)"],
        ["rule 9: a set-aside copy holds transactions no live copy has: halt",
            peers([[1, facts(id, U1, `${U0}:1-40`, "", "0", "", `old|${id}|${U1}|${U0}:1-45`)], [2, facts(id, U2, `${U0}:1-40`)]]),
            "halt pod 1's set-aside copy old holds transactions of this cluster that no live copy has"],
        ["rule 9: set-aside copies behind the live ones do not stop the re-seed",
            peers([[1, facts(id, U1, `${U0}:1-40`, "", "0", "", `old|${id}|${U1}|${U0}:1-30`)], [2, facts(id, U2, `${U0}:1-40`)]]), "reseed 1"],
        ["rule 9: a set-aside copy of another cluster does not block this one",
            peers([[1, facts(id, U1, `${U0}:1-40`, "", "0", "", `x|cluster-b|${U1}|${U2}:1-99`)], [2, facts(id, U2, `${U0}:1-40`)]]), "reseed 1"],
        ["rule 8: a set-aside copy without recorded facts: wait, never init",
            peers([[1, facts("EMPTY", U1, "", "", "0", "", "legacy|?|?|?")], [2, facts("EMPTY", U2, "")]]),
            "wait these facts could not be read: pod 1 (a set-aside copy without recorded facts)"],
        ["peers of two clusters: an operator must choose", peers([[1, facts(id, U1, `${U0}:1-4`)], [2, facts("cluster-b", U2, `${U0}:1-4`)]]),
            "halt peers hold data of different clusters"],
        ["diverged peers: an operator must choose",
            peers([[1, facts(id, U1, `${U0}:1-40`)], [2, facts(id, U2, `${U0}:1-39,${U0}:41`)]]), "halt the peers have diverged"],
        ["a server without identity is not read as empty: wait",
            peers([[1, facts("", U1, `${U0}:1-4`)], [2, facts("EMPTY", U2, "")]]), "wait pods 1 answered facts that do not parse"],
    ];
    for (const [why, input, verdict] of table) {
        it(why, () => {
            const r = call("decide_seed", ["", input], mysql);
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
        ["rule 10: a peer retrieved transactions pod 0 lacks: set aside and re-seed",
            me, peers([[1, facts(id, U1, `${U0}:1-100`, "", "1", `${U0}:1-105`)]]), "set-aside pods 1 hold transactions"],
        ["rule 9: a peer's set-aside copy holds transactions pod 0 lacks: halt, keep both",
            me, peers([[1, facts(id, U1, `${U0}:1-100`, "", "1", "", `c|${id}|${U1}|${U0}:1-101`)]]),
            "halt pod 1's set-aside copy c holds transactions of this cluster that this copy lacks"],
        ["rule 9: pod 0's own set-aside copy counts too", facts(id, U0, `${U0}:1-100`, "", "1", "", `c|${id}|${U0}|${U0}:1-100,${U1}:1`),
            peers([[1, facts(id, U1, `${U0}:1-100`)]]), "halt pod 0's set-aside copy c holds"],
        ["a data directory without identity is not served", facts("", U0, `${U0}:1-100`), "", "wait this server: its cluster identity"],
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
        const r = runScriptFunctions(`s=$(cat ${JSON.stringify(status)}); decide_replica "$L" "$S" "$(status_field "$s" Last_IO_Errno)" "$(status_field "$s" Last_IO_Error)"`,
            { ...mariadb, L: facts(id, "101", "0-100-50"), S: facts(id, "100", "0-100-90") });
        assert.match(r.stdout, /^reclone /, r.stdout + r.stderr);
    });
});

describe("rule 8: every decision waits on facts it cannot read (garbage, empty, partial)", () => {
    const id = "cluster-a";
    const good = facts(id, U1, `${U0}:1-40`);
    /** One field of a facts line replaced (1-based), the way a peer's garbled answer would read. */
    const withField = (line: string, n: number, value: string) => line.split("\t").map((f, i) => i === n - 1 ? value : f).join("\t");
    const garbage: Array<[string, string]> = [
        ["an empty answer", ""],
        ["a partial answer (5 fields)", [id, U1, `${U0}:1-40`, "", "0"].join("\t")],
        ["an answer with an extra field", good + "\textra"],
        ["identity empty", withField(good, 1, "")],
        ["identity with spaces", withField(good, 1, "a b")],
        ["origin not a uuid", withField(good, 2, "not-a-uuid")],
        ["origin empty", withField(good, 2, "")],
        ["executed set garbled (a setting changed the text)", withField(good, 3, `${U0}:1-40\\n`)],
        ["executed set reversed interval", withField(good, 3, `${U0}:40-1`)],
        ["purged set garbled", withField(good, 4, "purged?")],
        ["read_only not 0/1", withField(good, 5, "ON")],
        ["read_only empty", withField(good, 5, "")],
        ["retrieved set garbled", withField(good, 6, "garbage")],
        ["set-aside entry malformed", withField(good, 7, "no-separators")],
        ["set-aside entry with a garbled set", withField(good, 7, `n|${id}|${U1}|garbage`)],
    ];
    for (const [what, bad] of garbage) {
        it(`decide_seed: a peer's ${what} -> wait`, () => {
            const r = call("decide_seed", ["", peers([[1, bad], [2, facts("EMPTY", U2, "")]])], mysql);
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.out, /^wait /, what);
        });
        it(`decide_primary: a peer's ${what} -> wait; its own -> wait`, () => {
            const me = facts(id, U0, `${U0}:1-40`, "", "1");
            const fromPeer = call("decide_primary", [me, peers([[1, bad]])], mysql);
            assert.match(fromPeer.out, /^wait /, `peer: ${what}: ${fromPeer.out}`);
            const own = call("decide_primary", [bad.replace(U1, U0), ""], mysql);
            assert.match(own.out, /^wait /, `own: ${what}: ${own.out}`);
        });
        it(`decide_replica: the source's ${what} -> wait; its own -> wait`, () => {
            const source = facts(id, U0, `${U0}:1-40`);
            assert.match(call("decide_replica", [good, bad.replace(U1, U0), "0"], mysql).out, /^wait /, `source: ${what}`);
            if (!/retrieved|set-aside/.test(what) || what.includes("garbled")) {
                assert.match(call("decide_replica", [bad, source, "0"], mysql).out, /^wait /, `own: ${what}`);
            }
        });
    }
    it("decide_seed: a peer whose answer did not parse (\"?\") -> wait, never init", () => {
        assert.match(call("decide_seed", ["", peers([[1, "?"], [2, facts("EMPTY", U2, "")]])], mysql).out, /^wait pods 1 answered facts that do not parse/);
    });
    it("decide_seed / decide_primary: a peer's retrieved set or set-aside copies unreadable (\"?\") -> wait", () => {
        for (const bad of [facts("EMPTY", U1, "", "", "0", "?"), facts("EMPTY", U1, "", "", "0", "", "?")]) {
            assert.match(call("decide_seed", ["", peers([[1, bad]])], mysql).out, /^wait these facts could not be read: pod 1/);
        }
        assert.match(call("decide_primary", [facts(id, U0, `${U0}:1-40`, "", "1"), peers([[1, facts(id, U1, `${U0}:1-40`, "", "1", "?")]])], mysql).out,
            /^wait these facts could not be read: pod 1 \(its retrieved transactions\)/);
    });
    it("decide_replica: its own retrieved set unreadable -> wait; an error number that is not a number -> wait", () => {
        const source = facts(id, U0, `${U0}:1-40`);
        assert.match(call("decide_replica", [facts(id, U1, `${U0}:1-40`, "", "1", "?"), source, "0"], mysql).out, /^wait this replica's retrieved/);
        assert.match(call("decide_replica", [good, source, ""], mysql).out, /^wait the replication error number/);
        assert.match(call("decide_replica", [good, source, "12x"], mysql).out, /^wait the replication error number/);
        assert.match(call("decide_replica", [good, "?", "0"], mysql).out, /^wait pod 0 answered facts that do not parse/);
    });
    it("MariaDB: garbled GTIDs and server ids -> wait", () => {
        const me = facts(id, "101", "0-100-50");
        assert.match(call("decide_replica", [me, facts(id, "100", "0-100"), "0"], mariadb).out, /^wait pod 0: its executed/);
        assert.match(call("decide_replica", [me, facts(id, "x100", "0-100-60"), "0"], mariadb).out, /^wait pod 0: its server id/);
    });
    it("the topology file: missing, empty, garbage, zero -> status 1 with the reason, never 'no peers'", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "topology-"));
        const file = path.join(dir, "replicas");
        for (const content of [undefined, "", "three", "0", "3x", "-1", "99999"]) {
            if (content === undefined) { fs.rmSync(file, { force: true }); } else { fs.writeFileSync(file, content); }
            const r = runScriptFunctions("expected_members", { ...mysql, TOPOLOGY_FILE: file });
            assert.equal(r.status, 1, `content ${JSON.stringify(content)} accepted: ${r.stdout}`);
            assert.match(r.stderr, /topology file/);
            const lines = runScriptFunctions("peer_lines", { ...mysql, TOPOLOGY_FILE: file, POD_NAME: "db-0" });
            assert.notEqual(lines.status, 0, "peer_lines read an unreadable topology as no peers");
        }
        fs.writeFileSync(file, "3\n");
        assert.equal(runScriptFunctions("expected_members", { ...mysql, TOPOLOGY_FILE: file }).stdout, "3\n");
    });
});

describe("rule 10 and rule 6 in decide_replica", () => {
    const id = "cluster-a";
    const source = facts(id, U0, `${U0}:1-100`, `${U0}:1-20`);
    it("what this replica retrieved beyond the source counts: the source is behind, halt", () => {
        assert.match(call("decide_replica", [facts(id, U1, `${U0}:1-100`, "", "1", `${U0}:1-110`), source, "0"], mysql).out,
            new RegExp(`^halt the source is behind this replica \\(lacks ${U0}:101-110\\)`));
    });
    it("MySQL: a 1236 without a purged gap is not a re-clone (the agent restarts the receiver and logs the error)", () => {
        assert.equal(call("decide_replica", [facts(id, U1, `${U0}:1-50`), source, "1236"], mysql).out, "replicate");
    });
    it("MariaDB: 1236 saying the binlogs were purged -> re-clone; saying diverged -> halt with the text; other -> replicate", () => {
        const me = facts(id, "101", "0-100-50"), src = facts(id, "100", "0-100-90");
        const purged = "Got fatal error 1236 from master when reading data from binary log: 'Could not find GTID state requested by slave in any binlog files. Probably the slave state is too old and required binlog files have been purged.'";
        const diverged = "Got fatal error 1236 from master when reading data from binary log: 'Error: connecting slave requested to start from GTID 0-100-50, which is not in the master's binlog. Since the master's binlog contains GTIDs with higher sequence numbers, it probably means that the slave has diverged due to executing extra erroneous transactions'";
        assert.match(call("decide_replica", [me, src, "1236", purged], mariadb).out, /^reclone /);
        assert.match(call("decide_replica", [me, src, "1236", diverged], mariadb).out, /^halt pod 0 refuses this replica as diverged: error 1236: .*diverged/);
        assert.equal(call("decide_replica", [me, src, "1236", "Got fatal error 1236: something else"], mariadb).out, "replicate");
    });
});

describe("reading a member's facts (members.sh facts_of_answer, on the client's batch output)", () => {
    const read = (answer: string, env = mysql) => runScriptFunctions(`facts_of_answer <<<"$A"`, { ...env, A: answer });
    const mainHeader = "part\tIFNULL((SELECT id FROM mysql_cluster.identity LIMIT 1), '')\t@@server_uuid\tREPLACE(...)\tREPLACE(...)\t@@GLOBAL.read_only";
    const main = `${mainHeader}\n${["F", "cluster-a", U0, `${U0}:1-5`, "", "0"].join("\t")}`;
    const aside = (value: string) => `part\tIFNULL(GROUP_CONCAT(...), '')\nA\t${value}`;
    it("MySQL: the retrieved set, several lines in the server's text (batch mode writes \\n), is read whole", () => {
        const status = "Replica_IO_State\tSource_Host\tRetrieved_Gtid_Set\tExecuted_Gtid_Set\n" +
            `Waiting for source\tdb-0.db\t${U0}:1-7,\\n${U1}:1-2\t${U0}:1-5`;
        const r = read(`${main}\n${aside("")}\n${status}\npart\nE\n`);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, ["cluster-a", U0, `${U0}:1-5`, "", "0", `${U0}:1-7,${U1}:1-2`, ""].join("\t") + "\n");
    });
    it("MariaDB: Gtid_IO_Pos is the retrieved set; a server that is no replica (no status rows) retrieved nothing", () => {
        const mainMaria = `${mainHeader}\n${["F", "cluster-a", "101", "0-100-5", "", "1"].join("\t")}`;
        const status = "Slave_IO_State\tGtid_IO_Pos\tGtid_Slave_Pos\nWaiting\t0-100-9\t0-100-5";
        assert.equal(read(`${mainMaria}\n${aside("x|cluster-a|101|0-100-3")}\n${status}\npart\nE\n`, mariadb).stdout.trim().split("\t").slice(5).join("|"),
            "0-100-9|x|cluster-a|101|0-100-3");
        const notReplica = read(`${mainMaria}\n${aside("")}\npart\nE\n`, mariadb).stdout.replace(/\n$/, "").split("\t");
        assert.deepEqual(notReplica.slice(5), ["", ""], "empty fields are kept");
    });
    it("a part the client could not read (it stops at the first error) is unknown, never empty", () => {
        assert.equal(read(`${main}\n`).stdout, ["cluster-a", U0, `${U0}:1-5`, "", "0", "?", "?"].join("\t") + "\n");
        assert.equal(read(`${main}\n${aside("")}\n`).stdout, ["cluster-a", U0, `${U0}:1-5`, "", "0", "?", ""].join("\t") + "\n");
        assert.notEqual(read(`${aside("")}\npart\nE\n`).status, 0, "an answer without its main part was read");
        assert.notEqual(read("").status, 0);
    });
});
