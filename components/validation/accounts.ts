/** Passwords, the existing Secret, and the application database and account. */
import { ResolvedArgs } from "../args";
import { Flavor } from "../flavors";
import { dns1123Subdomain } from "./names";
import { checker, Problems } from "./problems";

/** Accounts and schemas the component or the server owns. */
const reservedUsers = ["root", "repl", "clone", "backup", "mariadb.sys", "mysql.sys", "mysql.session", "mysql.infoschema", "pulumi"];
const systemDatabases = ["mysql", "sys", "information_schema", "performance_schema"];

export function checkCredentials(args: ResolvedArgs, flavor: Flavor | undefined, problems: Problems): void {
    const check = checker(problems);
    // MySQL refuses a replication password longer than 32 characters (CHANGE REPLICATION SOURCE,
    // error 3056); a known value is checked here, one from an Output or a Secret by the pods
    if (flavor?.engine === "mysql" && typeof args.replicationPassword === "string") {
        check(args.replicationPassword.length <= 32,
            `replicationPassword has ${args.replicationPassword.length} characters; MySQL replication accepts at most 32: use a shorter one`);
    }

    if (args.existingSecretName !== undefined) {
        check(typeof args.existingSecretName === "string" && dns1123Subdomain.test(args.existingSecretName),
            `existingSecretName must be the name of a Secret (DNS-1123 subdomain), got ${JSON.stringify(args.existingSecretName)}`);
        const explicit = (["rootPassword", "replicationPassword", "backupPassword"] as const)
            .filter((field) => args[field] !== undefined);
        check(explicit.length === 0,
            `existingSecretName conflicts with ${explicit.join(", ")}: put the passwords in the existing Secret, or drop existingSecretName`);
    }
}

/** Application database and account created on first start, if any. */
export type Application = { readonly database: string; readonly user?: string } | undefined;

export function resolveApplication(args: ResolvedArgs, problems: Problems): Application {
    const { database, user } = args;
    if (database !== undefined && !(typeof database === "string" && /^[A-Za-z0-9_]{1,64}$/.test(database) &&
        !systemDatabases.includes(database.toLowerCase()))) {
        problems.push(`database must be 1-64 letters, digits or '_' and not a system schema, got ${JSON.stringify(database)}`);
    }
    if (user !== undefined) {
        if (!(typeof user === "string" && /^[A-Za-z0-9_.-]{1,32}$/.test(user) && !reservedUsers.includes(user.toLowerCase()))) {
            problems.push(`user must be 1-32 letters, digits, '_', '.' or '-' and not an account the component uses (${reservedUsers.join(", ")}), got ${JSON.stringify(user)}`);
        }
        if (database === undefined) {
            problems.push("user needs database: the account gets ALL on that database; set database");
        }
    }
    if (args.userPassword !== undefined && user === undefined) {
        problems.push("userPassword is set but user is not; set user or drop userPassword");
    }
    if (args.userPassword !== undefined && args.existingSecretName !== undefined) {
        problems.push("existingSecretName conflicts with userPassword: put user-password in the existing Secret, or drop existingSecretName");
    }
    return database === undefined ? undefined : { database, ...(user !== undefined ? { user } : {}) };
}
