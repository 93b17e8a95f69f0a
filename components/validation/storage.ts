/** The data volumes and the server's tmpdir. */
import { ResolvedArgs } from "../args";
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
