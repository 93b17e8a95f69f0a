import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { podScripts, scriptsDir } from "../../components/scripts";
import { fixturesDir, haveCommand, runScriptFunctions, scriptPath } from "../helpers/bash";

const scriptFiles = Object.keys(podScripts).map((file) => path.join(scriptsDir, file));
const mariadb = { ENGINE: "mariadb", REPLICATION_SYNTAX: "master" };
const mysql57 = { ENGINE: "mysql", REPLICATION_SYNTAX: "master" };
const mysql84 = { ENGINE: "mysql", REPLICATION_SYNTAX: "source" };

/** A backup directory holding the given fixture as the given info file. */
function backupDir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-info-"));
    for (const [name, fixture] of Object.entries(files)) {
        fs.copyFileSync(path.join(fixturesDir, "backup-info", fixture), path.join(dir, name));
    }
    return dir;
}

function positioning(files: Record<string, string>, env: Record<string, string>) {
    return runScriptFunctions(`positioning_sql stream ${JSON.stringify(backupDir(files))}`, env);
}

describe("pod scripts", () => {
    it("every script starts with set -euo pipefail or is a sourced library", () => {
        for (const [file, text] of Object.entries(podScripts)) {
            const sourced = text.startsWith("# shellcheck shell=bash");
            assert.ok(sourced || text.includes("\nset -euo pipefail\n"), `${file} lacks set -euo pipefail`);
        }
    });

    it("every script parses with bash -n", () => {
        for (const file of scriptFiles) {
            const result = spawnSync("bash", ["-n", file], { encoding: "utf8" });
            assert.equal(result.status, 0, `${file}: ${result.stderr}`);
        }
    });

    it("the script tests run under mawk, the only awk of the MariaDB images (Ubuntu) and Debian's default", () => {
        assert.ok(haveCommand("mawk"), "mawk is not installed: apt-get install -y mawk");
        assert.match(runScriptFunctions("awk -W version 2>&1 | head -n1").stdout, /^mawk /);
    });

    it("no script needs more than the images carry: bash 5.1 (Oracle Linux 9, Ubuntu 22.04) and mawk", () => {
        // the images' shells: docs/testing.md#what-the-pod-scripts-may-use; mawk runs the script tests
        const newerBash: Array<[RegExp, string]> = [
            [/\$\{[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?@[a-zA-Z]\}/, "${var@op} transformations (bash 4.4-5.2)"],
            [/\bwait\s+-[a-z]*p/, "wait -p (bash 5.1)"],
            [/\bSRANDOM\b/, "SRANDOM (bash 5.1)"],
            [/\$\{[A-Za-z_][A-Za-z0-9_]*\/\/?[^}]*\/[^}]*&[^}]*\}/, "& in a ${var/pattern/replacement} (bash 5.2's patsub_replacement)"],
            [/\bshopt\s+-s\s+(patsub_replacement|globskipdots|varredir_close|array_expand_once|noexpand_translation)\b/, "a bash 5.2 shopt"],
        ];
        const gawkOnly = /\b(gensub|systime|strftime|mktime|asorti?|patsplit|isarray|typeof|and|or|xor|lshift|rshift|compl)\s*\(|PROCINFO|IGNORECASE|BEGINFILE|ENDFILE|@include|--re-interval|\[\[:[a-z]+:\]\]\{|[^$]\{[0-9]+(,[0-9]*)?\}/;
        for (const [file, text] of Object.entries(podScripts)) {
            const code = text.split("\n").filter((line) => !/^\s*#/.test(line)).join("\n");
            for (const [pattern, what] of newerBash) assert.doesNotMatch(code, pattern, `${file} uses ${what}`);
            const programs = [...code.matchAll(/\bawk((?:\s+-[Fv]\s*(?:'[^']*'|"[^"]*"|\S+))*)\s+'([^']*)'/g)].map((m) => m[2]);
            assert.equal(programs.length, (code.match(/\bawk\s/g) ?? []).length, `${file}: an awk call whose program this test cannot find`);
            for (const program of programs) {
                assert.doesNotMatch(program, gawkOnly, `${file}: an awk program uses a gawk-only feature: ${program.slice(0, 120)}`);
            }
        }
    });

    it("every script is shellcheck-clean", function () {
        this.timeout(180000); // shellcheck -x follows every sourced file: ~5 s idle, much longer on a busy machine
        if (!haveCommand("shellcheck")) {
            // CI installs shellcheck (.ci/run); a machine without it fails here instead of passing silently
            assert.fail("shellcheck is not installed: apt-get install -y shellcheck");
        }
        const result = spawnSync("shellcheck", ["-x", "-P", scriptsDir, ...scriptFiles], { encoding: "utf8" });
        assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    it("no script splices values: parameters are only read from the environment", () => {
        for (const [file, text] of Object.entries(podScripts)) {
            assert.doesNotMatch(text, /\$\{\{|<%|{{/, `${file} contains template syntax`);
        }
    });
});

describe("backup info parsing (replication.sh on fixture files)", () => {
    it("2-field binlog info gives a file/position CHANGE MASTER", () => {
        const r = positioning({ xtrabackup_binlog_info: "binlog-2-field" }, mariadb);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=1234;\n");
    });

    it("3-field binlog info (MariaDB GTID) gives gtid_slave_pos and master_use_gtid", () => {
        const r = positioning({ xtrabackup_binlog_info: "binlog-3-field" }, mariadb);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout,
            "SET GLOBAL gtid_slave_pos = '0-101-57';\nCHANGE MASTER TO MASTER_USE_GTID = slave_pos;\n");
    });

    it("3-field binlog info with several GTID domains keeps them all", () => {
        const r = positioning({ mariadb_backup_binlog_info: "binlog-multi-domain" }, mariadb);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /gtid_slave_pos = '0-101-5,1-102-9';/);
    });

    it("an empty GTID field (trailing tab, nothing binlogged yet) still replicates by GTID, from an empty position", () => {
        const r = positioning({ xtrabackup_binlog_info: "binlog-empty-gtid" }, mariadb);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "SET GLOBAL gtid_slave_pos = '';\nCHANGE MASTER TO MASTER_USE_GTID = slave_pos;\n");
    });

    it("MySQL 5.7 uses file/position even when a GTID field is present", () => {
        const r = positioning({ xtrabackup_binlog_info: "binlog-3-field" }, mysql57);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=1234;\n");
    });

    it("one-statement slave info is applied whole (MySQL 5.7 xtrabackup)", () => {
        const r = positioning({
            xtrabackup_binlog_info: "binlog-2-field",
            xtrabackup_slave_info: "slave-info-1-statement",
        }, mysql57);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=1234;\n");
    });

    it("two-statement slave info keeps both statements and their semicolons (MySQL 5.7 xtrabackup)", () => {
        const r = positioning({
            xtrabackup_binlog_info: "binlog-2-field",
            xtrabackup_slave_info: "slave-info-2-statements",
        }, mysql57);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout,
            "SET GLOBAL gtid_slave_pos = '0-101-57';\nCHANGE MASTER TO master_use_gtid = slave_pos;\n");
    });

    it("slave info from the donor replica wins over the donor's own binlog position (MySQL 5.7 xtrabackup)", () => {
        const r = positioning({
            xtrabackup_binlog_info: "binlog-3-field",
            xtrabackup_slave_info: "slave-info-1-statement",
        }, mysql57);
        assert.equal(r.stdout, "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=1234;\n");
    });

    for (const [fixture, said] of [
        ["slave-info-2-statements", /SET GLOBAL gtid_slave_pos = '0-101-57'; CHANGE MASTER TO master_use_gtid = slave_pos;/],
        ["slave-info-1-statement", /MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=1234;/],
        ["slave-info-empty-file", /MASTER_LOG_FILE='', MASTER_LOG_POS=4;/],
    ] as const) {
        it(`MariaDB, the donor a replica (${fixture}): by GTID from the copy's own gtid_slave_pos; the slave_info is only logged`, () => {
            const r = positioning({
                mariadb_backup_binlog_info: "binlog-3-field",
                mariadb_backup_slave_info: fixture,
            }, mariadb);
            assert.equal(r.status, 0, r.stderr);
            // no SET GLOBAL gtid_slave_pos: the server loaded it from the copy's mysql.gtid_slave_pos,
            // and no file/position (an empty file name would start at the primary's first binary log)
            assert.equal(r.stdout, "CHANGE MASTER TO MASTER_USE_GTID = slave_pos;\n");
            assert.match(r.stderr, /position from the copy's mysql.gtid_slave_pos \(the donor was a replica; mariadb_backup_slave_info, not used, said: /);
            assert.match(r.stderr, said);
        });
    }

    it("xtrabackup's statement without a semicolon is terminated", () => {
        const r = positioning({ xtrabackup_slave_info: "slave-info-xtrabackup-no-semicolon" }, mysql57);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000001', MASTER_LOG_POS=481;\n");
    });

    it("a slave info carrying any other statement is refused", () => {
        const r = positioning({ xtrabackup_slave_info: "slave-info-injected" }, mariadb);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /unexpected statement/);
    });

    it("an unparsable binlog info is refused, not turned into SQL", () => {
        const r = positioning({ xtrabackup_binlog_info: "binlog-garbage" }, mariadb);
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /cannot parse/);
    });

    it("a backup without info files is refused", () => {
        const r = positioning({}, mariadb);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /no binlog_info or slave_info/);
    });

    it("a CLONE-plugin copy uses GTID auto-position in the MySQL 8.4 dialect", () => {
        const r = runScriptFunctions("positioning_sql clone /nonexistent", mysql84);
        assert.equal(r.stdout, "CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION=1;\n");
    });

    it("seeded_primary_sql: a re-seeded MariaDB pod 0 continues the newest GTID per origin of its info files and the copy's own position", () => {
        const dir = backupDir({ xtrabackup_binlog_info: "binlog-3-field", xtrabackup_slave_info: "slave-info-2-statements" });
        // the copy's own gtid_slave_pos is ahead of both files (the backup's slave_info lags the data)
        const r = runScriptFunctions(`seeded_primary_sql stream ${dir} '0-101-60,1-102-4'`, mariadb);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "STOP SLAVE;\nRESET SLAVE ALL;\nRESET MASTER;\nSET GLOBAL gtid_binlog_state = '0-101-60,1-102-4';\n");
        // without the copy's position, the files' newest
        const files = runScriptFunctions(`seeded_primary_sql stream ${dir}`, mariadb);
        assert.equal(files.stdout, "STOP SLAVE;\nRESET SLAVE ALL;\nRESET MASTER;\nSET GLOBAL gtid_binlog_state = '0-101-57';\n");
    });

    it("seeded_primary_sql: a re-seeded MySQL pod 0 only forgets the donor's replication settings (the clone carries gtid_executed)", () => {
        const r = runScriptFunctions("seeded_primary_sql clone /nonexistent", mysql84);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "STOP REPLICA;\nRESET REPLICA ALL;\n");
    });

    it("a backup counts as complete only with its checkpoints file", () => {
        const empty = backupDir({});
        const complete = backupDir({ xtrabackup_checkpoints: "binlog-2-field" });
        assert.notEqual(runScriptFunctions(`backup_is_complete ${empty}`).status, 0);
        assert.equal(runScriptFunctions(`backup_is_complete ${complete}`).status, 0);
    });
});

describe("replication SQL and credentials", () => {
    const tricky = `p'a"s\\s;w--rd`;

    /** A credentials directory as the kubelet projects the Secret: one file per key. */
    function credentialsDir(values: Record<string, string>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credentials-"));
        for (const [key, value] of Object.entries(values)) {
            fs.writeFileSync(path.join(dir, key), value);
        }
        return dir;
    }
    const accounts = { REPLICATION_USER: "repl", BACKUP_USER: "backup", BACKUP_USER_HOST: "localhost", REPLICA_MONITOR_GRANT: "REPLICATION CLIENT" };
    const keys = { "root-password": "r00t", "replication-password": tricky, "backup-password": "b", "user-password": "u" };

    it("credentials_sql: MySQL 8.4+ sets every password from the Secret files, keeping the old one (dual passwords)", () => {
        const r = runScriptFunctions("credentials_sql", {
            ...mysql84, ...accounts, DUAL_PASSWORDS: "1", APP_USER: "app", CREDENTIALS_DIR: credentialsDir(keys),
        });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "SET SESSION sql_log_bin = 0;\n" +
            "SET @ro = @@GLOBAL.super_read_only;\nSET GLOBAL super_read_only = OFF;\n" +
            "ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY 'r00t' RETAIN CURRENT PASSWORD;\n" +
            "ALTER USER IF EXISTS 'repl'@'%' IDENTIFIED BY 'p''a\"s\\\\s;w--rd' RETAIN CURRENT PASSWORD;\n" +
            "ALTER USER IF EXISTS 'backup'@'localhost' IDENTIFIED BY 'b' RETAIN CURRENT PASSWORD;\n" +
            "ALTER USER IF EXISTS 'app'@'%' IDENTIFIED BY 'u' RETAIN CURRENT PASSWORD;\n" +
            "GRANT REPLICATION CLIENT ON *.* TO 'repl'@'%';\n" +
            "SET GLOBAL super_read_only = @ro;\n");
    });

    it("credentials_sql: MariaDB has no dual passwords and no super_read_only; no app account without APP_USER", () => {
        const r = runScriptFunctions("credentials_sql", {
            ...mariadb, ...accounts, DUAL_PASSWORDS: "0", CREDENTIALS_DIR: credentialsDir(keys),
        });
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stdout, /RETAIN|super_read_only|'app'/);
        assert.match(r.stdout, /^SET SESSION sql_log_bin = 0;\nALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY 'r00t';\n/);
    });

    it("a key missing from the Secret stops the script and names the key", () => {
        const r = runScriptFunctions("credentials_sql", {
            ...mariadb, ...accounts, CREDENTIALS_DIR: credentialsDir({ "root-password": "x" }),
        });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /the credentials Secret has no key 'replication-password'/);
    });

    it("local_admin_sql: the OS user logs in over the socket, per engine", () => {
        const maria = runScriptFunctions("local_admin_sql", { ...mariadb, LOCAL_ADMIN_USER: "mysql" });
        assert.match(maria.stdout, /ALTER USER 'mysql'@'localhost' IDENTIFIED VIA unix_socket;/);
        const my = runScriptFunctions("local_admin_sql", { ...mysql84, LOCAL_ADMIN_USER: "mysql" });
        assert.match(my.stdout, /ALTER USER 'mysql'@'localhost' IDENTIFIED WITH auth_socket;/);
        assert.match(my.stdout, /GRANT ALL PRIVILEGES ON \*\.\* TO 'mysql'@'localhost' WITH GRANT OPTION;/);
    });

    it("source_password_sql changes only the replication password (host and position kept)", () => {
        assert.equal(runScriptFunctions(`source_password_sql "$PW"`, { ...mysql84, PW: tricky }).stdout,
            "STOP REPLICA;\nCHANGE REPLICATION SOURCE TO SOURCE_PASSWORD='p''a\"s\\\\s;w--rd';\n");
        assert.equal(runScriptFunctions("source_password_sql pw", mariadb).stdout, "STOP SLAVE;\nCHANGE MASTER TO MASTER_PASSWORD='pw';\n");
    });

    it("CHANGE REPLICATION SOURCE (8.4) requests the source's public key and quotes the password", () => {
        const r = runScriptFunctions(`change_source_sql db-0.db 3306 repl "$PW"`, { ...mysql84, PW: tricky });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "STOP REPLICA;\nRESET REPLICA ALL;\n" +
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST='db-0.db', SOURCE_PORT=3306, SOURCE_USER='repl', " +
            "SOURCE_PASSWORD='p''a\"s\\\\s;w--rd', SOURCE_CONNECT_RETRY=10, GET_SOURCE_PUBLIC_KEY=1, " +
            "SOURCE_RETRY_COUNT=1000000;\n");
    });

    it("CHANGE MASTER (MariaDB, 5.7) has no MySQL-8-only options", () => {
        const r = runScriptFunctions(`change_source_sql db-0.db 3306 repl pw`, mariadb);
        assert.equal(r.stdout, "STOP SLAVE;\nRESET SLAVE ALL;\n" +
            "CHANGE MASTER TO MASTER_HOST='db-0.db', MASTER_PORT=3306, MASTER_USER='repl', " +
            "MASTER_PASSWORD='pw', MASTER_CONNECT_RETRY=10;\n");
    });

    it("with TLS_CA set, replication is encrypted and verifies the source certificate (both dialects)", () => {
        const source = runScriptFunctions(`change_source_sql db-0.db 3306 repl pw`, { ...mysql84, TLS_CA: "/etc/mysql-tls/ca.crt" });
        assert.match(source.stdout, /SOURCE_SSL=1, SOURCE_SSL_CA='\/etc\/mysql-tls\/ca\.crt', SOURCE_SSL_VERIFY_SERVER_CERT=1[,;]/);
        const master = runScriptFunctions(`change_source_sql db-0.db 3306 repl pw`, { ...mariadb, TLS_CA: "/etc/mysql-tls/ca.crt" });
        assert.match(master.stdout, /MASTER_SSL=1, MASTER_SSL_CA='\/etc\/mysql-tls\/ca\.crt', MASTER_SSL_VERIFY_SERVER_CERT=1;/);
    });

    it("the pod ordinal comes from the pod name, not the hostname binary", () => {
        assert.equal(runScriptFunctions("pod_ordinal db-12").stdout, "12\n");
        assert.equal(runScriptFunctions("pod_ordinal my-db-08").stdout, "8\n");
        const bad = runScriptFunctions("pod_ordinal db");
        assert.notEqual(bad.status, 0);
        assert.match(bad.stderr, /does not end in -<ordinal>/);
    });

    it("client option files hold the password exactly, at mode 600", function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cnf-"));
        const file = path.join(dir, "client.cnf");
        const r = runScriptFunctions(`write_client_cnf ${file} root "$PW" /run/s.sock`, { PW: tricky });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.ok(!r.stdout.includes(tricky) && !r.stderr.includes(tricky), "password printed");
        if (!haveCommand("my_print_defaults")) {
            assert.fail("my_print_defaults is not installed: apt-get install -y mariadb-client");
        }
        // the server's own option-file parser reads back the exact password
        const parsed = spawnSync("my_print_defaults", [`--defaults-file=${file}`, "client"], { encoding: "utf8" });
        assert.ok(parsed.stdout.split("\n").includes(`--password=${tricky}`), parsed.stdout);
    });

    it("a password with a newline is refused with a message naming the account", () => {
        const r = runScriptFunctions(`write_client_cnf /tmp/x.cnf repl "$PW" /s`, { PW: "a\nb" });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /password for 'repl' contains a newline/);
    });
});

