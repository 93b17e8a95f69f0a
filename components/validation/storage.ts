/** The data volumes and the server's tmpdir. */
import { ClaimRetention, ResolvedArgs } from "../args";
import { defaults } from "../defaults";
import { parseQuantity } from "../quantity";
import { dns1123Subdomain } from "./names";
import { checker, Problems } from "./problems";

export function resolveStorage(args: ResolvedArgs, problems: Problems) {
    const check = checker(problems);
    const storageSize = args.storageSize ?? defaults.storageSize;
    const storageBytes = typeof storageSize === "string" ? parseQuantity(storageSize) : undefined;
    check(storageBytes !== undefined && storageBytes > 0,
        `storageSize must be a positive Kubernetes quantity such as "10Gi", got ${JSON.stringify(storageSize)}`);

    if (args.storageClassName !== undefined) {
        check(typeof args.storageClassName === "string" && dns1123Subdomain.test(args.storageClassName),
            `storageClassName must be a DNS-1123 subdomain (the name of a StorageClass), got ${JSON.stringify(args.storageClassName)}`);
    }

    const tmpSize = args.tmpSize ?? defaults.tmpSize;
    check(typeof tmpSize === "string" && (parseQuantity(tmpSize) ?? 0) > 0,
        `tmpSize must be a positive Kubernetes quantity such as "2Gi", got ${JSON.stringify(tmpSize)}`);
    return { storageSize, storageClassName: args.storageClassName, tmpSize };
}

/** The StatefulSet's claim retention: Retain/Retain unless the user explicitly chooses to delete data. */
export function resolveClaimRetention(args: ResolvedArgs, problems: Problems): { readonly whenDeleted: ClaimRetention; readonly whenScaled: ClaimRetention } {
    const given = args.persistentVolumeClaimRetentionPolicy;
    const field = "persistentVolumeClaimRetentionPolicy";
    if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
        problems.push(`${field} must be an object such as { whenScaled: "Retain" }, got ${JSON.stringify(given)}`);
        return { whenDeleted: "Retain", whenScaled: "Retain" };
    }
    for (const key of Object.keys(given ?? {})) {
        if (key !== "whenDeleted" && key !== "whenScaled") {
            problems.push(`${field}.${key} is not a field; use ${field}.whenDeleted or ${field}.whenScaled`);
        }
    }
    const whenDeleted = given?.whenDeleted ?? "Retain";
    const whenScaled = given?.whenScaled ?? "Retain";
    for (const [key, value] of [["whenDeleted", whenDeleted], ["whenScaled", whenScaled]] as const) {
        if (value !== "Retain" && value !== "Delete") {
            problems.push(`${field}.${key} must be "Retain" (keep the data) or "Delete" (delete it), got ${JSON.stringify(value)}`);
        }
    }
    return { whenDeleted, whenScaled };
}
