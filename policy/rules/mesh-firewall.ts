/**
 * Istio on a private GKE cluster: the control plane must reach istiod's webhooks on the nodes. GKE's own rule
 * for private clusters opens only TCP 443 and 10250 from the control plane's range (GKE, "Automatically created
 * firewall rules"); istiod serves its webhooks on 15017, which istio.io's GKE platform setup says to open. Without
 * it, the injection webhook (failurePolicy Fail) times out and no injected pod can be created.
 */
import { ANYWHERE, cidrContains, isIpv4Cidr } from "./cidr";
import { GKE_CLUSTER, GKE_NODE_POOL } from "./gke";
import { istioChartOf } from "./istio";
import { MESH_WEBHOOK_PORT } from "./mesh-data";
import { ResourceRule, StackRule, Subject } from "./rule";
import { flag, list, record, show, text } from "./values";

export const FIREWALL = "gcp:compute/firewall:Firewall";

/** True when one of `ports` (`"15017"`, `"15000-15100"`; none means every port) includes `port`. */
function portsInclude(ports: unknown[], port: number): boolean {
    if (ports.length === 0) return true;
    return ports.some((p) => {
        const m = /^(\d+)(?:-(\d+))?$/.exec(String(p));
        return m !== null && Number(m[1]) <= port && port <= Number(m[2] ?? m[1]);
    });
}

/** The last segment of a network or cluster reference: its name, whether given as name, path or self link. */
const nameOf = (value: unknown) => text(value)?.split("/").pop();

/** Whether `firewall` lets `cluster`'s control plane reach `port` on the nodes of `pools`. Unknown values pass. */
function opensWebhooks(firewall: Record<string, any>, cluster: Record<string, any>, pools: Subject[]): boolean {
    if ((text(firewall.direction) ?? "INGRESS") !== "INGRESS" || flag(firewall.disabled) === true) return false;
    const [fwNet, clusterNet] = [nameOf(firewall.network), nameOf(cluster.network)];
    if (fwNet && clusterNet && fwNet !== clusterNet) return false;
    const allowsPort = list(firewall.allows).some((a) =>
        ["tcp", "all"].includes(String(a?.protocol).toLowerCase()) && portsInclude(list(a?.ports), MESH_WEBHOOK_PORT));
    if (!allowsPort) return false;
    const master = text(record(cluster.privateClusterConfig).masterIpv4CidrBlock);
    const sources = list(firewall.sourceRanges).map(text).filter((c): c is string => c !== undefined && isIpv4Cidr(c));
    if (master && isIpv4Cidr(master) && !sources.some((c) => cidrContains(c, master))) return false;
    const accounts = list(firewall.targetServiceAccounts).map(text).filter((a): a is string => a !== undefined);
    const tags = list(firewall.targetTags).map(text).filter((t): t is string => t !== undefined);
    return pools.every((pool) => {
        const nodeConfig = record(pool.props.nodeConfig);
        if (accounts.length > 0) {
            const account = text(nodeConfig.serviceAccount);
            return account === undefined || accounts.includes(account);
        }
        if (tags.length > 0) return list(nodeConfig.tags).some((t) => tags.includes(String(t)));
        return true;
    });
}

export const meshWebhookFirewall: StackRule = {
    kind: "stack",
    name: "gke-mesh-webhook-firewall",
    description: `A private GKE cluster that runs Istio has a firewall rule letting its control plane reach the nodes on tcp:${MESH_WEBHOOK_PORT} (istiod's webhooks).`,
    enforcementLevel: "mandatory",
    check(resources) {
        if (!resources.some((r) => istioChartOf(r) === "istiod")) return [];
        const firewalls = resources.filter((r) => r.type === FIREWALL);
        const pools = resources.filter((r) => r.type === GKE_NODE_POOL);
        return resources
            .filter((r) => r.type === GKE_CLUSTER && flag(record(r.props.privateClusterConfig).enablePrivateNodes) === true)
            .filter((cluster) => {
                // A pool names its cluster by name or as projects/P/locations/L/clusters/NAME (NodePoolArgs.cluster).
                const own = pools.filter((p) => !text(p.props.cluster) || !text(cluster.props.name) || nameOf(p.props.cluster) === text(cluster.props.name));
                return !firewalls.some((fw) => opensWebhooks(fw.props, cluster.props, own));
            })
            .map((cluster) => ({
                urn: cluster.urn,
                message: `the private GKE cluster ${show(cluster.props.name ?? cluster.name)} runs Istio, but no firewall rule lets its control plane ` +
                    `(${text(record(cluster.props.privateClusterConfig).masterIpv4CidrBlock) ?? "its /28"}) reach the nodes on tcp:${MESH_WEBHOOK_PORT}; ` +
                    "GKE's own rule opens only 443 and 10250, so istiod's webhooks time out and injected pods are refused. " +
                    `Add an INGRESS rule on the cluster's network for tcp:${MESH_WEBHOOK_PORT} from the control plane's range to the nodes`,
            }));
    },
};


export const firewallNoIngressFromAnywhere: ResourceRule = {
    kind: "resource",
    name: "gcp-firewall-no-ingress-from-anywhere",
    description: "No enabled INGRESS firewall rule admits 0.0.0.0/0 or ::/0 (the GCP side of ec2-no-ingress-from-anywhere): the webhook rule admits the control plane's range only.",
    enforcementLevel: "mandatory",
    types: [FIREWALL],
    check(props) {
        // A rule of denies only admits nobody.
        if ((text(props.direction) ?? "INGRESS") !== "INGRESS" || flag(props.disabled) === true || list(props.allows).length === 0) return [];
        return list(props.sourceRanges).filter((c) => ANYWHERE.includes(String(c))).map((c) =>
            `sourceRanges holds ${c}: every address on the internet may reach the targets; name the ranges that need them (for istiod's webhooks, the control plane's /28)`);
    },
};
