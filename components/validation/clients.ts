/** `allowedClients`: who may reach the client port (the NetworkPolicy's selectors). */
import { ClientSelector, ResolvedArgs } from "../args";
import { labelMap } from "./names";
import { Problems } from "./problems";

export function resolveAllowedClients(args: ResolvedArgs, problems: Problems): ClientSelector[] | undefined {
    return args.allowedClients?.map((client, i) => {
        const field = `allowedClients[${i}]`;
        if (client.namespaceLabels === undefined && client.podLabels === undefined) {
            problems.push(`${field} must set namespaceLabels, podLabels or both`);
        }
        return {
            ...(client.namespaceLabels ? { namespaceLabels: Object.fromEntries(labelMap(`${field}.namespaceLabels`, client.namespaceLabels, problems)) } : {}),
            ...(client.podLabels ? { podLabels: Object.fromEntries(labelMap(`${field}.podLabels`, client.podLabels, problems)) } : {}),
        };
    });
}
