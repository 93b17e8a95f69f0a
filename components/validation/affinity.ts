/**
 * `affinity`: raw core/v1 Affinity, checked in shape (known fields, lists where lists go, weights,
 * topology keys, operators) so a typo fails at preview naming the field, not at the API server.
 */
import { Affinity } from "../args";
import { qualifiedName } from "./names";
import { Problems } from "./problems";

type Json = Record<string, any>;
const required = "requiredDuringSchedulingIgnoredDuringExecution";
const preferred = "preferredDuringSchedulingIgnoredDuringExecution";
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The user's terms, resolved: a plain deep copy with keys in a fixed order (same args, same spec). */
export type AffinityConfig = Json | undefined;

export function resolveAffinity(given: Affinity | undefined, problems: Problems): AffinityConfig {
    if (given === undefined) return undefined;
    if (!isObject(given)) {
        problems.push(`affinity must be an object with nodeAffinity, podAffinity and/or podAntiAffinity, got ${JSON.stringify(given)}`);
        return undefined;
    }
    for (const key of Object.keys(given)) {
        if (!["nodeAffinity", "podAffinity", "podAntiAffinity"].includes(key)) {
            problems.push(`affinity.${key} is not a field; use affinity.nodeAffinity, affinity.podAffinity or affinity.podAntiAffinity`);
        }
    }
    const check = { problems };
    if (given.nodeAffinity !== undefined) checkNodeAffinity("affinity.nodeAffinity", given.nodeAffinity, check);
    for (const kind of ["podAffinity", "podAntiAffinity"] as const) {
        if (given[kind] !== undefined) checkPodAffinity(`affinity.${kind}`, given[kind], check);
    }
    return sortedCopy(given) as Json;
}

function fields(field: string, value: unknown, allowed: readonly string[], c: { problems: Problems }): value is Json {
    if (!isObject(value)) {
        c.problems.push(`${field} must be an object, got ${JSON.stringify(value)}`);
        return false;
    }
    for (const key of Object.keys(value)) {
        if (!allowed.includes(key)) c.problems.push(`${field}.${key} is not a field; the fields are: ${allowed.join(", ")}`);
    }
    return true;
}

function list(field: string, value: unknown, c: { problems: Problems }, each: (field: string, item: unknown) => void) {
    if (value === undefined) return;
    if (!Array.isArray(value)) {
        c.problems.push(`${field} must be a list, got ${JSON.stringify(value)}`);
        return;
    }
    value.forEach((item, i) => each(`${field}[${i}]`, item));
}

function weighted(field: string, item: unknown, termField: string, c: { problems: Problems }, term: (field: string, t: unknown) => void) {
    if (!fields(field, item, ["weight", termField], c)) return;
    if (!(Number.isInteger(item.weight) && item.weight >= 1 && item.weight <= 100)) {
        c.problems.push(`${field}.weight must be an integer from 1 to 100, got ${JSON.stringify(item.weight)}`);
    }
    term(`${field}.${termField}`, item[termField]);
}

function checkNodeAffinity(field: string, value: unknown, c: { problems: Problems }) {
    if (!fields(field, value, [required, preferred], c)) return;
    if (value[required] !== undefined && fields(`${field}.${required}`, value[required], ["nodeSelectorTerms"], c)) {
        const terms = value[required].nodeSelectorTerms;
        if (!Array.isArray(terms) || terms.length === 0) {
            c.problems.push(`${field}.${required}.nodeSelectorTerms must be a non-empty list of node selector terms`);
        }
        list(`${field}.${required}.nodeSelectorTerms`, terms, c, (f, t) => nodeSelectorTerm(f, t, c));
    }
    list(`${field}.${preferred}`, value[preferred], c, (f, item) => weighted(f, item, "preference", c, (g, t) => nodeSelectorTerm(g, t, c)));
}

function nodeSelectorTerm(field: string, term: unknown, c: { problems: Problems }) {
    if (!fields(field, term, ["matchExpressions", "matchFields"], c)) return;
    for (const part of ["matchExpressions", "matchFields"]) {
        list(`${field}.${part}`, term[part], c, (f, e) => requirement(f, e, ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], c));
    }
}

function requirement(field: string, e: unknown, operators: readonly string[], c: { problems: Problems }) {
    if (!fields(field, e, ["key", "operator", "values"], c)) return;
    if (typeof e.key !== "string" || !qualifiedName(e.key)) c.problems.push(`${field}.key must be a label name, got ${JSON.stringify(e.key)}`);
    if (!operators.includes(e.operator)) c.problems.push(`${field}.operator must be one of ${operators.join(", ")}, got ${JSON.stringify(e.operator)}`);
    const needsValues = e.operator === "In" || e.operator === "NotIn" || e.operator === "Gt" || e.operator === "Lt";
    const values = e.values;
    if (needsValues && !(Array.isArray(values) && values.length > 0 && values.every((v: unknown) => typeof v === "string"))) {
        c.problems.push(`${field}.values must be a non-empty list of strings with operator ${e.operator}`);
    } else if (!needsValues && values !== undefined && !(Array.isArray(values) && values.length === 0)) {
        c.problems.push(`${field}.values must be empty with operator ${JSON.stringify(e.operator)}; drop them`);
    }
}

const podTermFields = ["labelSelector", "namespaceSelector", "namespaces", "topologyKey", "matchLabelKeys", "mismatchLabelKeys"];

function checkPodAffinity(field: string, value: unknown, c: { problems: Problems }) {
    if (!fields(field, value, [required, preferred], c)) return;
    list(`${field}.${required}`, value[required], c, (f, t) => podAffinityTerm(f, t, c));
    list(`${field}.${preferred}`, value[preferred], c, (f, item) => weighted(f, item, "podAffinityTerm", c, (g, t) => podAffinityTerm(g, t, c)));
}

function podAffinityTerm(field: string, term: unknown, c: { problems: Problems }) {
    if (!fields(field, term, podTermFields, c)) return;
    if (typeof term.topologyKey !== "string" || !qualifiedName(term.topologyKey)) {
        c.problems.push(`${field}.topologyKey must be a node label name such as "kubernetes.io/hostname", got ${JSON.stringify(term.topologyKey)}`);
    }
    for (const selector of ["labelSelector", "namespaceSelector"]) {
        if (term[selector] === undefined || !fields(`${field}.${selector}`, term[selector], ["matchLabels", "matchExpressions"], c)) continue;
        list(`${field}.${selector}.matchExpressions`, term[selector].matchExpressions, c,
            (f, e) => requirement(f, e, ["In", "NotIn", "Exists", "DoesNotExist"], c));
    }
    list(`${field}.namespaces`, term.namespaces, c, (f, n) => {
        if (typeof n !== "string") c.problems.push(`${f} must be a namespace name, got ${JSON.stringify(n)}`);
    });
}

/** A deep copy with object keys sorted: the same terms give the same spec, whatever order they were written in. */
function sortedCopy(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortedCopy);
    if (isObject(value)) {
        return Object.fromEntries(Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => [k, sortedCopy(value[k])]));
    }
    return value;
}
