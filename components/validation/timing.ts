/** Ports, and the bounds on time: replica lag, startup, pod 0's peer wait, the rollout await. */
import { ResolvedArgs } from "../args";
import { defaults } from "../defaults";
import { checker, Problems } from "./problems";

export function resolvePorts(args: ResolvedArgs, problems: Problems) {
    const check = checker(problems);
    const port = args.port ?? defaults.port;
    const backupPort = args.backupPort ?? defaults.backupPort;
    for (const [field, value] of [["port", port], ["backupPort", backupPort]] as const) {
        check(Number.isInteger(value) && value >= 1 && value <= 65535,
            `${field} must be an integer from 1 to 65535, got ${JSON.stringify(value)}`);
    }
    check(port !== backupPort, `port and backupPort must differ, both are ${port}`);
    return { port, backupPort };
}

export function resolveTiming(args: ResolvedArgs, problems: Problems) {
    const check = checker(problems);
    const maxReplicaLagSeconds = args.maxReplicaLagSeconds ?? defaults.maxReplicaLagSeconds;
    check(Number.isInteger(maxReplicaLagSeconds) && maxReplicaLagSeconds >= 0,
        `maxReplicaLagSeconds must be an integer >= 0, got ${JSON.stringify(maxReplicaLagSeconds)}`);
    const startupTimeoutSeconds = args.startupTimeoutSeconds ?? defaults.startupTimeoutSeconds;
    check(Number.isInteger(startupTimeoutSeconds) && startupTimeoutSeconds >= 60,
        `startupTimeoutSeconds must be an integer >= 60, got ${JSON.stringify(startupTimeoutSeconds)}`);
    const primaryPeerWaitSeconds = args.primaryPeerWaitSeconds ?? defaults.primaryPeerWaitSeconds;
    check(Number.isInteger(primaryPeerWaitSeconds) && primaryPeerWaitSeconds >= 0,
        `primaryPeerWaitSeconds must be an integer >= 0, got ${JSON.stringify(primaryPeerWaitSeconds)}`);

    const awaitTimeoutMinutes = args.awaitTimeoutMinutes ?? defaults.awaitTimeoutMinutes;
    check(Number.isInteger(awaitTimeoutMinutes) && awaitTimeoutMinutes >= 1 && awaitTimeoutMinutes <= 10080,
        `awaitTimeoutMinutes must be an integer from 1 to 10080 (a week), got ${JSON.stringify(awaitTimeoutMinutes)}`);
    const skipAwait = args.skipAwait ?? false;
    check(typeof skipAwait === "boolean", `skipAwait must be true or false, got ${JSON.stringify(skipAwait)}`);
    return { maxReplicaLagSeconds, startupTimeoutSeconds, primaryPeerWaitSeconds, awaitTimeoutMinutes, skipAwait };
}