describe("scratch servers never remove a copy (rule 1)", () => {
    it("start_scratch_server refuses every directory but the three scratch ones, and removes nothing", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "data-root-"));
        for (const dir of ["data", "set-aside/2026-pod-0", "clone.tmp", "data.init.old"]) {
            fs.mkdirSync(path.join(root, dir), { recursive: true });
            fs.writeFileSync(path.join(root, dir, "sentinel"), "");
            const r = runScriptFunctions(`source ${JSON.stringify(path.join(scriptsDir, "initialize.sh"))}
                start_scratch_server "$DATA_ROOT/${dir}" /nonexistent.sock`,
            { DATA_ROOT: root, DATADIR: path.join(root, "data"), RUN_DIR: root });
            assert.notEqual(r.status, 0, dir);
            assert.match(r.stderr, /refusing .* as a scratch directory/, dir);
            assert.ok(fs.existsSync(path.join(root, dir, "sentinel")), `${dir} was removed`);
        }
    });
});

describe("pod 0's MariaDB replication domain (lib.sh new_domain_id): a new origin per start (rule 11)", () => {
    it("draws ids in 1..2^31-1 that differ from start to start", () => {
        const r = runScriptFunctions("for i in $(seq 50); do new_domain_id; done");
        assert.equal(r.status, 0, r.stderr);
        const ids = r.stdout.trim().split("\n").map(Number);
        assert.equal(ids.length, 50);
        for (const id of ids) assert.ok(Number.isInteger(id) && id >= 1 && id <= 2 ** 31 - 1, `${id}`);
        assert.ok(new Set(ids).size >= 49, `repeated ids: ${ids.join(" ")}`);
    });
});

