import { MockTable, stableHex } from "./fake";

/** A deterministic external address in 203.0.113.0/24 (TEST-NET-3, RFC 5737), derived from a name. */
function testNetAddress(name: string): string {
    return `203.0.113.${(parseInt(stableHex(2, name), 16) % 254) + 1}`;
}

/**
 * Kubernetes: what Helm and the API server answer. A Release reports itself deployed at revision 1 with its
 * chart and version; a read Service of type LoadBalancer has an external address.
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
    },
    invokes: {},
};
