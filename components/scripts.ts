/** The pod scripts: real files beside this module, shipped verbatim in the ConfigMap. */
import * as fs from "fs";
import * as path from "path";

/** Directory of the .sh files (copied next to the compiled library by `npm run build`). */
export const scriptsDir = path.join(__dirname, "scripts");

/** Every script, by file name, sorted. Read once per process. */
export const podScripts: Readonly<Record<string, string>> = Object.fromEntries(
    fs.readdirSync(scriptsDir)
        .filter((file) => file.endsWith(".sh"))
        .sort()
        .map((file) => [file, fs.readFileSync(path.join(scriptsDir, file), "utf8")]),
);

/** The command that runs one of the scripts: `bash <file>` (no reliance on an exec bit). */
export function scriptCommand(configDir: string, file: string): string[] {
    if (!(file in podScripts)) {
        throw new Error(`internal: no pod script named ${file}`);
    }
    return ["bash", `${configDir}/${file}`];
}