describe("administrator connections take turns (lib.sh admin_turn)", () => {
    const runDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "run-"));

    it("a free turn is taken at once; a held one is waited for, then given up after 4 s", () => {
        const dir = runDir();
        assert.equal(runScriptFunctions("admin_turn", { RUN_DIR: dir }).status, 0);
        assert.ok(fs.existsSync(path.join(dir, "admin.turn")));
        const t0 = Date.now();
        assert.notEqual(runScriptFunctions("admin_turn", { RUN_DIR: dir }).status, 0, "a held turn was taken");
        assert.ok(Date.now() - t0 >= 3500, "gave up too early");
    });

    it("a turn left by a killed process (older than 10 s) is taken over", () => {
        const dir = runDir();
        fs.mkdirSync(path.join(dir, "admin.turn"));
        const old = new Date(Date.now() - 20000);
        fs.utimesSync(path.join(dir, "admin.turn"), old, old);
        const t0 = Date.now();
        assert.equal(runScriptFunctions("admin_turn", { RUN_DIR: dir }).status, 0);
        assert.ok(Date.now() - t0 < 2000);
    });

    it("sql with the admin option file releases the turn after the client, even when it fails", () => {
        const dir = runDir();
        fs.writeFileSync(path.join(dir, "admin.cnf"), "");
        const r = runScriptFunctions(`sql "$RUN_DIR/admin.cnf" -e 'SELECT 1' || true`, { RUN_DIR: dir, MYSQL_CLIENT: "false" });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!fs.existsSync(path.join(dir, "admin.turn")), "the turn was not released");
    });
});

