/** Engine, version (which picks the flavor) and the images that run it. */
import { ResolvedArgs } from "../args";
import { defaults } from "../defaults";
import { defaultVersions, findFlavor, Flavor, removedVersions, supportedVersions } from "../flavors";
import { checkImage } from "./names";
import { checker, Problems } from "./problems";

export interface ResolvedEngine {
    /** Undefined when engine or version is refused (a problem says why). */
    readonly flavor?: Flavor;
    readonly version: string;
    readonly image: string;
    readonly backupImage: string;
}

export function resolveEngine(args: ResolvedArgs, problems: Problems): ResolvedEngine {
    const check = checker(problems);
    const engine = args.engine ?? defaults.engine;
    const engineOk = engine === "mysql" || engine === "mariadb";
    check(engineOk, `engine must be "mysql" or "mariadb", got ${JSON.stringify(engine)}`);

    const version = engineOk ? args.version ?? defaultVersions[engine] : "";
    const flavor = engineOk && typeof version === "string" ? findFlavor(engine, version) : undefined;
    const removed = removedVersions.find((r) => r.engine === engine && typeof version === "string" && r.pattern.test(version));
    if (engineOk && !flavor && removed) {
        problems.push(`version ${JSON.stringify(version)}: ${removed.why}`);
    } else if (engineOk && !flavor) {
        problems.push(`version ${JSON.stringify(version)} is not supported for engine "${engine}"; ` +
            `use one of: ${supportedVersions(engine)}`);
    }

    const image = args.image ?? (flavor ? flavor.defaultImage(version) : "");
    const backupImage = args.backupImage ?? flavor?.defaultBackupImage ?? image;
    // without a flavor there is no default image to check; the version's own error says what to do
    if (flavor || args.image !== undefined) checkImage("image", image, check);
    if (flavor || args.backupImage !== undefined || args.image !== undefined) checkImage("backupImage", backupImage, check);
    return { flavor, version, image, backupImage };
}
