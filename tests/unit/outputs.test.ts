import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { connectionUrl } from "../../components/connection";
import { mockGeneratedPassword, promiseOf } from "../helpers/mocks";
import { render } from "../helpers/render";

const isSecret = (output: pulumi.Output<unknown>) => (output as any).isSecret as Promise<boolean>;

describe("connection strings", () => {
    it("round-trip through a URL parser: user, password and database percent-encoded, host and port as given", () => {
        const password = "p@ss:w/rd%?#&=+ é";
        const parsed = new URL(connectionUrl({ host: "db-primary.shop.svc", port: 3310, user: "app.user", password, database: "orders" }));
        assert.equal(parsed.protocol, "mysql:");
        assert.equal(decodeURIComponent(parsed.username), "app.user");
        assert.equal(decodeURIComponent(parsed.password), password);
        assert.equal(parsed.hostname, "db-primary.shop.svc");
        assert.equal(parsed.port, "3310");
        assert.equal(decodeURIComponent(parsed.pathname), "/orders");
        assert.equal(parsed.search + parsed.hash, "", "a character of the password leaked into the query or fragment");
    });

    it("name no user (and so no password) without an account, and no path without a database", () => {
        assert.equal(connectionUrl({ host: "h", port: 1, password: "x" }), "mysql://h:1");
        assert.equal(connectionUrl({ host: "h", port: 1, database: "d" }), "mysql://h:1/d");
        assert.equal(connectionUrl({ host: "h", port: 1, user: "u", database: "d" }), "mysql://u@h:1/d");
    });
});

describe("MySqlCluster connection outputs", () => {
    it("the application password and a connection string per endpoint, secret; URLs without the password, not secret", async () => {
        const { cluster } = await render("db", { namespace: "shop", port: 3310, database: "orders", user: "app", userPassword: "Pw:1@x" });
        assert.equal(await promiseOf(cluster.userPassword), "Pw:1@x");
        const primary = new URL(await promiseOf(cluster.primaryConnectionString));
        const read = new URL(await promiseOf(cluster.readConnectionString));
        const primaryEndpoint = await promiseOf(cluster.primaryEndpoint);
        const readEndpoint = await promiseOf(cluster.readEndpoint);
        for (const [url, endpoint] of [[primary, primaryEndpoint], [read, readEndpoint]] as const) {
            assert.equal(url.hostname, endpoint.host);
            assert.equal(Number(url.port), endpoint.port);
            assert.equal(url.username, "app");
            assert.equal(decodeURIComponent(url.password), "Pw:1@x");
            assert.equal(url.pathname, "/orders");
        }
        assert.notEqual(primary.hostname, read.hostname);
        for (const output of [cluster.userPassword, cluster.primaryConnectionString, cluster.readConnectionString, cluster.rootPassword]) {
            assert.equal(await isSecret(output), true);
        }
        assert.equal(await promiseOf(cluster.primaryUrl), `mysql://app@${primaryEndpoint.host}:3310/orders`);
        assert.equal(await promiseOf(cluster.readUrl), `mysql://app@${readEndpoint.host}:3310/orders`);
        for (const output of [cluster.primaryUrl, cluster.readUrl]) {
            assert.equal(await isSecret(output), false);
        }
    });

    it("a generated application password is the one in the connection strings", async () => {
        const { cluster, secret } = await render("db", { database: "orders", user: "app" });
        const password = await promiseOf(cluster.userPassword);
        assert.equal(password, mockGeneratedPassword("db-user-password"));
        assert.equal(secret.stringData["user-password"], password);
        assert.equal(new URL(await promiseOf(cluster.primaryConnectionString)).password, password);
    });

    it("without user, or with existingSecretName, nothing embeds a password; the URLs still name host, port and database", async () => {
        const noUser = (await render("db", { database: "orders" })).cluster;
        const existing = (await render("db", { database: "orders", user: "app", existingSecretName: "vault-db" })).cluster;
        for (const cluster of [noUser, existing]) {
            assert.equal(await promiseOf(cluster.userPassword), "");
            assert.equal(await promiseOf(cluster.primaryConnectionString), "");
            assert.equal(await promiseOf(cluster.readConnectionString), "");
        }
        assert.equal(await promiseOf(noUser.primaryUrl), "mysql://db-primary.default.svc:3306/orders");
        assert.equal(await promiseOf(existing.readUrl), "mysql://app@db-read.default.svc:3306/orders");
    });
});
