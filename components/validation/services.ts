/** `primaryService`, `readService`: the type and annotations of the client-facing Services. */
import { ServiceOptions, ServiceType } from "../args";
import { annotationMap } from "./names";
import { Problems } from "./problems";

export interface ServiceConfig {
    readonly type: ServiceType;
    readonly annotations: ReadonlyArray<readonly [string, string]>;
}

const serviceTypes: readonly string[] = ["ClusterIP", "NodePort", "LoadBalancer"];
const serviceFields = ["type", "annotations"];

export function resolveService(field: string, given: ServiceOptions | undefined, problems: Problems): ServiceConfig {
    if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
        problems.push(`${field} must be an object such as { type: "LoadBalancer" }, got ${JSON.stringify(given)}`);
        return { type: "ClusterIP", annotations: [] };
    }
    for (const key of Object.keys(given ?? {})) {
        if (!serviceFields.includes(key)) {
            problems.push(`${field}.${key} is not a field; use ${field}.type or ${field}.annotations`);
        }
    }
    const type = given?.type ?? "ClusterIP";
    if (!serviceTypes.includes(type)) {
        // ExternalName has no selector and headless needs clusterIP None: neither serves an endpoint
        problems.push(`${field}.type must be "ClusterIP", "NodePort" or "LoadBalancer", got ${JSON.stringify(type)}`);
    }
    return { type, annotations: annotationMap(`${field}.annotations`, given?.annotations, problems) };
}
