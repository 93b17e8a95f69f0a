import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config";
import { clusterNames, objectMeta, secretKeys } from "../names";

type Secret = k8s.types.input.core.v1.Secret;

export interface ClusterPasswords {
    readonly root: pulumi.Input<string>;
    readonly replication: pulumi.Input<string>;
    readonly backup: pulumi.Input<string>;
    /** Only when `user` is set. */
    readonly user?: pulumi.Input<string>;
}

/** The credentials Secret; every value is wrapped as a Pulumi secret so state holds ciphertext only. */
export function buildSecret(config: ClusterConfig, passwords: ClusterPasswords): Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta(clusterNames(config.name).secret, config),
        type: "Opaque",
        stringData: {
            [secretKeys.backup]: pulumi.secret(passwords.backup),
            [secretKeys.replication]: pulumi.secret(passwords.replication),
            [secretKeys.root]: pulumi.secret(passwords.root),
            ...(passwords.user !== undefined ? { [secretKeys.user]: pulumi.secret(passwords.user) } : {}),
        },
    };
}
