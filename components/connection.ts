/**
 * Connection strings of the endpoints: `mysql://` URLs, the form MySQL Shell, mysql2, SQLAlchemy
 * (`mysql+<driver>://`), Prisma and most URL-taking clients read, for MySQL and MariaDB alike.
 * Pure: the component feeds it the resolved host, port, account and password.
 */

export interface ConnectionParts {
    readonly host: string;
    readonly port: number;
    /** The application account; without one the URL names no user. */
    readonly user?: string;
    /** Embedded only with `user`; such a URL is a secret. */
    readonly password?: string;
    readonly database?: string;
}

/** `mysql://[user[:password]@]host:port[/database]`, user and password percent-encoded. */
export function connectionUrl(parts: ConnectionParts): string {
    const credentials = parts.user === undefined ? ""
        : `${encodeURIComponent(parts.user)}${parts.password === undefined ? "" : `:${encodeURIComponent(parts.password)}`}@`;
    const database = parts.database === undefined ? "" : `/${encodeURIComponent(parts.database)}`;
    return `mysql://${credentials}${parts.host}:${parts.port}${database}`;
}