describe("replica readiness (replica_health on SHOW REPLICA STATUS output)", () => {
    const health = (fixture: string, maxLag = 30, away = "") => runScriptFunctions(
        `replica_health "$(cat ${JSON.stringify(path.join(fixturesDir, "replica-status", fixture))})" ${maxLag} "${away}"`);

    it("MySQL 8.4 field names: both threads running, no lag -> ready", () => {
        assert.equal(health("mysql-healthy").status, 0);
    });
    it("MariaDB field names: both threads running, 3 s lag -> ready", () => {
        assert.equal(health("mariadb-healthy").status, 0);
    });
    it("a stopped I/O thread -> not ready, with the reason", () => {
        const r = health("mariadb-io-stopped");
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "replication not running (io=No, sql=Yes)\n");
    });
    it("a stopped applier names the engine's error number and text (the cause, not only that it stopped)", () => {
        const status = ["Slave_IO_Running: Yes", "Slave_SQL_Running: No", "Last_IO_Errno: 0", "Last_IO_Error: ",
            "Last_SQL_Errno: 1062", "Last_SQL_Error: Could not execute Write_rows_v1 event on table app.t; Duplicate entry '7' for key 'PRIMARY'"]
            .map((l) => `   ${l}`).join("\n");
        const r = runScriptFunctions(`replica_health "$S" 30`, { ...mariadb, S: status });
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "replication not running (io=Yes, sql=No); applier error 1062: Could not execute Write_rows_v1 event on table app.t; " +
            "Duplicate entry '7' for key 'PRIMARY'\n");
    });
    it("still connecting to the primary -> not ready", () => {
        assert.notEqual(health("mysql-connecting").status, 0);
    });
    it("lag above the limit -> not ready; within a higher limit -> ready", () => {
        const r = health("mysql-lagging", 30);
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "replica lag 95 s exceeds 30 s\n");
        assert.equal(health("mysql-lagging", 120).status, 0);
    });
    it("the source away (I/O thread reconnecting) for at most the lag limit -> still ready: reads go on through a primary restart", () => {
        const r = health("mysql-connecting", 30, "12");
        assert.equal(r.status, 0, r.stdout);
        assert.equal(r.stdout, "serving reads: the source has been away 12 s (at most 30 s)\n");
        assert.equal(health("mariadb-io-stopped", 30, "30").status, 0);
    });
    it("the source away for longer than the lag limit -> not ready, saying how long", () => {
        const r = health("mysql-connecting", 30, "45");
        assert.notEqual(r.status, 0);
        assert.match(r.stdout, /^replication not running \(io=Connecting, sql=Yes\), source away 45 s$/m);
    });
    it("no replication configured at all -> not ready", () => {
        assert.notEqual(health("not-a-replica").status, 0);
    });
});

