/**
 * The emulated images: MariaDB 10.11 from the host (Debian bookworm packages), MySQL 9.x from a
 * debootstrapped Debian sid root, MariaDB 11.8 from a Debian trixie one; all run as the host's
 * mysql user (see EMULATION.md). The node agent maps image names the same way
 * (local-cluster/node-agent/images.ts).
 */
import * as path from "path";
import { ImageRoot } from "./harness/pod";
import { run, runOk } from "./harness/process";
import { infraDir } from "./harness/cluster";
import { exporterRootfs, imageRoot, mariadb118Rootfs, mysqlRootfs } from "../../local-cluster/node-agent/images";

export { mysqlRootfs };

export interface EngineVersions {
    /** MySQL of the sid root (9.x). */
    readonly mysqlVersion: string;
    /** MariaDB of the host (10.11). */
    readonly mariadbVersion: string;
    /** MariaDB of the trixie root (11.8). */
    readonly mariadb118Version: string;
}
const mariadbPackages = ["mariadb-server", "mariadb-client", "mariadb-backup", "socat", "ncat", "iproute2", "util-linux", "perl"];

/** Installs what the suite needs when it is missing (apt), and builds the MySQL root. */
export async function ensureImages(log: (m: string) => void): Promise<EngineVersions> {
    const missing = [];
    for (const pkg of mariadbPackages) {
        if ((await run("dpkg-query", ["-W", "-f=${Status}", pkg])).stdout !== "install ok installed") {
            missing.push(pkg);
        }
    }
    if (missing.length > 0) {
        log(`installing ${missing.join(" ")}`);
        await runOk("apt-get", ["update"]);
        await runOk("apt-get", ["install", "-y", "--no-install-recommends", ...missing],
            { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    }
    log("building or reusing the MySQL root (Debian sid)");
    await runOk(path.join(infraDir, "build-image-root.sh"), [], { env: { ...process.env, MYSQL_ROOTFS: mysqlRootfs } });
    log("building or reusing the MariaDB 11.8 root (Debian trixie)");
    await runOk(path.join(infraDir, "build-image-root.sh"), [], {
        env: {
            ...process.env, MYSQL_ROOTFS: mariadb118Rootfs, DEBIAN_SUITE: "trixie", SERVER_BIN: "/usr/sbin/mariadbd",
            ROOT_PACKAGES: "mariadb-server-core,mariadb-client,mariadb-backup,bash,coreutils,procps,socat",
        },
    });
    log("building or reusing mysqld_exporter v0.16.0 (Go module) and its root (Debian bookworm)");
    const exporter = (await runOk(path.join(infraDir, "build-exporter.sh"), [], { env: { ...process.env, EXPORTER_VERSION: "v0.16.0" } })).trim();
    await runOk(path.join(infraDir, "build-image-root.sh"), [], {
        env: {
            ...process.env, MYSQL_ROOTFS: exporterRootfs, DEBIAN_SUITE: "bookworm", SERVER_BIN: "/bin/mysqld_exporter",
            ROOT_PACKAGES: "bash", ROOT_FILES: `usr/bin/mysqld_exporter=${exporter}`,
        },
    });
    const version = (text: string) => text.match(/Ver (\d+\.\d+)/)![1];
    return {
        mysqlVersion: version(await runOk("chroot", [mysqlRootfs, "mysqld", "--version"])),
        mariadbVersion: version(await runOk("mariadbd", ["--version"])),
        mariadb118Version: version(await runOk("chroot", [mariadb118Rootfs, "mariadbd", "--version"])),
    };
}

async function mysqlIds(): Promise<{ uid: number; gid: number }> {
    const [uid, gid] = (await runOk("bash", ["-c", "echo $(id -u mysql) $(id -g mysql)"])).trim().split(" ").map(Number);
    return { uid, gid };
}

/** Image name -> emulated root, as the node agent maps it. Anything else is refused, so an unexpected image is noticed. */
export async function imageResolver(): Promise<(image: string) => ImageRoot> {
    const ids = await mysqlIds();
    return (image: string) => ({ root: imageRoot(image), ...ids });
}
