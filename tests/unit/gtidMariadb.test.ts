/**
 * gtid.sh against real MariaDB output: every value in tests/fixtures/mariadb-gtid was captured from
 * real servers by tools/capture-mariadb-gtid.sh, beside the SQL history that produced it and what
 * that history established between two captures (an `expect` step). The assertions come from the
 * history, not from the values: whatever the servers print, the comparisons must agree with what
 * was done to them.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { fixturesDir, runScriptFunctions } from "../helpers/bash";

const mariadb = { ENGINE: "mariadb", REPLICATION_SYNTAX: "master" };
const capturesDir = path.join(fixturesDir, "mariadb-gtid");
const scenariosScript = path.join(__dirname, "..", "..", "tools", "mariadb-gtid-scenarios.sh");

interface Values {
    readonly gtid_binlog_state: string;
    readonly gtid_binlog_pos: string;
    readonly gtid_current_pos: string;
    readonly gtid_slave_pos: string;
    /** members.sh's executed set: CONCAT_WS(',', NULLIF(gtid_binlog_state, ''), NULLIF(gtid_slave_pos, '')) */
    readonly facts: string;
    /** SHOW SLAVE STATUS (what the replica received), when the server is a replica */
    readonly Gtid_IO_Pos?: string;
}
interface Step {
    readonly on?: string;
    readonly sql?: string;
    readonly result?: string;
    readonly error?: string;
    readonly capture?: string;
    readonly server_id?: number;
    readonly values?: Values;
    readonly expect?: "same" | "behind" | "diverged" | "same-text-diverged";
    readonly a?: string;
    readonly b?: string;
    readonly why?: string;
}
interface Fixture {
    readonly scenario: string;
    readonly version: string;
    readonly about: string;
    readonly steps: Step[];
}

function loadFixtures(): Fixture[] {
    return fs.readdirSync(capturesDir).sort().flatMap((version) =>
        fs.readdirSync(path.join(capturesDir, version)).filter((f) => f.endsWith(".json")).sort()
            .map((f) => JSON.parse(fs.readFileSync(path.join(capturesDir, version, f), "utf8")) as Fixture));
}

/**
 * Runs many gtid.sh queries in one shell (one per captured value would take minutes): each is a
 * function and its arguments; the answer is its status and its output with stderr.
 */
function batch(queries: string[][]): Array<{ status: number; out: string }> {
    const key = (query: string[]) => JSON.stringify(query);
    const unknown = [...new Map(queries.filter((q) => !answered.has(key(q))).map((q) => [key(q), q])).values()];
    runBatch(unknown).forEach((answer, i) => answered.set(key(unknown[i]), answer));
    return queries.map((q) => answered.get(key(q))!);
}

/** Answers already computed: the same values recur across variables, captures and versions. */
const answered = new Map<string, { status: number; out: string }>();

function runBatch(queries: string[][]): Array<{ status: number; out: string }> {
    if (queries.length === 0) return [];
    // "=" first: an empty value still makes a field (read would merge two spaces)
    const encode = (text: string) => `=${Buffer.from(text, "utf8").toString("base64")}`;
    const lines = queries.map(([fn, ...args]) => [fn, ...args.map(encode)].join(" ")).join("\n");
    const r = runScriptFunctions(`
        render() { gtid_normal "$1" | gtid_text; }
        while read -r fn a b; do
          a=$(base64 -d <<<"\${a#=}"); b=$(base64 -d <<<"\${b#=}")
          status=0; out=$("$fn" "$a" "$b" 2>&1) || status=$?
          printf '%s %s\\n' "$status" "$(printf '%s' "$out" | base64 -w0)"
        done <<<"$QUERIES"`, { ...mariadb, QUERIES: lines });
    assert.equal(r.status, 0, r.stderr);
    const answers = r.stdout.split("\n").filter((l) => l !== "").map((line) => {
        const [status, out] = line.split(" ");
        return { status: Number(status), out: Buffer.from(out ?? "", "base64").toString("utf8") };
    });
    assert.equal(answers.length, queries.length, r.stderr);
    return answers;
}

/** gtid_subset A B for many pairs: true, false, or "refused" (a set that does not parse: status 2). */
function subsets(pairs: Array<[string, string]>): Array<boolean | "refused"> {
    return batch(pairs.map(([a, b]) => ["gtid_subset", a, b])).map(({ status, out }, i) => {
        assert.ok(status <= 2, `gtid_subset ${JSON.stringify(pairs[i])}: status ${status}: ${out}`);
        return status === 2 ? "refused" : status === 0;
    });
}

