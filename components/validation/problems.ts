/** How every validator reports: it appends a message naming the field and the fix, and goes on. */
export type Problems = string[];

/** Records `message` unless `ok`. */
export function checker(problems: Problems): (ok: boolean, message: string) => void {
    return (ok, message) => {
        if (!ok) problems.push(message);
    };
}