describe("liveness of a pod still copying (probe-alive.sh): a copy is never cut short while it moves", () => {
    const probe = (startedAgo: number, beatAgo: number | undefined) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alive-"));
        const now = Math.floor(Date.now() / 1000);
        fs.writeFileSync(path.join(dir, "admin.cnf"), "");
        fs.writeFileSync(path.join(dir, "starting"), `${now - startedAgo}\n`);
        if (beatAgo !== undefined) fs.writeFileSync(path.join(dir, "copy-heartbeat"), `${now - beatAgo}\n`);
        // the server does not answer yet (a client that always fails)
        return spawnSync("bash", [path.join(scriptsDir, "probe-alive.sh")], {
            env: { PATH: scriptPath, RUN_DIR: dir, MYSQL_CLIENT: "false", SETUP_TIMEOUT_SECONDS: "300" }, encoding: "utf8",
        });
    };
    it("a copy running for an hour that moved a second ago is alive (no fixed budget)", () => {
        const r = probe(3600, 1);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stderr, /copying data or starting for 360\d s \(last progress [1-3] s ago\)/);
    });
    it("a copy with no progress for SETUP_TIMEOUT_SECONDS is not alive, and says so", () => {
        const r = probe(3600, 400);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /no progress for 40\d s \(copying or starting for 360\d s\)/);
    });
    it("without a beat yet, the container's start counts", () => {
        assert.equal(probe(10, undefined).status, 0);
        assert.notEqual(probe(400, undefined).status, 0);
    });
});

