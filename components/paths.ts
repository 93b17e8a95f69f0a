/** Where things live inside every container of a pod. The scripts get these as env vars. */
export const paths = {
    /** ConfigMap: my.cnf fragments and the scripts, read-only. */
    configDir: "/opt/mysql-cluster",
    /** emptyDir: the option file init-mysql writes for this pod. */
    generatedConfDir: "/etc/mysql-cluster",
    confFile: "/etc/mysql-cluster/my.cnf",
    /** PersistentVolumeClaim mount. */
    dataRoot: "/var/lib/mysql",
    /** The datadir is a subdirectory, so a clone can be built beside it and renamed into place. */
    dataDir: "/var/lib/mysql/data",
    /** emptyDir in memory: socket, pid file, client option files with passwords. */
    runDir: "/var/run/mysqld",
    socket: "/var/run/mysqld/mysqld.sock",
    /** emptyDir: scratch space (read-only root filesystems need it). */
    tmpDir: "/tmp",
    /** The topology ConfigMap: `replicas`, updated in place when the StatefulSet scales. */
    topologyDir: "/etc/mysql-cluster-topology",
    /** The TLS Secret (tls.crt, tls.key, ca.crt), when TLS is on. */
    tlsDir: "/etc/mysql-tls",
    /**
     * The credentials Secret, one file per key. Scripts read a password at each use, so a changed
     * Secret (rotation) reaches running pods without a restart.
     */
    credentialsDir: "/etc/mysql-cluster-credentials",
    /** The backup sidecar's view of the credentials Secret: the backup password only. */
    backupCredentialsDir: "/etc/mysql-cluster-backup-credentials",
} as const;

/** Volume names in the pod spec. */
export const volumes = {
    config: "config",
    generatedConf: "conf",
    data: "data",
    run: "run",
    tmp: "tmp",
    tls: "tls",
    topology: "topology",
    credentials: "credentials",
    backupCredentials: "backup-credentials",
} as const;
