/**
 * Images without a container runtime: an image name maps to a root filesystem, as in the
 * e2e harness (tests/e2e/images.ts): `mariadb:*` is the host's Debian MariaDB, `mysql:*`
 * the debootstrapped Debian sid root (tests/e2e/infra/build-mysql-root.sh). More host-root
 * images: LOCAL_CLUSTER_HOST_IMAGES, comma-separated name prefixes (e.g. "debian:,busybox:").
 */
import * as fs from "fs";

export const mysqlRootfs = process.env.MYSQL_ROOTFS ?? "/var/cache/mysql-cluster-e2e/mysql-sid-root";
const hostImagePrefixes = ["mariadb:", ...(process.env.LOCAL_CLUSTER_HOST_IMAGES ?? "").split(",").filter((p) => p !== "")];

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
    if (image.startsWith("mysql:")) {
        if (!fs.existsSync(`${mysqlRootfs}/usr/sbin/mysqld`)) {
            throw new ImageError("ErrImagePull", `image ${image} is the Debian sid root ${mysqlRootfs}, which is not built: run tests/e2e/infra/build-mysql-root.sh`);
        }
        return mysqlRootfs;
    }
    throw new ImageError("ErrImagePull", `image ${image} is not emulated here (host-root images: ${hostImagePrefixes.join(" ")}; mysql:*)`);
}
