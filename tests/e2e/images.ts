/**
 * The emulated images: MariaDB from the host (Debian bookworm packages), MySQL from a
 * debootstrapped Debian sid root; both run as the host's mysql user (see EMULATION.md).
 */
import * as path from "path";
import { ImageRoot } from "./harness/pod";
import { run, runOk } from "./harness/process";
import { infraDir } from "./harness/cluster";

export const mysqlRootfs = process.env.MYSQL_ROOTFS ?? "/var/cache/mysql-cluster-e2e/mysql-sid-root";
const mariadbPackages = ["mariadb-server", "mariadb-client", "mariadb-backup", "socat", "ncat", "iproute2", "util-linux", "perl"];

/** Installs what the suite needs when it is missing (apt), and builds the MySQL root. */
export async function ensureImages(log: (m: string) => void): Promise<{ mysqlVersion: string; mariadbVersion: string }> {
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
    log("building or reusing the MySQL root");
    await runOk(path.join(infraDir, "build-mysql-root.sh"), [], { env: { ...process.env, MYSQL_ROOTFS: mysqlRootfs } });
    const mysqlVersion = (await runOk("chroot", [mysqlRootfs, "mysqld", "--version"])).match(/Ver (\d+\.\d+)/)![1];
    const mariadbVersion = (await runOk("mariadbd", ["--version"])).match(/Ver (\d+\.\d+)/)![1];
    return { mysqlVersion, mariadbVersion };
}

async function mysqlIds(): Promise<{ uid: number; gid: number }> {
    const [uid, gid] = (await runOk("bash", ["-c", "echo $(id -u mysql) $(id -g mysql)"])).trim().split(" ").map(Number);
    return { uid, gid };
}

/** Image name -> emulated root. Anything else is refused, so an unexpected image is noticed. */
export async function imageResolver(): Promise<(image: string) => ImageRoot> {
    const ids = await mysqlIds();
    return (image: string) => {
        if (image.startsWith("mariadb:")) {
            return { root: "", ...ids };
        }
        if (image.startsWith("mysql:")) {
            return { root: mysqlRootfs, ...ids };
        }
        throw new Error(`the suite does not emulate image ${image}`);
    };
}