describe("a MySQL CLONE copy never fills the volume (bootstrap-clone.sh clone_space_guard)", () => {
    // clone_file_estimate is replaced by a figure here (no server): these check the guard's use of
    // CLONE's estimate and of the volume's real free space (df on a temporary directory)
    const guard = (estimate: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clone-guard-"));
        return runScriptFunctions(`source ${JSON.stringify(path.join(scriptsDir, "bootstrap-clone.sh"))}
            clone_file_estimate() { ${estimate}; }
            sleep 30 & SETUP_SERVER_PID=$!
            status=0; clone_space_guard ${JSON.stringify(dir)} || status=$?
            if kill -0 "$SETUP_SERVER_PID" 2>/dev/null; then echo "server running, guard $status"; kill "$SETUP_SERVER_PID"; else echo "server stopped, guard $status"; fi`,
        { CLONE_GUARD_INTERVAL_SECONDS: "0.05", DATA_ROOT: dir });
    };
    it("a copy larger than the free space is stopped as soon as CLONE knows its size, with the figures", () => {
        const r = guard("echo 999999999999999999");
        assert.equal(r.stdout.trim(), "server stopped, guard 1", r.stderr);
        assert.match(r.stderr, /REFUSED: the copy needs about \d+ MB, the volume has \d+ MB free: free set-aside copies or grow the volume/);
    });
    it("a copy that fits goes on", () => {
        const r = guard("echo 1000");
        assert.equal(r.stdout.trim(), "server running, guard 0", r.stderr);
        assert.doesNotMatch(r.stderr, /REFUSED/);
    });
    it("until the estimate is known (empty, or no answer yet), the guard waits and stops nothing", () => {
        const r = runScriptFunctions(`source ${JSON.stringify(path.join(scriptsDir, "bootstrap-clone.sh"))}
            f=$(mktemp); clone_file_estimate() { echo x >>"$f"; if (($(wc -l <"$f") < 4)); then echo ''; else echo 5; fi; }
            clone_space_guard /tmp && echo "checked after $(wc -l <"$f")"`, { CLONE_GUARD_INTERVAL_SECONDS: "0.01" });
        assert.equal(r.stdout.trim(), "checked after 4", r.stderr);
    });
});

