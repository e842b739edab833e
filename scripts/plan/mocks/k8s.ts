import { MockTable, stableHex, stackConfig } from "./fake";
import { cidrRange } from "../../../components/cidr";

/** A deterministic external address in 203.0.113.0/24 (TEST-NET-3, RFC 5737), derived from a name. */
function testNetAddress(name: string): string {
    return `203.0.113.${(parseInt(stableHex(2, name), 16) % 254) + 1}`;
}

/**
 * A deterministic address of the nodes' subnet: GKE gives an internal passthrough Network Load Balancer's
 * forwarding rule an address of the cluster subnet's primary range (GKE, "Create an internal load balancer").
 */
function subnetAddress(name: string): string {
    const [first] = cidrRange(stackConfig("armfarm:clusterSubnetCidr", "10.60.0.0/20"));
    const addr = first + 16 + (parseInt(stableHex(2, name), 16) % 200);
    return [24, 16, 8, 0].map((shift) => (addr >>> shift) & 255).join(".");
}

/** GKE's annotation for an internal load balancer (GKE, "LoadBalancer Service parameters"). */
const INTERNAL = "networking.gke.io/load-balancer-type";

/**
 * The Service a gateway release renders, as the API server then answers it: the gateway chart's `service.type`
 * (LoadBalancer by default) and `service.annotations` (istio/istio@1.30.3:manifests/charts/gateway/templates/
 * service.yaml); a LoadBalancer gets an address once GKE's load balancer exists, external or, with GKE's
 * internal annotation, of the nodes' subnet.
 */
function renderedService(name: string, values: Record<string, any>) {
    const type = values.service?.type ?? "LoadBalancer";
    const annotations: Record<string, string> = values.service?.annotations ?? {};
    const clusterIP = `10.96.${parseInt(stableHex(2, name, "c"), 16)}.${(parseInt(stableHex(2, name, "d"), 16) % 254) + 1}`;
    const ip = annotations[INTERNAL] === "Internal" ? subnetAddress(name) : testNetAddress(name);
    return {
        metadata: { annotations },
        spec: { type, clusterIP },
        status: { loadBalancer: type === "LoadBalancer" ? { ingress: [{ ip }] } : {} },
    };
}

/**
 * Kubernetes: what Helm and the API server answer. A Release reports itself deployed at revision 1 with its
 * chart and version; a Service read back is the one a release rendered (a read of one that no release made fails
 * as the API server's NotFound); a webhook configuration comes back with the API server's defaults. Made afresh
 * for each plan: the Services a plan reads are the releases it installed.
 */
export function k8sMocks(): MockTable {
    const released = new Map<string, Record<string, any>>();
    return {
        resources: {
            "kubernetes:helm.sh/v3:Release": (name, inputs) => {
                const id = `${inputs.namespace ?? "default"}/${inputs.name ?? name}`;
                released.set(id, inputs.values ?? {});
                return {
                    id,
                    status: {
                        name: inputs.name ?? name,
                        namespace: inputs.namespace ?? "default",
                        chart: inputs.chart,
                        version: inputs.version,
                        appVersion: inputs.version,
                        revision: 1,
                        status: "deployed",
                    },
                };
            },
            // Read with Service.get; the program takes its namespace and name from the gateway release's status.
            "kubernetes:core/v1:Service": (name, _inputs, id) => {
                const values = id === undefined ? undefined : released.get(id);
                if (!values) throw new Error(`services "${id?.split("/").pop() ?? name}" not found`);
                return renderedService(name, values);
            },
            "kubernetes:security.istio.io/v1:PeerAuthentication": () => ({}),
            // A cluster-scoped object is identified by its name. The API server fills in what a webhook leaves out
            // (Kubernetes API reference, admissionregistration.k8s.io/v1 MutatingWebhook: matchPolicy Equivalent,
            // timeoutSeconds 10; RuleWithOperations.scope "*"); the CA bundle comes later, from istiod.
            "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration": (name, inputs) => ({
                id: inputs.metadata?.name ?? name,
                metadata: { ...inputs.metadata, uid: `${stableHex(8, name)}-${stableHex(4, name, "u")}-${stableHex(4, name, "v")}-${stableHex(4, name, "w")}-${stableHex(12, name, "x")}` },
                webhooks: (inputs.webhooks ?? []).map((w: Record<string, any>) => ({
                    matchPolicy: "Equivalent", timeoutSeconds: 10, ...w,
                    rules: (w.rules ?? []).map((r: Record<string, any>) => ({ scope: "*", ...r })),
                })),
            }),
        },
        invokes: {},
    };
}
