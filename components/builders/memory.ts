/**
 * Buffer sizes derived from the server container's memory (its limit, else its request), so a
 * larger pod gets a larger InnoDB buffer pool instead of the engines' fixed 128 MiB. Written into
 * the base option file; `extraConfig` (a later file) overrides any of them.
 */
import { ClusterConfig } from "../config";
import { parseQuantity } from "../quantity";

const MiB = 2 ** 20;

/**
 * The ratios (docs/operations.md, "Memory"): the buffer pool gets what is left after a reserve for
 * everything else the server allocates (connections' buffers, performance_schema, the log
 * buffer, InnoDB's own overhead) of 30% of the memory, at least 512 MiB; never below the
 * engines' 128 MiB default, and in whole 128 MiB chunks (MySQL rounds a size up to its chunk).
 */
export const bufferPoolSizing = { reserveFraction: 0.3, minReserveBytes: 512 * MiB, chunkBytes: 128 * MiB, minBytes: 128 * MiB } as const;

/** The memory the server container may use: its limit, else its request (bytes). */
export function serverMemoryBytes(config: ClusterConfig): number {
    const amount = config.resources.limits?.memory ?? config.resources.requests.memory;
    return parseQuantity(String(amount)) ?? 0;
}

/** innodb_buffer_pool_size for a container of `memory` bytes. */
export function bufferPoolBytes(memory: number): number {
    const s = bufferPoolSizing;
    const left = memory - Math.max(s.minReserveBytes, memory * s.reserveFraction);
    return Math.max(s.minBytes, Math.floor(left / s.chunkBytes) * s.chunkBytes);
}

/** The settings, in MiB: the buffer pool, then the flavor's memory-sized caches. */
export function memorySettings(config: ClusterConfig): Array<[string, string]> {
    const memory = serverMemoryBytes(config);
    const settings: Array<[string, string]> = [["innodb_buffer_pool_size", `${bufferPoolBytes(memory) / MiB}M`]];
    for (const cache of config.flavor.memoryCaches) {
        const bytes = Math.min(cache.maxBytes, Math.max(cache.minBytes, Math.floor(memory * cache.fraction / MiB) * MiB));
        settings.push([cache.setting, `${bytes / MiB}M`]);
    }
    return settings;
}
