/**
 * Images without a container runtime: an image name maps to a root filesystem, as in the
 * e2e harness (tests/e2e/images.ts): `mariadb:10.11*` is the host's Debian MariaDB, `mysql:*`
 * the debootstrapped Debian sid root, `mariadb:11.8*` the Debian trixie one and
 * `prom/mysqld-exporter:v0.16.0` a Debian bookworm one with mysqld_exporter built from its Go module
 * (tests/e2e/infra/build-image-root.sh). More host-root
 * images: LOCAL_CLUSTER_HOST_IMAGES, comma-separated name prefixes (e.g. "debian:,busybox:").
 */
import * as fs from "fs";

export const mysqlRootfs = process.env.MYSQL_ROOTFS ?? "/var/cache/mysql-cluster-e2e/mysql-sid-root";
export const exporterRootfs = process.env.MYSQLD_EXPORTER_ROOTFS ?? "/var/cache/mysql-cluster-e2e/mysqld-exporter-0.16-root";
export const mariadb118Rootfs = process.env.MARIADB_11_8_ROOTFS ?? "/var/cache/mysql-cluster-e2e/mariadb-trixie-root";
const hostImagePrefixes = ["mariadb:10.11", ...(process.env.LOCAL_CLUSTER_HOST_IMAGES ?? "").split(",").filter((p) => p !== "")];

/** Debootstrapped roots: image name prefix, root, the server binary that proves it built, what it is. */
const rootImages: ReadonlyArray<readonly [string, string, string, string]> = [
    ["mysql:", mysqlRootfs, "usr/sbin/mysqld", "the Debian sid root (MySQL 9.x)"],
    ["mariadb:11.8", mariadb118Rootfs, "usr/sbin/mariadbd", "the Debian trixie root (MariaDB 11.8)"],
    // mysqld_exporter v0.16.0 built from its Go module, where the official image has it
    ["prom/mysqld-exporter:v0.16.0", exporterRootfs, "bin/mysqld_exporter", "a Debian bookworm root with mysqld_exporter v0.16.0 (tests/e2e/infra/build-exporter.sh)"],
];

export class ImageError extends Error {
    constructor(readonly reason: "ErrImagePull" | "ImagePullBackOff", message: string) {
        super(message);
    }
}

/** The root filesystem of an image ("" = the host's /), or ImageError when it is not emulated. */
export function imageRoot(image: string): string {
    if (hostImagePrefixes.some((prefix) => image.startsWith(prefix))) {
        return "";
    }
    for (const [prefix, root, server, what] of rootImages) {
        if (image.startsWith(prefix)) {
            if (!fs.existsSync(`${root}/${server}`)) {
                throw new ImageError("ErrImagePull", `image ${image} is ${what} at ${root}, which is not built: run tests/e2e/infra/build-image-root.sh (see tests/e2e/images.ts)`);
            }
            return root;
        }
    }
    throw new ImageError("ErrImagePull", `image ${image} is not emulated here (host-root images: ${hostImagePrefixes.join(" ")}; ` +
        `${rootImages.map(([prefix]) => `${prefix}*`).join(", ")})`);
}
