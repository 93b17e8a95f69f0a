/**
 * Keeps every running pod's /etc/hosts (bind-mounted into its containers, written in place)
 * in step with the Services and pods of the cluster; see hosts.ts for what goes in it.
 */
import * as fs from "fs";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IService } from "kubernetes-models/v1/Service";
import { chooseEndpoint, hostsFile, serviceEndpoints } from "./hosts";
import { Informer } from "./informer";
import { LocalRuntime } from "./runtime";

export class HostsWriter {
    private readonly choices = new Map<string, string>();
    private pending?: NodeJS.Timeout;

    constructor(private readonly services: Informer<IService>, private readonly pods: Informer<IPod>,
        private readonly runtime: LocalRuntime, private readonly log: (m: string) => void) {}

    start(): void {
        const soon = () => {
            if (!this.pending) {
                this.pending = setTimeout(() => {
                    this.pending = undefined;
                    this.writeAll();
                }, 100);
            }
        };
        this.services.on(soon);
        this.pods.on(soon);
        setInterval(soon, 2000); // pods this agent just started have no informer event yet
        soon();
    }

    private writeAll(): void {
        const services = this.services.list();
        const pods = this.pods.list();
        for (const service of services) {
            const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
            const choice = chooseEndpoint(serviceEndpoints(service, pods), this.choices.get(key));
            if (choice === undefined) {
                this.choices.delete(key);
            } else {
                this.choices.set(key, choice);
            }
        }
        for (const { uid, pod, ip } of this.runtime.running()) {
            const file = this.runtime.hostsFile(uid);
            if (!file) {
                continue;
            }
            const text = hostsFile({
                name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "", ip,
                hostname: pod.spec?.hostname, subdomain: pod.spec?.subdomain,
            }, services, pods, this.choices);
            try {
                if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
                    fs.writeFileSync(file, text); // in place: the same inode stays bind-mounted
                }
            } catch (error) {
                this.log(`hosts file of ${pod.metadata?.name}: ${error}`);
            }
        }
    }
}