describe("copy progress (lib.sh progress_monitor): rule 9, a copy is seen advancing", () => {
    it("a stalled copy does not beat: liveness then restarts it after SETUP_TIMEOUT_SECONDS without progress", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "copy-"));
        const r = runScriptFunctions(`total() { echo 4000000; }
            progress_monitor ${JSON.stringify(dir)} total & m=$!
            sleep 2.5; stop_progress_monitor "$m"`, { PROGRESS_INTERVAL_SECONDS: "1", RUN_DIR: dir });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(!fs.existsSync(path.join(dir, "copy-heartbeat")), "a copy with no bytes arriving beat");
    });

    const line = /copied (\d+) MB, (\d+)% of (\d+) MB, (\d+) MB\/s/;

    it("a copy shorter than the interval still logs its size, percent, rate and time when stopped", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "copy-"));
        fs.writeFileSync(path.join(dir, "f"), Buffer.alloc(3_000_000));
        const r = runScriptFunctions(`total() { echo 6000000; }
            progress_monitor ${JSON.stringify(dir)} total & m=$!
            sleep 0.3
            stop_progress_monitor "$m"`, { PROGRESS_INTERVAL_SECONDS: "2" });
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stderr.trim().split("\n").filter((l) => l.includes("progress") || l.includes("copied"));
        assert.equal(lines.length, 1, r.stderr);
        const m = lines[0].match(line);
        assert.ok(m, lines[0]);
        assert.deepEqual([m![1], m![2], m![3]], ["3", "50", "6"]);
        // 3 MB in about 0.3 s: about 10 MB/s, whatever the machine (the rate is over the whole copy)
        assert.ok(Number(m![4]) >= 3 && Number(m![4]) <= 12, lines[0]);
        assert.match(lines[0], /\(the whole copy, 0\.[2-9] s\)$/);
        assert.equal(r.stdout, "", "progress lines went to stdout (the copy's stream)");
    });

    it("a longer copy logs a line every interval, then the last one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "copy-"));
        const r = runScriptFunctions(`total() { echo 4000000; }
            progress_monitor ${JSON.stringify(dir)} total & m=$!
            sleep 1.5; head -c 2000000 /dev/zero > ${JSON.stringify(path.join(dir, "f"))}; sleep 1
            stop_progress_monitor "$m"`, { PROGRESS_INTERVAL_SECONDS: "1", RUN_DIR: dir });
        assert.equal(r.status, 0, r.stderr);
        const lines = r.stderr.trim().split("\n").filter((l) => l.includes("progress") || l.includes("copied"));
        assert.ok(lines.length >= 3, r.stderr);
        // bytes arrived: the copy beat, so liveness (probe-alive.sh) lets it go on
        assert.ok(fs.existsSync(path.join(dir, "copy-heartbeat")), "a moving copy did not beat");
        assert.match(lines[0], /copied 0 MB, 0% of 4 MB, 0 MB\/s$/);
        assert.match(lines[lines.length - 1], /copied 2 MB, 50% of 4 MB, \d+ MB\/s \(the whole copy, 2\.\d s\)$/);
    });
});

describe("the backup sidecar's handler (send-backup.sh)", () => {
    const handler = (input: string) => {
        const creds = fs.mkdtempSync(path.join(os.tmpdir(), "creds-"));
        fs.writeFileSync(path.join(creds, "backup-password"), "s3cret");
        const run = fs.mkdtempSync(path.join(os.tmpdir(), "run-"));
        return spawnSync("bash", [path.join(scriptsDir, "send-backup.sh")], {
            input, encoding: "utf8",
            // reaching the backup would run BACKUP_TOOL: a marker that says so
            env: { PATH: scriptPath, CREDENTIALS_DIR: creds, RUN_DIR: run, BACKUP_TOOL: "/nonexistent/backup-tool", DATADIR: run, BACKUP_USER: "b", SOCKET: "/x" },
        });
    };

    it("answers PING with READY and starts no backup: how a receiver tells a donor that can serve from one whose listener is not up", () => {
        const r = handler("PING\n");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "READY\n");
        assert.doesNotMatch(r.stderr, /streaming a backup/);
    });

    it("answers PING with BUSY while it streams a backup to another pod (one at a time)", () => {
        const run = fs.mkdtempSync(path.join(os.tmpdir(), "run-"));
        const creds = fs.mkdtempSync(path.join(os.tmpdir(), "creds-"));
        fs.writeFileSync(path.join(creds, "backup-password"), "s3cret");
        // another handler holds the lock, as one streaming a backup does
        const r = spawnSync("bash", ["-c", `flock "$RUN_DIR/backup.lock" sleep 2 & sleep 0.3; bash ${JSON.stringify(path.join(scriptsDir, "send-backup.sh"))}; s=$?; wait; exit $s`], {
            input: "PING\n", encoding: "utf8", env: { PATH: scriptPath, CREDENTIALS_DIR: creds, RUN_DIR: run },
        });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "BUSY\n");
    });

    it("answers UPGRADED with its upgrade info files, byte for byte, and starts no backup", () => {
        const creds = fs.mkdtempSync(path.join(os.tmpdir(), "creds-"));
        fs.writeFileSync(path.join(creds, "backup-password"), "s3cret");
        const data = fs.mkdtempSync(path.join(os.tmpdir(), "data-"));
        const ask = () => spawnSync("bash", [path.join(scriptsDir, "send-backup.sh")], {
            input: "UPGRADED\n", encoding: "utf8",
            env: { PATH: scriptPath, CREDENTIALS_DIR: creds, RUN_DIR: data, BACKUP_TOOL: "/nonexistent/backup-tool", DATADIR: data },
        });
        assert.equal(ask().stdout, "END\n", "a datadir without upgrade info says so");
        fs.writeFileSync(path.join(data, "mysql_upgrade_info"), "10.11.19-MariaDB");
        fs.writeFileSync(path.join(data, "mariadb_upgrade_info"), "11.8.9-MariaDB\0");
        const r = ask();
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, `UPGRADED mysql_upgrade_info ${Buffer.from("10.11.19-MariaDB").toString("base64")}\n` +
            `UPGRADED mariadb_upgrade_info ${Buffer.from("11.8.9-MariaDB\0").toString("base64")}\nEND\n`);
        assert.doesNotMatch(r.stderr, /streaming a backup/);
    });

    it("reads COPY_THREADS files at once when the flavor sets it, and passes no --parallel flag otherwise (xbstream before 2.4.7)", () => {
        const argvOf = (copyThreads: string | undefined) => {
            const creds = fs.mkdtempSync(path.join(os.tmpdir(), "creds-"));
            fs.writeFileSync(path.join(creds, "backup-password"), "s3cret");
            const run = fs.mkdtempSync(path.join(os.tmpdir(), "run-"));
            // the backup tool's place: prints the arguments it was given, one per line
            const tool = path.join(run, "backup-tool");
            fs.writeFileSync(tool, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n", { mode: 0o755 });
            const r = spawnSync("bash", [path.join(scriptsDir, "send-backup.sh")], {
                input: "s3cret\n", encoding: "utf8",
                env: { PATH: scriptPath, CREDENTIALS_DIR: creds, RUN_DIR: run, BACKUP_TOOL: tool, DATADIR: run, BACKUP_USER: "b",
                    SOCKET: "/x", TMPDIR: run, ...(copyThreads === undefined ? {} : { COPY_THREADS: copyThreads }) },
            });
            assert.equal(r.status, 0, r.stderr);
            return r.stdout.split("\n").slice(1).filter(Boolean);
        };
        assert.ok(argvOf("2").includes("--parallel=2"), argvOf("2").join(" "));
        assert.ok(!argvOf(undefined).some((a) => a.startsWith("--parallel")), argvOf(undefined).join(" "));
    });

    it("still refuses a wrong secret before sending a byte", () => {
        const r = handler("not-the-secret\n");
        assert.notEqual(r.status, 0);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /wrong credentials; closing/);
    });
});

