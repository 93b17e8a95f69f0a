/**
 * The stack program `pulumi up` runs (Pulumi.yaml `main: index.ts`): one MySqlCluster configured
 * from stack config, its endpoints exported.
 */
import * as pulumi from "@pulumi/pulumi";
import { MySqlCluster } from "./components";
import { readStackSettings } from "./components/stackConfig";

const { clusterName, args } = readStackSettings(new pulumi.Config());
const cluster = new MySqlCluster(clusterName, args);

export const primaryEndpoint = cluster.primaryEndpoint;
export const readEndpoint = cluster.readEndpoint;
export const headlessServiceName = cluster.headlessServiceName;
export const statefulSetName = cluster.statefulSetName;
export const secretName = cluster.secretName;
export const rootPassword = cluster.rootPassword;
export const userPassword = cluster.userPassword;
export const primaryConnectionString = cluster.primaryConnectionString;
export const readConnectionString = cluster.readConnectionString;
export const primaryUrl = cluster.primaryUrl;
export const readUrl = cluster.readUrl;