/** A number awk (doubles) cannot hold exactly: gtid.sh must refuse the set rather than round it. */
const beyondExact = (value: string) => (value.match(/\d+/g) ?? []).some((n) => BigInt(n) > 2n ** 53n - 1n);

/** The last seq_no of each domain-server pair the server's text names, as text (64-bit: no Number). */
function lastOfEachPair(value: string): Map<string, string> {
    const last = new Map<string, string>();
    for (const gtid of value.split(",").map((g) => g.trim()).filter((g) => g !== "")) {
        const [domain, server, seq] = gtid.split("-");
        const pair = `${domain}-${server}`;
        const before = last.get(pair);
        if (before === undefined || BigInt(seq) > BigInt(before)) last.set(pair, seq);
    }
    return last;
}

/** Statements after which a server's sets may shrink or be replaced: no ordering across them. */
const resetsHistory = /RESET MASTER|DELETE_DOMAIN_ID|gtid_binlog_state\s*=|gtid_slave_pos\s*=/i;
/** Statements that change what a server executed besides its own writes. */
const replicates = /START SLAVE|CHANGE MASTER|MASTER_GTID_WAIT/i;

const fixtures = loadFixtures();
const scenarios = [...fs.readFileSync(scenariosScript, "utf8").matchAll(/^scenario_(\w+)\(\)/gm)].map((m) => m[1].replace(/_/g, "-"));

