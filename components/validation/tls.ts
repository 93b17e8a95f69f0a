/** `tls`: the Secret with the certificate, and whether plaintext clients are refused. */
import { ResolvedArgs } from "../args";
import { dns1123Subdomain } from "./names";
import { Problems } from "./problems";

export type TlsConfig = { readonly secretName: string; readonly requireSecureTransport: boolean } | undefined;

export function resolveTls(args: ResolvedArgs, problems: Problems): TlsConfig {
    if (args.tls === undefined) {
        return undefined;
    }
    const { secretName, requireSecureTransport = false } = args.tls;
    for (const key of Object.keys(args.tls)) {
        if (key !== "secretName" && key !== "requireSecureTransport") {
            problems.push(`tls.${key} is not a field; use tls.secretName and tls.requireSecureTransport`);
        }
    }
    if (!(typeof secretName === "string" && dns1123Subdomain.test(secretName))) {
        problems.push(`tls.secretName must name a Secret holding tls.crt, tls.key and ca.crt (e.g. cert-manager's), got ${JSON.stringify(secretName)}`);
    }
    if (typeof requireSecureTransport !== "boolean") {
        problems.push(`tls.requireSecureTransport must be true or false, got ${JSON.stringify(requireSecureTransport)}`);
    }
    return { secretName, requireSecureTransport };
}
