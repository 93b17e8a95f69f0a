import * as assert from "assert";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IService } from "kubernetes-models/v1/Service";
import { chooseEndpoint, hostsFile, serviceEndpoints } from "../node-agent/hosts";

const pod = (name: string, ip: string, ready: boolean, extra: Partial<IPod["metadata"]> = {}): IPod => ({
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: "db", labels: { app: "db" }, ...extra },
    spec: { containers: [], hostname: name, subdomain: "db" },
    status: { phase: "Running", podIP: ip, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const service = (name: string, spec: IService["spec"]): IService => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "db" }, spec });
const headless = service("db", { clusterIP: "None", publishNotReadyAddresses: true, selector: { app: "db" } });
const read = service("db-read", { selector: { app: "db" } });
const pods = [pod("db-0", "127.20.0.3", true), pod("db-1", "127.20.0.4", false)];

describe("cluster DNS as /etc/hosts", () => {
    it("derives endpoints from the selector and the pods' Ready condition", () => {
        assert.deepEqual(serviceEndpoints(read, pods).map((e) => [e.ip, e.ready]), [["127.20.0.3", true], ["127.20.0.4", false]]);
        assert.deepEqual(serviceEndpoints(headless, pods).map((e) => [e.ip, e.ready, e.hostname]),
            [["127.20.0.3", true, "db-0"], ["127.20.0.4", true, "db-1"]]);
    });

    it("leaves out terminating pods unless the Service publishes not-ready addresses", () => {
        const terminating = [pod("db-0", "127.20.0.3", true, { deletionTimestamp: "2026-01-01T00:00:00Z" })];
        assert.equal(serviceEndpoints(read, terminating).length, 0);
        assert.equal(serviceEndpoints(headless, terminating).length, 1);
    });

    it("keeps a ClusterIP name on its endpoint while it stays ready", () => {
        const both = [pod("db-0", "127.20.0.3", true), pod("db-1", "127.20.0.4", true)];
        assert.equal(chooseEndpoint(serviceEndpoints(read, both), "127.20.0.4"), "127.20.0.4");
        assert.equal(chooseEndpoint(serviceEndpoints(read, pods), "127.20.0.4"), "127.20.0.3");
        assert.equal(chooseEndpoint([], "127.20.0.4"), undefined);
    });

    it("writes pod names of headless Services and one address per Service name", () => {
        const text = hostsFile({ name: "db-1", namespace: "db", ip: "127.20.0.4", hostname: "db-1", subdomain: "db" },
            [headless, read], pods, new Map([["db/db-read", "127.20.0.3"]]));
        const lines = text.split("\n");
        assert.ok(lines.includes("127.20.0.4 db-1.db.db.svc.cluster.local db-1"));
        assert.ok(lines.includes("127.20.0.3 db-0.db.db.svc.cluster.local db-0.db.db.svc db-0.db.db db-0.db"));
        assert.ok(lines.includes("127.20.0.3 db-read.db.svc.cluster.local db-read.db.svc db-read.db db-read"));
    });
});
