/**
 * Day-2 credentials: the Secret changes (a rotation by `pulumi up`, or new generated passwords on
 * kept volumes after destroy/up) and the running servers follow it, without a restart.
 */
import { strict as assert } from "assert";
import { appUser, KubeCluster } from "./harness/cluster";
import { waitFor } from "./harness/process";
import { replicaStatus, Scenario } from "./scenarios";
import { writeRows } from "./workload";

/** The component's Secret keys (components/names.ts, secretKeys). */
const newPasswords = {
    "root-password": `n3w'root"pw\\x;`,
    "replication-password": "new repl `pw` $2",
    "backup-password": "n3w-back'up",
    "user-password": "n3w app pw",
};

/** The application account's login from the client pod through the primary Service, with `password`. */
async function appLogin(cluster: KubeCluster, password: string): Promise<{ code: number; stderr: string }> {
    const [client, , ...rest] = cluster.clientCommand("primary", ["-e", "SELECT 1"]);
    // the password in an option file on stdin, never in an argument list
    const escaped = password.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
    const script = 'f=$(mktemp); trap \'rm -f "$f"\' EXIT; cat >"$f"; "$0" --defaults-file="$f" "$@"';
    return cluster.clientExec(["bash", "-c", script, client, ...rest],
        `[client]\nuser=${appUser.user}\npassword="${escaped}"\nconnect-timeout=5\n`);
}

export const credentialScenarios: Scenario[] = [
    {
        name: "C1. passwords rotated through the Secret: running servers take them without a restart; a pod down meanwhile catches up",
        async run(cluster) {
            await cluster.deletePod(2); // down during the rotation: it must apply the new Secret when it starts
            const before = cluster.restartSummary();
            const old = await appLogin(cluster, appUser.password);
            assert.equal(old.code, 0, `the current password does not work: ${old.stderr}`);
            cluster.laterSecrets.push(...Object.values(newPasswords));
            await cluster.applySecret(`${cluster.name}-credentials`, newPasswords);
            await cluster.setClientPassword(newPasswords["user-password"]);
            // the kubelet refreshes the mounted Secret; each pod's member agent applies it
            await waitFor("the new application password accepted", 120000, async () =>
                (await appLogin(cluster, newPasswords["user-password"])).code === 0 || undefined);
            for (const n of [0, 1]) {
                await waitFor(`pod ${n} applied the new Secret`, 60000, async () =>
                    /account passwords set from the credentials Secret \(it changed\)/.test(cluster.podLog(n, "member-0")) || undefined);
            }
            assert.equal(cluster.restartSummary(), before, "a container restarted for the rotation");
            const stale = await appLogin(cluster, appUser.password);
            const dual = cluster.serverEnv.DUAL_PASSWORDS === "1";
            if (dual) {
                assert.equal(stale.code, 0, `MySQL keeps the previous password during a rotation: ${stale.stderr}`);
            } else {
                assert.notEqual(stale.code, 0, "MariaDB still accepts the old password");
            }
            // replication reconnects with the new password: the IO thread restarted by hand must connect
            const stopIo = cluster.serverEnv.REPLICATION_SYNTAX === "source" ? "STOP REPLICA IO_THREAD" : "STOP SLAVE IO_THREAD";
            await cluster.rootSql(1, stopIo);
            await waitFor("pod 1's IO thread reconnected", 60000, async () => {
                const status = await replicaStatus(cluster, 1);
                return (status.Slave_IO_Running ?? status.Replica_IO_Running) === "Yes" || undefined;
            });
            // pod 2 was down: it starts on the old copy, applies the Secret, replicates; then a fresh
            // copy (the backup account's new password) for pod 2
            await cluster.startPod(2);
            const rows = await writeRows(cluster, 50, "c1");
            await cluster.waitForRows(rows);
            await cluster.deletePod(2);
            cluster.deleteVolume(2);
            await cluster.startPod(2, 600000);
            await cluster.waitForRows(rows);
            const sums = new Set(Object.values(await cluster.checksums()));
            assert.equal(sums.size, 1, "checksums differ");
            return `new passwords live on pods 0 and 1 without a restart (${before}); old application password ` +
                `${dual ? "still accepted (dual passwords)" : "refused"}; pod 1 reconnected with the new replication password; ` +
                `pod 2 (down during the change) caught up, then re-cloned with the new backup password; ${rows} rows equal on 3 pods`;
        },
    },
];