describe("MariaDB gtid_* values captured from real servers (gtid.sh)", () => {
    it("every scenario of the capture script was captured on MariaDB 10.11 and on every other version present", () => {
        const versions = [...new Set(fixtures.map((f) => f.version))];
        assert.ok(versions.some((v) => v.startsWith("10.11.")), `no MariaDB 10.11 capture in ${capturesDir}`);
        for (const version of versions) {
            assert.deepEqual(fixtures.filter((f) => f.version === version).map((f) => f.scenario).sort(), [...scenarios].sort(), version);
        }
    });

    for (const fixture of fixtures) {
        describe(`MariaDB ${fixture.version}, ${fixture.scenario}: ${fixture.about}`, () => {
            const captures = fixture.steps.filter((s) => s.capture !== undefined);
            const byName = new Map(captures.map((s) => [`${s.on}@${s.capture}`, s]));
            const facts = (name: string) => {
                const capture = byName.get(name);
                assert.ok(capture, `no capture ${name}`);
                return capture.values!.facts;
            };

            it("gtid_normal accepts every value and gtid_text renders each domain-server pair's last seq_no exactly (or the set is refused, when awk cannot hold a number exactly)", () => {
                const values = captures.flatMap((c) => Object.entries(c.values!).map(([variable, value]) =>
                    ({ where: `${c.on}@${c.capture} ${variable} = ${JSON.stringify(value)}`, value })));
                const rendered = batch(values.map(({ value }) => ["render", value]));
                values.forEach(({ where, value }, i) => {
                    const { status, out } = rendered[i];
                    if (beyondExact(value)) {
                        assert.notEqual(status, 0, `${where}: accepted, ${out}`);
                        assert.match(out, /gtid_normal: sequence number beyond 2\^53 - 1/, where);
                        return;
                    }
                    assert.equal(status, 0, `${where}: ${out}`);
                    const expected = [...lastOfEachPair(value)].map(([pair, seq]) => `${pair}:${seq === "1" ? "1" : `1-${seq}`}`);
                    const shown = out.trim() === "" ? [] : out.trim().split(", ");
                    assert.deepEqual(shown.sort(), expected.sort(), where);
                });
            });

            const expectations = fixture.steps.filter((s) => s.expect !== undefined);
            for (const step of expectations) {
                const { a, b } = step as Required<Pick<Step, "a" | "b">>;
                it(`${step.expect}: ${a} and ${b} (${step.why})`, () => {
                    const [aInB, bInA] = subsets([[facts(a), facts(b)], [facts(b), facts(a)]]);
                    if (beyondExact(facts(a)) || beyondExact(facts(b))) {
                        // neither "contained" nor "not contained": the decisions wait (rule 8)
                        assert.deepEqual([aInB, bInA], ["refused", "refused"]);
                        return;
                    }
                    switch (step.expect) {
                        case "same":
                            assert.ok(aInB === true && bInA === true, `${a} in ${b}: ${aInB}, ${b} in ${a}: ${bInA}`);
                            break;
                        case "behind":
                            assert.equal(aInB, true, `${a} is behind ${b}, yet not contained in it`);
                            assert.equal(bInA, false, `${b} is ahead of ${a}, yet contained in it`);
                            break;
                        case "diverged":
                            assert.ok(aInB === false && bInA === false, `diverged, yet ${a} in ${b}: ${aInB}, ${b} in ${a}: ${bInA}`);
                            break;
                        case "same-text-diverged": {
                            // the limit of any comparison of the text: the servers print the same GTIDs
                            // for different transactions. This is why pod 0 must write in a new domain
                            // at each start (rule 11); the new-domain capture of the same history is
                            // told apart (its "diverged" step).
                            const [normalA, normalB] = batch([["gtid_normal", facts(a)], ["gtid_normal", facts(b)]]);
                            assert.equal(normalA.out, normalB.out);
                            assert.ok(aInB === true && bInA === true);
                            break;
                        }
                        default:
                            assert.fail(`unknown expectation ${step.expect}`);
                    }
                });
            }

            // consecutive captures of one server with no reset of its sets in between (RESET MASTER,
            // DELETE_DOMAIN_ID, SET GLOBAL gtid_binlog_state / gtid_slave_pos)
            const ordered: Array<{ names: string; before: string; after: string; wrote: boolean; replicated: boolean }> = [];
            for (const server of new Set(captures.map((c) => c.on!))) {
                let earlier: number | undefined;
                fixture.steps.forEach((step, index) => {
                    if (step.on !== server || step.capture === undefined) return;
                    if (earlier !== undefined) {
                        const between = fixture.steps.slice(earlier + 1, index).filter((s) => s.on === server && s.sql !== undefined);
                        const before = fixture.steps[earlier];
                        if (!between.some((s) => resetsHistory.test(s.sql!)) && !beyondExact(before.values!.facts) && !beyondExact(step.values!.facts)) {
                            ordered.push({
                                names: `${server}@${before.capture} -> ${server}@${step.capture}`,
                                before: before.values!.facts, after: step.values!.facts,
                                wrote: between.some((s) => /INSERT/i.test(s.sql!)),
                                replicated: between.some((s) => replicates.test(s.sql!)),
                            });
                        }
                    }
                    earlier = index;
                });
            }
            if (ordered.length > 0) {
                it("a later capture of a server contains an earlier one; the reverse only when the server did nothing in between", () => {
                    const answers = subsets(ordered.flatMap(({ before, after }) => [[before, after], [after, before]] as Array<[string, string]>));
                    ordered.forEach(({ names, wrote, replicated }, i) => {
                        const [forward, reverse] = answers.slice(2 * i, 2 * i + 2);
                        assert.equal(forward, true, `${names}: the earlier set is not in the later one`);
                        if (wrote) assert.equal(reverse, false, `${names}: the server wrote, yet the later set is in the earlier one`);
                        else if (!replicated) assert.equal(reverse, true, `${names}: nothing ran, yet the sets differ`);
                    });
                });
            }

            const exact = captures.filter((c) => !Object.values(c.values!).some(beyondExact));
            if (exact.length > 0) {
                it("a server's positions are within its own sets (binlog_pos in binlog_state, current_pos and slave_pos in the facts)", () => {
                    const answers = subsets(exact.flatMap(({ values: v }) =>
                        [[v!.gtid_binlog_pos, v!.gtid_binlog_state], [v!.gtid_current_pos, v!.facts], [v!.gtid_slave_pos, v!.facts]] as Array<[string, string]>));
                    exact.forEach((c, i) => assert.deepEqual(answers.slice(3 * i, 3 * i + 3), [true, true, true], `${c.on}@${c.capture}`));
                });
            }

            const multiServer = exact.filter((c) => {
                const domains = [...lastOfEachPair(c.values!.gtid_binlog_state).keys()].map((pair) => pair.split("-")[0]);
                return new Set(domains).size < domains.length;
            });
            if (multiServer.length > 0) {
                it("a position is not a transaction set: a domain written by several servers shows only its last one there, so the facts read gtid_binlog_state", () => {
                    const answers = subsets(multiServer.flatMap(({ values: v }) =>
                        [[v!.gtid_binlog_state, v!.gtid_binlog_pos], [v!.gtid_binlog_state, v!.facts]] as Array<[string, string]>));
                    multiServer.forEach((c, i) => assert.deepEqual(answers.slice(2 * i, 2 * i + 2), [false, true], `${c.on}@${c.capture}`));
                });
            }
        });
    }
});
