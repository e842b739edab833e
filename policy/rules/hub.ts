/**
 * The rule armfarm exists for: on a cluster with both amd64 and arm64 nodes, the mesh's hub must hold both
 * platforms under its tag. A hub counts as verified when armfarm's own image build in this stack published
 * and verified it (an `armfarm:aws:IstioImageBuild` whose `hub` equals it), or when the pack's config lists it
 * in `verifiedHubs` (a hub verified elsewhere, such as another stack's build).
 *
 * The cluster's architectures come from the stack's GKE pools, and from the Istio releases themselves: a release
 * whose pods are required to run on nodes of both architectures says that the cluster has both, which is how a
 * mesh on a cluster outside the stack shows it (armfarm's mesh writes that affinity from its node architectures).
 */
import { GKE_CLUSTER, GKE_NODE_POOL, isArm64MachineType, nodeConfigsOf } from "./gke";
import { imageSources, istioChartOf } from "./istio";
import { StackRule, Subject } from "./rule";
import { flag, list, record, show, text } from "./values";

export const IMAGE_BUILD = "armfarm:aws:IstioImageBuild";

/** GKE's machine type when a node config names none. Source: GKE API, NodeConfig.machineType. */
const GKE_DEFAULT_MACHINE_TYPE = "e2-medium";

/** The architectures the stack's GKE nodes run: one entry per pool (and default pool) that creates nodes. */
export function nodeArchitectures(resources: readonly Subject[]): Set<"amd64" | "arm64"> {
    const archs = new Set<"amd64" | "arm64">();
    for (const r of resources) {
        if (r.type !== GKE_NODE_POOL && r.type !== GKE_CLUSTER) continue;
        // Auto-provisioned pools take their machine types from the workloads: they count for neither.
        for (const [where, nodeConfig] of nodeConfigsOf(r.props, r.type)) {
            if (where.startsWith("clusterAutoscaling")) continue;
            const machineType = text(nodeConfig.machineType) ?? GKE_DEFAULT_MACHINE_TYPE;
            archs.add(isArm64MachineType(machineType) ? "arm64" : "amd64");
        }
    }
    return archs;
}

/** The node label that carries a node's architecture. Source: Kubernetes, "Well-Known Labels, Annotations and Taints". */
const ARCH_LABEL = "kubernetes.io/arch";

/**
 * The architectures a Helm release's values require its pods to run on: the `In` values of a required node
 * affinity on `kubernetes.io/arch` (Kubernetes, "Assigning Pods to Nodes", `requiredDuringSchedulingIgnoredDuringExecution`,
 * `nodeSelectorTerms` are ORed).
 */
export function declaredArchitectures(values: unknown): Set<"amd64" | "arm64"> {
    const archs = new Set<"amd64" | "arm64">();
    const required = record(record(record(record(values).affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
    for (const term of list(required.nodeSelectorTerms)) {
        for (const e of list(record(term).matchExpressions)) {
            if (e?.key !== ARCH_LABEL || e?.operator !== "In") continue;
            for (const v of list(e.values)) if (v === "amd64" || v === "arm64") archs.add(v);
        }
    }
    return archs;
}

const normalize = (hub: string) => hub.replace(/\/+$/, "");

export const verifiedHub: StackRule = {
    kind: "stack",
    name: "istio-hub-verified-multi-arch",
    description: "On clusters with amd64 and arm64 nodes (the stack's GKE pools, or the architectures its Istio releases require), every Istio chart's hub is one armfarm verified as multi-arch (built in this stack, or listed in verifiedHubs).",
    enforcementLevel: "mandatory",
    readsConfig: true,
    check(resources, config) {
        const archs = nodeArchitectures(resources);
        for (const r of resources) {
            if (istioChartOf(r)) for (const a of declaredArchitectures(r.props.values)) archs.add(a);
        }
        if (!(archs.has("amd64") && archs.has("arm64"))) return [];
        const built = resources.filter((r) => r.type === IMAGE_BUILD).map((r) => text(r.props.hub)).filter((h): h is string => h !== undefined);
        const verified = new Set([...built, ...config.verifiedHubs].map(normalize));
        return resources.flatMap((r) => {
            const chart = istioChartOf(r);
            if (!chart) return [];
            // No hub: the hub-override rule reports it. Unknown (computed by the cloud): nothing to judge yet.
            const unverified = imageSources(chart, r.props).filter((s): s is { what: string; hub: string } =>
                typeof s.hub === "string" && !verified.has(s.hub));
            const hubs = [...new Set(unverified.map((s) => s.hub))];
            return hubs.map((hub) => ({
                urn: r.urn,
                message: `the ${chart} chart pulls ${unverified.filter((s) => s.hub === hub).map((s) => s.what).join(" and ")} from ${show(hub)}, ` +
                    "which armfarm has not verified as multi-arch, onto a cluster with amd64 and arm64 nodes; " +
                    `use the hub of this stack's image build${built.length ? ` (${built.map((h) => show(h)).join(", ")})` : ""}, or list a hub you verified in the pack's verifiedHubs config`,
            }));
        });
    },
};
