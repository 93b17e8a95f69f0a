/**
 * The pods' data claims, one per ordinal, as server-side apply patches. A claim template is
 * immutable in a StatefulSet (a change would make the provider replace it, taking every pod
 * down at once), so the template keeps the size the StatefulSet was created with and these
 * patches carry the current `storageSize`: they expand existing claims in place (where the
 * StorageClass allows expansion) and create a scale-up's claims at the current size before the
 * StatefulSet makes their pods (it adopts an existing claim of its naming scheme).
 */
import * as k8s from "@pulumi/kubernetes";
import { ClusterConfig } from "../config";
import { clusterNames, selectorLabels } from "../names";
import { volumes } from "../paths";

type ClaimPatch = k8s.types.input.core.v1.PersistentVolumeClaimPatch;

/** The StatefulSet controller's name for ordinal N's claim of volume `volume`. */
export function claimName(config: ClusterConfig, ordinal: number, volume: string = volumes.data): string {
    return `${volume}-${clusterNames(config.name).statefulSet}-${ordinal}`;
}

/** The claim spec the StatefulSet's template and the patches share. */
export function dataClaimSpec(config: ClusterConfig) {
    return {
        accessModes: ["ReadWriteOnce"],
        ...(config.storageClassName !== undefined ? { storageClassName: config.storageClassName } : {}),
        resources: { requests: { storage: config.storageSize } },
    };
}

/** One patch per ordinal 0..replicas-1, in ordinal order. */
export function buildClaimPatches(config: ClusterConfig): ClaimPatch[] {
    return Array.from({ length: config.replicas }, (_, ordinal) => ({
        metadata: {
            name: claimName(config, ordinal),
            namespace: config.namespace,
            labels: selectorLabels(config.name),
            annotations: {
                // the StatefulSet controller created most claims and owns their fields: take the size over
                "pulumi.com/patchForce": "true",
                // the provider's claim await wants phase Pending under a WaitForFirstConsumer class, so an
                // update of a bound claim would time out after 5 minutes; the expansion is the storage
                // driver's to finish (kubectl get pvc shows its capacity)
                "pulumi.com/skipAwait": "true",
            },
        },
        spec: dataClaimSpec(config),
    }));
}
