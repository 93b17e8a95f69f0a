/** `metrics`: the exporter sidecar and the monitoring objects. */
import * as pulumi from "@pulumi/pulumi";
import { ResolvedArgs } from "../args";
import { defaults } from "../defaults";
import { checkImage, labelMap } from "./names";
import { checker, Problems } from "./problems";
import { ContainerResources, resolveResources } from "./resources";

/** The exporter sidecar and the monitoring objects, resolved. */
export interface MetricsConfig {
    readonly image: string;
    readonly port: number;
    readonly resources: ContainerResources;
    readonly serviceMonitor: boolean;
    readonly prometheusRule: boolean;
    readonly lagAlertSeconds: number;
    readonly diskFreeAlertPercent: number;
    readonly monitorLabels: ReadonlyArray<readonly [string, string]>;
}

const metricsFields = ["image", "port", "resources", "serviceMonitor", "prometheusRule", "lagAlertSeconds", "diskFreeAlertPercent", "monitorLabels"];

export function resolveMetrics(
    args: ResolvedArgs,
    ports: { readonly port: number; readonly backupPort: number; readonly maxReplicaLagSeconds: number },
    problems: Problems,
): MetricsConfig | undefined {
    if (args.metrics === undefined) {
        return undefined;
    }
    const given = args.metrics;
    if (typeof given !== "object" || given === null) {
        problems.push(`metrics must be an object such as { serviceMonitor: true } (or left out for no exporter), got ${JSON.stringify(given)}`);
        return undefined;
    }
    for (const key of Object.keys(given)) {
        if (!metricsFields.includes(key)) {
            problems.push(`metrics.${key} is not a field; the fields are: ${metricsFields.join(", ")}`);
        }
    }
    const check = checker(problems);
    const image = given.image ?? defaults.metrics.image;
    checkImage("metrics.image", image, check);
    const port = given.port ?? defaults.metrics.port;
    check(Number.isInteger(port) && port >= 1 && port <= 65535, `metrics.port must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
    check(port !== ports.port && port !== ports.backupPort,
        `metrics.port (${port}) must differ from port (${ports.port}) and backupPort (${ports.backupPort}); choose another one`);
    // not a wirable arg: its values are plain (an Output there is refused as "not a quantity")
    const resources = resolveResources("metrics.resources", given.resources as pulumi.Unwrap<typeof given.resources>, defaults.metrics.resources, problems);
    const serviceMonitor = given.serviceMonitor ?? false;
    const prometheusRule = given.prometheusRule ?? false;
    for (const [field, value] of [["serviceMonitor", serviceMonitor], ["prometheusRule", prometheusRule]] as const) {
        check(typeof value === "boolean", `metrics.${field} must be true or false, got ${JSON.stringify(value)}`);
    }
    const lagAlertSeconds = given.lagAlertSeconds ?? ports.maxReplicaLagSeconds;
    check(Number.isInteger(lagAlertSeconds) && lagAlertSeconds >= 1,
        `metrics.lagAlertSeconds must be an integer >= 1, got ${JSON.stringify(lagAlertSeconds)}`);
    const diskFreeAlertPercent = given.diskFreeAlertPercent ?? defaults.metrics.diskFreeAlertPercent;
    check(typeof diskFreeAlertPercent === "number" && diskFreeAlertPercent > 0 && diskFreeAlertPercent < 100,
        `metrics.diskFreeAlertPercent must be a number between 0 and 100 (exclusive), got ${JSON.stringify(diskFreeAlertPercent)}`);
    const monitorLabels = labelMap("metrics.monitorLabels", given.monitorLabels, problems);
    return { image, port, resources, serviceMonitor, prometheusRule, lagAlertSeconds, diskFreeAlertPercent, monitorLabels };
}
