import { MockTable, stableHex } from "./fake";

/** A deterministic external address in 203.0.113.0/24 (TEST-NET-3, RFC 5737), derived from a name. */
function testNetAddress(name: string): string {
    return `203.0.113.${(parseInt(stableHex(2, name), 16) % 254) + 1}`;
}

/**
 * Kubernetes: what Helm and the API server answer. A Release reports itself deployed at revision 1 with its
 * chart and version; a read Service of type LoadBalancer has an external address; a webhook configuration comes
 * back with the API server's defaults.
 */
export const k8sMocks: MockTable = {
    resources: {
        "kubernetes:helm.sh/v3:Release": (name, inputs) => ({
            id: `${inputs.namespace ?? "default"}/${inputs.name ?? name}`,
            status: {
                name: inputs.name ?? name,
                namespace: inputs.namespace ?? "default",
                chart: inputs.chart,
                version: inputs.version,
                appVersion: inputs.version,
                revision: 1,
                status: "deployed",
            },
        }),
        // Read with Service.get; the program takes its namespace and name from the gateway release's status.
        "kubernetes:core/v1:Service": (name) => ({
            spec: { type: "LoadBalancer", clusterIP: `10.96.${parseInt(stableHex(2, name, "c"), 16)}.${(parseInt(stableHex(2, name, "d"), 16) % 254) + 1}` },
            status: { loadBalancer: { ingress: [{ ip: testNetAddress(name) }] } },
        }),
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
