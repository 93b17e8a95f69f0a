/**
 * The configuration tables, generated from the args' JSDoc in components/args.ts (the same text the
 * multi-language schema's descriptions come from): MySqlClusterArgs into README.md, the option
 * types it refers to into docs/configuration.md, each between marker comments.
 *
 *   npm run docs:config        rewrites both files
 *
 * tests/unit/configTable.test.ts fails when a file's table is not what the args generate.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const repoRoot = path.resolve(__dirname, "..");
const argsFile = path.join(repoRoot, "components", "args.ts");

/** The interface whose table goes into the README. */
const rootInterface = "MySqlClusterArgs";
/** Where each generated block goes, relative to the repository. */
export const targets = { readme: "README.md", optionTypes: path.join("docs", "configuration.md") } as const;
/** Links from a table to an option type's section, as seen from each target file. */
const linkBase: Record<keyof typeof targets, string> = { readme: "docs/configuration.md", optionTypes: "" };

const begin = "<!-- BEGIN GENERATED: npm run docs:config (from components/args.ts) -->";
const end = "<!-- END GENERATED -->";

/** A type as segments: code, and the names of option types (linked to their tables). */
type Segment = { readonly code: string } | { readonly optionType: string };
interface Row { readonly name: string; readonly required: boolean; readonly type: Segment[]; readonly default: string; readonly meaning: string }
interface Table { readonly name: string; readonly doc: string; readonly rows: Row[] }

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
/** One table cell: on one line, `|` escaped, and `<`, `>` outside code spans as entities (not HTML). */
const cell = (text: string) => oneLine(text).split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("").replace(/\|/g, "\\|");

function docOf(node: ts.Node): { text: string; defaultValue?: string } {
    let text = "";
    let defaultValue: string | undefined;
    for (const doc of ts.getJSDocCommentsAndTags(node)) {
        if (!ts.isJSDoc(doc)) continue;
        text += ` ${ts.getTextOfJSDocComment(doc.comment) ?? ""}`;
        for (const tag of doc.tags ?? []) {
            if (tag.tagName.text === "default") defaultValue = oneLine(ts.getTextOfJSDocComment(tag.comment) ?? "");
        }
    }
    return { text: oneLine(text), defaultValue };
}

/** Every table: MySqlClusterArgs first, then each interface it reaches, in the order first met. */
export function tables(): Table[] {
    const program = ts.createProgram([argsFile], { strict: true, noEmit: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(argsFile);
    if (!source) throw new Error(`cannot read ${argsFile}`);
    const interfaces = new Map<string, ts.InterfaceDeclaration>();
    source.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
    });

    const queue = [rootInterface];
    const seen = new Set(queue);

    /** A type as users read it: `Input<string>`, `"mysql" | "mariadb"`, `Toleration[]`. */
    const typeOf = (node: ts.TypeNode): Segment[] => {
        if (ts.isArrayTypeNode(node)) return [...typeOf(node.elementType), { code: "[]" }];
        if (!ts.isTypeReferenceNode(node)) return [{ code: node.getText() }];
        const name = node.typeName.getText().replace(/^pulumi\./, "");
        const args = node.typeArguments ?? [];
        if (name === "Readonly" && args.length === 1) return typeOf(args[0]);
        if (args.length) {
            const inner = args.flatMap((a, i) => (i ? [{ code: ", " }, ...typeOf(a)] : typeOf(a)));
            return [{ code: `${name}<` }, ...inner, { code: ">" }];
        }
        if (interfaces.has(name)) {
            if (!seen.has(name)) {
                seen.add(name);
                queue.push(name);
            }
            return [{ optionType: name }];
        }
        const type = checker.getTypeFromTypeNode(node);
        if (type.isUnion() && type.types.every((t) => t.isStringLiteral())) {
            return [{ code: type.types.map((t) => JSON.stringify((t as ts.StringLiteralType).value)).join(" | ") }];
        }
        if (type.flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean)) return [{ code: checker.typeToString(type) }];
        return [{ code: name }];
    };

    const result: Table[] = [];
    while (queue.length) {
        const name = queue.shift()!;
        const rows: Row[] = [];
        for (const member of interfaces.get(name)!.members) {
            if (!ts.isPropertySignature(member) || !member.type) continue;
            const doc = docOf(member);
            rows.push({
                name: member.name.getText(), required: !member.questionToken, type: typeOf(member.type),
                default: doc.defaultValue ?? "", meaning: doc.text,
            });
        }
        result.push({ name, doc: docOf(interfaces.get(name)!).text, rows });
    }
    return result;
}

function renderType(segments: Segment[], base: string): string {
    const parts: string[] = [];
    let code = "";
    const flush = () => {
        if (code) parts.push(`\`${code}\``);
        code = "";
    };
    for (const segment of segments) {
        if ("code" in segment) {
            code += segment.code;
        } else {
            flush();
            parts.push(`[\`${segment.optionType}\`](${base}#${segment.optionType.toLowerCase()})`);
        }
    }
    flush();
    return parts.join("");
}

/** A default as code where it is a value (`3`, `"10Gi"`, `{}`), as prose where it is a sentence. */
function literals(text: string): string {
    if (/^(-?\d+(\.\d+)?|\{\}|\[\]|true|false)$/.test(text)) return `\`${text}\``;
    return text.replace(/"[^"`]*"/g, (quoted) => `\`${quoted}\``);
}

function render(table: Table, base: string): string {
    const lines = ["| name | type | default | meaning |", "| --- | --- | --- | --- |"];
    for (const row of table.rows) {
        lines.push(`| \`${row.name}\`${row.required ? " (required)" : ""} | ${cell(renderType(row.type, base))} ` +
            `| ${cell(literals(row.default))} | ${cell(row.meaning)} |`);
    }
    return lines.join("\n");
}

/** The generated blocks, keyed like `targets`. */
export function generatedBlocks(): Record<keyof typeof targets, string> {
    const [root, ...optionTypes] = tables();
    return {
        readme: render(root, linkBase.readme),
        optionTypes: optionTypes.map((t) => `### ${t.name}\n\n${t.doc}\n\n${render(t, linkBase.optionTypes)}`).join("\n\n"),
    };
}

/** `text` with the block between the markers replaced; throws when the markers are missing. */
export function withBlock(text: string, block: string, file: string): string {
    const from = text.indexOf(begin);
    const to = text.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`${file} has no "${begin}" ... "${end}" markers`);
    return `${text.slice(0, from)}${begin}\n${block}\n${text.slice(to)}`;
}

/** The block currently between the markers of a file's text. */
export function currentBlock(text: string, file: string): string {
    const from = text.indexOf(begin);
    const to = text.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`${file} has no "${begin}" ... "${end}" markers`);
    return text.slice(from + begin.length + 1, to - 1);
}

if (require.main === module) {
    const blocks = generatedBlocks();
    for (const key of Object.keys(targets) as Array<keyof typeof targets>) {
        const file = path.join(repoRoot, targets[key]);
        const before = fs.readFileSync(file, "utf8");
        const after = withBlock(before, blocks[key], targets[key]);
        if (after !== before) fs.writeFileSync(file, after);
        console.log(`${targets[key]}: ${after === before ? "unchanged" : "table rewritten"}`);
    }
}
