/** Kubernetes names, label maps and image references. */
import { managedLabelKeys } from "../names";
import { ResolvedArgs } from "../args";
import { Problems } from "./problems";

export const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// registry[:port]/path[:tag][@sha256:digest], lowercase path components
const imageReference =
    /^([a-zA-Z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label (or annotation) key: `[prefix/]name`, the prefix a DNS subdomain. */
export function qualifiedName(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const base = key.slice(slash + 1);
    return labelName.test(base) && base.length <= 63 &&
        (prefix === undefined || (dns1123Subdomain.test(prefix) && prefix.length <= 253));
}

/** A label map (nodeSelector, selectors): valid names and values, sorted by key. */
export function labelMap(field: string, given: Readonly<Record<string, string>> | undefined, problems: Problems): Array<[string, string]> {
    const entries = Object.entries(given ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, value] of entries) {
        if (!qualifiedName(key)) {
            problems.push(`${field} key ${JSON.stringify(key)} is not a valid label name ([prefix/]name, name at most 63 characters)`);
        }
        if (typeof value !== "string" || !labelValue.test(value) || value.length > 63) {
            problems.push(`${field}.${key} must be a label value (at most 63 letters, digits, '-', '_', '.'), got ${JSON.stringify(value)}`);
        }
    }
    return entries;
}

export function checkImage(field: string, image: unknown, check: (ok: boolean, message: string) => unknown) {
    check(typeof image === "string" && image.length > 0 && imageReference.test(image),
        `${field} must be an image reference such as "mysql:9.7" or "registry.example.com/db/mysql@sha256:<digest>", got ${JSON.stringify(image)}`);
}

/** `labels`: valid, sorted, and none of the component's own keys. */
export function resolveLabels(given: ResolvedArgs["labels"], problems: Problems): Array<[string, string]> {
    const entries = labelMap("labels", given, problems);
    for (const [key] of entries) {
        if (managedLabelKeys.includes(key)) {
            problems.push(`labels.${key} is set by the component; use another key`);
        }
    }
    return entries;
}

/** An annotation map: label-style keys, string values, at most 256 KiB in all (the API's limit); sorted by key. */
export function annotationMap(field: string, given: Readonly<Record<string, string>> | undefined, problems: Problems): Array<[string, string]> {
    if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
        problems.push(`${field} must be a map of annotation names to strings, got ${JSON.stringify(given)}`);
        return [];
    }
    const entries = Object.entries(given ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let size = 0;
    for (const [key, value] of entries) {
        if (!qualifiedName(key)) {
            problems.push(`${field} key ${JSON.stringify(key)} is not a valid annotation name ([prefix/]name, name at most 63 characters)`);
        }
        if (typeof value !== "string") {
            problems.push(`${field}.${key} must be a string (quote numbers and booleans), got ${JSON.stringify(value)}`);
        } else {
            size += key.length + value.length;
        }
    }
    if (size > 256 * 1024) {
        problems.push(`${field} holds ${size} bytes; Kubernetes accepts at most 262144 in all: shorten them`);
    }
    return entries;
}