describe("the copy's upgrade info (bootstrap-stream.sh restore_upgrade_info)", () => {
    const restore = (answer: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "copy-"));
        const r = runScriptFunctions(`source ${JSON.stringify(path.join(scriptsDir, "bootstrap-stream.sh"))}
            restore_upgrade_info ${JSON.stringify(dir)} "$ANSWER"`, { ANSWER: answer });
        return { r, files: Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "latin1")])) };
    };
    const b64 = (text: string) => Buffer.from(text, "latin1").toString("base64");

    it("writes the donor's files into the copy byte for byte", () => {
        const { r, files } = restore(`UPGRADED mysql_upgrade_info ${b64("10.11.19-MariaDB")}\nUPGRADED mariadb_upgrade_info ${b64("11.8.9-MariaDB\0")}\nEND`);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(files, { mysql_upgrade_info: "10.11.19-MariaDB", mariadb_upgrade_info: "11.8.9-MariaDB\0" });
        assert.match(r.stderr, /the copy's system tables are upgraded for 10\.11\.19-MariaDB \(mysql_upgrade_info, from the donor\)/);
    });

    for (const [what, answer] of [
        ["an older donor's silence", ""],
        ["a donor without upgrade info", "END"],
        ["a cut answer (no END)", `UPGRADED mysql_upgrade_info ${b64("10.11.19-MariaDB")}`],
        ["another file name", `UPGRADED ../../etc/passwd ${b64("10.11.19-MariaDB")}\nEND`],
        ["content that is no version", `UPGRADED mysql_upgrade_info ${b64("hello")}\nEND`],
        ["one good line beside a bad one", `UPGRADED mysql_upgrade_info ${b64("10.11.19-MariaDB")}\nUPGRADED mariadb_upgrade_info ${b64("x")}\nEND`],
    ]) {
        it(`writes nothing on ${what}: the upgrade step then runs in full`, () => {
            const { r, files } = restore(answer);
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(files, {});
            assert.match(r.stderr, /the upgrade step will run in full/);
        });
    }
});

describe("peer connections without tls (members.sh peer_tls_options)", () => {
    it("MariaDB peers are queried in plaintext: an 11.x client would otherwise demand a certificate a 10.11 peer lacks", () => {
        const r = runScriptFunctions("peer_tls_options", { ENGINE: "mariadb" });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, "--skip-ssl\n");
    });

    it("with tls, MariaDB peers are verified against the CA, MySQL peers by identity", () => {
        assert.equal(runScriptFunctions("peer_tls_options", { ENGINE: "mariadb", TLS_CA: "/tls/ca.crt" }).stdout,
            "--ssl\n--ssl-ca=/tls/ca.crt\n--ssl-verify-server-cert\n");
        assert.equal(runScriptFunctions("peer_tls_options", { ENGINE: "mysql", TLS_CA: "/tls/ca.crt" }).stdout,
            "--ssl-mode=VERIFY_IDENTITY\n--ssl-ca=/tls/ca.crt\n");
    });
});

