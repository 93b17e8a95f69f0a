/** Where the pods run: anti-affinity, node selection, tolerations, spread, priority. */
import { ResolvedArgs, Toleration, TopologySpreadConstraint } from "../args";
import { dns1123Subdomain, labelMap, qualifiedName } from "./names";
import { Problems } from "./problems";

export interface SchedulingConfig {
    readonly podAntiAffinity: "soft" | "hard";
    readonly nodeSelector: ReadonlyArray<readonly [string, string]>;
    readonly tolerations: readonly Toleration[];
    readonly topologySpreadConstraints: ReadonlyArray<Required<TopologySpreadConstraint>>;
    readonly priorityClassName?: string;
}

export function resolveScheduling(args: ResolvedArgs, problems: Problems): SchedulingConfig {
    const podAntiAffinity = args.podAntiAffinity ?? "soft";
    if (podAntiAffinity !== "soft" && podAntiAffinity !== "hard") {
        problems.push(`podAntiAffinity must be "soft" or "hard", got ${JSON.stringify(podAntiAffinity)}`);
    }
    const nodeSelector = labelMap("nodeSelector", args.nodeSelector, problems);
    const tolerations = (args.tolerations ?? []).map((t, i) => checkToleration(`tolerations[${i}]`, t, problems));
    const topologySpreadConstraints = (args.topologySpreadConstraints ?? []).map((c, i) => {
        const field = `topologySpreadConstraints[${i}]`;
        const resolved = { maxSkew: c.maxSkew ?? 1, topologyKey: c.topologyKey, whenUnsatisfiable: c.whenUnsatisfiable ?? "ScheduleAnyway" };
        if (!Number.isInteger(resolved.maxSkew) || resolved.maxSkew < 1) {
            problems.push(`${field}.maxSkew must be an integer >= 1, got ${JSON.stringify(resolved.maxSkew)}`);
        }
        if (typeof c.topologyKey !== "string" || !qualifiedName(c.topologyKey)) {
            problems.push(`${field}.topologyKey must be a node label name such as "topology.kubernetes.io/zone", got ${JSON.stringify(c.topologyKey)}`);
        }
        if (!["DoNotSchedule", "ScheduleAnyway"].includes(resolved.whenUnsatisfiable)) {
            problems.push(`${field}.whenUnsatisfiable must be "DoNotSchedule" or "ScheduleAnyway", got ${JSON.stringify(resolved.whenUnsatisfiable)}`);
        }
        return resolved;
    });
    if (args.priorityClassName !== undefined && !(typeof args.priorityClassName === "string" && dns1123Subdomain.test(args.priorityClassName))) {
        problems.push(`priorityClassName must be the name of a PriorityClass (DNS-1123 subdomain), got ${JSON.stringify(args.priorityClassName)}`);
    }
    return { podAntiAffinity, nodeSelector, tolerations, topologySpreadConstraints, priorityClassName: args.priorityClassName };
}

function checkToleration(field: string, t: Toleration, problems: Problems): Toleration {
    const operator = t.operator ?? "Equal";
    if (!["Exists", "Equal"].includes(operator)) {
        problems.push(`${field}.operator must be "Exists" or "Equal", got ${JSON.stringify(operator)}`);
    }
    if (operator === "Exists" && t.value !== undefined) {
        problems.push(`${field}.value must be empty when operator is "Exists"; drop the value or use "Equal"`);
    }
    if (operator === "Equal" && t.key === undefined) {
        problems.push(`${field}.key is required with operator "Equal"`);
    }
    if (t.key !== undefined && !qualifiedName(t.key)) {
        problems.push(`${field}.key must be a label name, got ${JSON.stringify(t.key)}`);
    }
    if (t.effect !== undefined && !["NoSchedule", "PreferNoSchedule", "NoExecute"].includes(t.effect)) {
        problems.push(`${field}.effect must be NoSchedule, PreferNoSchedule or NoExecute, got ${JSON.stringify(t.effect)}`);
    }
    if (t.tolerationSeconds !== undefined && (t.effect !== "NoExecute" || !Number.isInteger(t.tolerationSeconds) || t.tolerationSeconds < 0)) {
        problems.push(`${field}.tolerationSeconds needs effect "NoExecute" and an integer >= 0, got ${JSON.stringify(t.tolerationSeconds)}`);
    }
    return Object.fromEntries(Object.entries({ ...t, operator }).filter(([, v]) => v !== undefined)) as Toleration;
}
