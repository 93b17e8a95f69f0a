/** CPU and memory requests and limits of a container. */
import * as pulumi from "@pulumi/pulumi";
import { ComputeResources, ResourceRequirements } from "../args";
import { parseQuantity } from "../quantity";
import { Problems } from "./problems";

export interface ContainerResources {
    readonly requests: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
}

export function resolveResources(
    field: string,
    given: pulumi.Unwrap<ResourceRequirements> | undefined,
    fallback: { readonly cpu: string; readonly memory: string },
    problems: Problems,
): ContainerResources {
    const value = given ?? {};
    const known = ["requests", "limits"];
    for (const key of Object.keys(value)) {
        if (!known.includes(key)) {
            problems.push(`${field}.${key} is not a field; use ${field}.requests or ${field}.limits`);
        }
    }
    const requests = { ...fallback, ...stripUndefined(value.requests) };
    const limits = value.limits ? stripUndefined(value.limits) : undefined;
    for (const [part, amounts] of [["requests", requests], ["limits", limits ?? {}]] as const) {
        for (const [key, amount] of Object.entries(amounts)) {
            if (key !== "cpu" && key !== "memory") {
                problems.push(`${field}.${part}.${key} is not supported; use cpu or memory`);
            } else if (typeof amount !== "string" || !(parseQuantity(amount)! > 0)) {
                problems.push(`${field}.${part}.${key} must be a positive Kubernetes quantity such as ` +
                    `"${fallback[key]}", got ${JSON.stringify(amount)}`);
            }
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        const request = parseQuantity(String(requests[key]));
        const limit = limits?.[key] !== undefined ? parseQuantity(String(limits[key])) : undefined;
        if (request !== undefined && limit !== undefined && limit < request) {
            problems.push(`${field}.limits.${key} (${limits![key]}) is below ${field}.requests.${key} ` +
                `(${requests[key]}); raise the limit or lower the request`);
        }
    }
    return limits ? { requests, limits } : { requests };
}

function stripUndefined(values: pulumi.Unwrap<ComputeResources> | undefined): Record<string, string> {
    return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined));
}
