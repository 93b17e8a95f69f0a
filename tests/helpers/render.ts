/**
 * Instantiates MySqlCluster under mocks and returns what it registered, as plain objects:
 * the single source the unit tests and the e2e pods read.
 */
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster, MySqlClusterArgs } from "../../components";
import { byType, promiseOf, registered, resetRegistered, settle, types, Registered } from "./mocks";

export interface RenderedCluster {
    readonly cluster: MySqlCluster;
    readonly resources: Registered[];
    readonly statefulSet: any;
    readonly configMap: any;
    readonly topologyConfigMap: any;
    readonly secret: any | undefined;
    readonly services: { readonly headless: any; readonly read: any; readonly primary: any };
}

/** Renders run one at a time: the mocks record into one shared list. */
let renderQueue: Promise<unknown> = Promise.resolve();

export function render(
    name: string,
    args: MySqlClusterArgs = {},
    opts?: pulumi.ComponentResourceOptions,
): Promise<RenderedCluster> {
    const next = renderQueue.then(() => renderNow(name, args, opts));
    renderQueue = next.catch(() => undefined);
    return next;
}

async function renderNow(
    name: string,
    args: MySqlClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
): Promise<RenderedCluster> {
    resetRegistered();
    const cluster = new MySqlCluster(name, args, opts);
    await promiseOf(pulumi.all([cluster.primaryEndpoint, cluster.readEndpoint, cluster.statefulSetName]));
    await settle();
    const k8sName = (r: Registered) => r.inputs?.metadata?.name;
    const service = (suffix: string) => byType(types.service).find((r) => r.name === `${name}-${suffix}`)?.inputs;
    return {
        cluster,
        resources: [...registered],
        statefulSet: byType(types.statefulSet).find((r) => k8sName(r) === name)?.inputs,
        configMap: byType(types.configMap).find((r) => k8sName(r)?.startsWith(`${name}-config-`))?.inputs,
        topologyConfigMap: byType(types.configMap).find((r) => k8sName(r) === `${name}-topology`)?.inputs,
        secret: byType(types.secret).find((r) => r.name === `${name}-credentials`)?.inputs,
        services: { headless: service("headless"), read: service("read"), primary: service("primary") },
    };
}

/** The pod template's containers by name, init containers included. */
export function containersByName(statefulSet: any): Record<string, any> {
    const spec = statefulSet.spec.template.spec;
    return Object.fromEntries([...spec.initContainers, ...spec.containers].map((c: any) => [c.name, c]));
}

/** A container's env as name -> value, or name -> "secret:<secret>/<key>" / "field:<path>". */
export function envOf(container: any): Record<string, string> {
    return Object.fromEntries(container.env.map((e: any) => {
        const ref = e.valueFrom?.secretKeyRef;
        const field = e.valueFrom?.fieldRef;
        const value = ref ? `secret:${ref.name}/${ref.key}` : field ? `field:${field.fieldPath}` : e.value;
        return [e.name, value];
    }));
}
