/**
 * The documentation against the code: the configuration tables are what the args' JSDoc generates,
 * CI runs exactly the test commands the README gives and checks that its setup is enough (in a fresh
 * Debian root, tools/fresh-root-check.sh), links stay inside the repository and land,
 * and the supported Node.js is the same everywhere it is named.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { currentBlock, generatedBlocks, repoRoot, tables, targets } from "../../tools/config-table";

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), "utf8");
const markdownFiles = () => ["README.md", ...fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
const anchorsOf = (text: string) => new Set(text.replace(/```[\s\S]*?```/g, "").split("\n")
    .filter((line) => /^#{1,6} /.test(line)).map((line) => anchor(line.replace(/^#+ /, ""))));

describe("documentation", function () {
    this.timeout(60000);

    it("the configuration tables are what components/args.ts generates (npm run docs:config)", () => {
        const blocks = generatedBlocks();
        for (const key of Object.keys(targets) as Array<keyof typeof targets>) {
            assert.equal(currentBlock(read(targets[key]), targets[key]), blocks[key],
                `${targets[key]}: the configuration table is not what the args' JSDoc generates: run \`npm run docs:config\``);
        }
        for (const name of ["replicas", "storageSize", "extraConfig", "tls", "metrics"]) {
            assert.match(blocks.readme, new RegExp(`^\\| \`${name}\` \\|`, "m"), `${name} is missing from the README table`);
        }
        assert.match(blocks.optionTypes, /^### MetricsOptions$/m);
    });

    it("every arg and option has a description, and a @default unless it is required", () => {
        for (const table of tables()) {
            for (const row of table.rows) {
                assert.ok(row.meaning, `${table.name}.${row.name} has no description in its JSDoc`);
                assert.ok(row.required || row.default, `${table.name}.${row.name} has no @default in its JSDoc`);
            }
        }
    });

    it("the README stays short (at most 250 lines): the rest lives in docs/", () => {
        const lines = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8").split("\n").length - 1;
        assert.ok(lines <= 250, `README.md has ${lines} lines; move detail to docs/`);
    });

    it("CI (.ci/run) runs exactly the test commands the README gives, in its order", () => {
        const ci = read(".ci/run").split("\n").map((l) => l.trim()).filter((l) => /^npm (test|run test:\S+)$/.test(l));
        const readme = read("README.md");
        const section = readme.slice(readme.indexOf("## Run the tests"), readme.indexOf("\n## ", readme.indexOf("## Run the tests") + 1));
        const given = [...section.matchAll(/^(npm (?:test|run test:\S+))/gm)].map((m) => m[1]);
        assert.deepEqual(ci, ["npm test", "npm run test:e2e", "npm run test:k8s"]);
        assert.deepEqual(given, ci);
    });

    it("the README gives the unit suite's setup where tools/fresh-root-check.sh reads it, and CI runs that check", () => {
        const steps = execFileSync("bash", [path.join(repoRoot, "tools/fresh-root-check.sh")],
            { env: { ...process.env, FRESH_ROOT_DRY_RUN: "1" }, encoding: "utf8" }).trim().split("\n");
        assert.match(steps[steps.length - 1], /^npm test\b/, "the check's last step is the README's npm test line");
        for (const step of [/^apt-get update$/, /^apt-get install -y .*\bshellcheck\b/, /tools\/node\.sh/, /^npm ci$/]) {
            assert.ok(steps.some((line) => step.test(line)), `the README's setup block has no step matching ${step}`);
        }
        assert.match(read(".ci/run"), /^tools\/fresh-root-check\.sh$/m);
    });

    it("relative links in the README and docs/ land on a file and heading of this repository", () => {
        for (const file of markdownFiles()) {
            const text = read(file);
            for (const [, target] of text.replace(/```[\s\S]*?```/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                const [relative, hash] = target.split("#");
                const resolved = relative ? path.normalize(path.join(path.dirname(file), relative)) : file;
                assert.ok(!resolved.startsWith(".."), `${file}: ${target} points outside the repository`);
                assert.ok(fs.existsSync(path.join(repoRoot, resolved)), `${file}: ${target} does not exist`);
                if (hash && resolved.endsWith(".md")) {
                    assert.ok(anchorsOf(read(resolved)).has(hash), `${file}: ${target} names no heading of ${resolved}`);
                }
            }
        }
    });

    it("no tracked file points at ../shared, which is outside the repository", () => {
        let hits = "";
        try {
            hits = execFileSync("git", ["grep", "-n", "-I", "--fixed-strings", "../shared", "--", ".", ":!tests/unit/docs.test.ts"],
                { cwd: repoRoot, encoding: "utf8" });
        } catch (error: any) {
            if (error.status !== 1) throw error; // 1: nothing found
        }
        assert.equal(hits.trim(), "");
    });

    it("one supported Node.js: .node-version, engines, and the PR workflow agree", () => {
        const version = read(".node-version").trim();
        assert.match(version, /^22\.\d+\.\d+$/);
        const pkg = JSON.parse(read("package.json"));
        assert.equal(pkg.engines.node, ">=22");
        assert.match(pkg.devDependencies["@types/node"], /^\^22/);
        const workflow = read(".github/workflows/preview.yml");
        assert.match(workflow, /tools\/node\.sh/);
        assert.doesNotMatch(workflow, /node-version:/);
        assert.match(read(".ci/run"), /tools\/node\.sh/);
    });
});
