import { KubeArch } from "../components/arch";
import { GCP_REGION, GCP_ZONE, regionOf, RELEASE_CHANNELS } from "../components/gcp/gke-data";
import { boundsProblem, locationProblem, machineTypeProblem, MAX_POOL_NODES } from "../components/gcp/pool-rules";
import { IAM_ROLE_ARN, IAM_ROLE_ARN_ACCEPTED } from "../components/gcp/federation";
import { NodePoolSpec } from "../components/gcp/node-pools";
import { labelsProblem } from "../components/gcp/labels";
import { ExistingClusterRef } from "../components/gcp/existing-cluster";
import { ConfigReader, show } from "./reader";
import { readClusterAttachment } from "./existing-cluster";
import { cidrsOverlap, isIpv4Cidr, IPV4_CIDR_ACCEPTED } from "./formats";

/** The GKE cluster's settings (keys `armfarm:cluster*`, plus `gcp:project` and `gcp:region`). */
export interface ClusterConfig {
    /** GCP project id (`gcp:project`, or the existing cluster's). */
    project: string;
    /** GCP region (`gcp:region`, or the existing cluster's). */
    region: string;
    /** A cluster made elsewhere to add the pools to (`armfarm:clusterExisting`); undefined: armfarm creates one. */
    existing?: ExistingClusterRef;
    /** With `existing`, add the amd64 pool too (`armfarm:clusterExistingAmd64Pool`). */
    existingAmd64Pool: boolean;
    /** A zone or the region; empty config means the region (a regional cluster). */
    location: string;
    /** GKE cluster name; empty means armfarm-<stack>. */
    name?: string;
    releaseChannel: string;
    pools: Record<KubeArch, NodePoolSpec>;
    diskSizeGb: number;
    subnetCidr: string;
    podCidr: string;
    serviceCidr: string;
    masterCidr: string;
    masterAuthorizedNetworks: string[];
    /** The hub's repository id; undefined means `<namePrefix>-istio`. */
    registryName?: string;
    /** GCP labels for every resource that takes them (`armfarm:labels`). */
    labels: Record<string, string>;
    /** An AWS role allowed to push to the hub when the farm is not in this stack. */
    pushRoleArn?: string;
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Reads and checks the cluster keys. Unless the `cluster` part is on, the GCP provider keys are not required. */
export function readClusterConfig(r: ConfigReader, enabled: boolean): ClusterConfig {
    const gcp = r.namespaceReader("gcp");
    const { existing, amd64Pool: existingAmd64Pool } = readClusterAttachment(r, gcp, enabled);
    // An existing cluster names its project and location; a cluster armfarm creates takes them from the provider's keys.
    const project = existing?.project ?? (enabled
        ? gcp.string("project", { pattern: PROJECT_ID, accepted: "a GCP project id such as armfarm-dev (6-30 lowercase letters, digits, hyphens)" })
        : "");
    const region = existing ? regionOf(existing.location) : enabled ? gcp.string("region", { pattern: GCP_REGION, accepted: "a GCP region such as us-central1" }) : "";

    const configured = r.string("clusterLocation", { default: "" });
    const location = existing?.location ?? (configured || region);
    if (!existing && enabled && region && GCP_REGION.test(region) && location !== region) {
        if (!GCP_ZONE.test(location) || regionOf(location) !== region) {
            r.fail("clusterLocation", `${r.shown("clusterLocation", location)} is not accepted; use gcp:region ${show(region)} (a regional cluster) or one of its zones, such as ${region}-a`);
        }
    }
    const pools = { amd64: readPool(r, "amd64", "e2-standard-4"), arm64: readPool(r, "arm64", "t2a-standard-4") };
    if (enabled && location && !r.problems.some((p) => p.key === r.full("clusterLocation") || p.key === "gcp:region")) {
        const where = locationProblem(pools.arm64.machineType, location);
        if (where && !machineTypeProblem("arm64", pools.arm64.machineType) && existing) {
            r.fail("clusterExisting", `${where}, so the cluster's location cannot host armfarm:clusterArm64MachineType ${show(pools.arm64.machineType)}; ` +
                "change clusterArm64MachineType to a series that location offers, or name a cluster where it runs");
        } else if (where && !machineTypeProblem("arm64", pools.arm64.machineType)) {
            const fix = `${where}; pick a location that offers armfarm:clusterArm64MachineType ${show(pools.arm64.machineType)}`;
            // An unset clusterLocation means the region: then the region is what to change.
            if (r.isSet("clusterLocation") && r.string("clusterLocation", { default: "" })) r.fail("clusterLocation", fix);
            else gcp.fail("region", fix);
        }
    }

    const cidrs = {
        clusterSubnetCidr: r.string("clusterSubnetCidr", { default: "10.60.0.0/20" }),
        clusterPodCidr: r.string("clusterPodCidr", { default: "10.64.0.0/14" }),
        clusterServiceCidr: r.string("clusterServiceCidr", { default: "10.68.0.0/20" }),
        clusterMasterCidr: r.string("clusterMasterCidr", { default: "172.16.0.32/28" }),
    };
    checkCidrs(r, cidrs);
    const masterAuthorizedNetworks = r.stringList("clusterMasterAuthorizedNetworks", { default: [] });
    for (const cidr of masterAuthorizedNetworks) {
        if (!isIpv4Cidr(cidr)) r.fail("clusterMasterAuthorizedNetworks", `${r.shown("clusterMasterAuthorizedNetworks", cidr)} is not accepted; expected ${IPV4_CIDR_ACCEPTED}`);
    }

    return {
        project,
        region,
        existing,
        existingAmd64Pool,
        location,
        name: r.optionalString("clusterName", {
            pattern: /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
            accepted: "a GKE cluster name: 1-40 lowercase letters, digits and hyphens, starting with a letter",
        }),
        releaseChannel: r.string("clusterReleaseChannel", { default: "REGULAR", oneOf: RELEASE_CHANNELS }),
        pools,
        diskSizeGb: r.integer("clusterDiskSizeGb", { default: 50, min: 20, max: 65536 }),
        subnetCidr: cidrs.clusterSubnetCidr,
        podCidr: cidrs.clusterPodCidr,
        serviceCidr: cidrs.clusterServiceCidr,
        masterCidr: cidrs.clusterMasterCidr,
        masterAuthorizedNetworks,
        registryName: r.optionalString("clusterRegistryName", {
            pattern: /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
            accepted: "an Artifact Registry repository id: lowercase letters, digits and hyphens, starting with a letter",
        }),
        labels: readLabels(r),
        pushRoleArn: r.optionalString("clusterPushRoleArn", { pattern: IAM_ROLE_ARN, accepted: IAM_ROLE_ARN_ACCEPTED }),
    };
}

/** `armfarm:labels`: GCP labels, checked as Google checks them (components/gcp/labels.ts). */
function readLabels(r: ConfigReader): Record<string, string> {
    const labels = r.stringMap("labels");
    const problem = labelsProblem(labels);
    if (problem) r.fail("labels", problem);
    return labels;
}

function readPool(r: ConfigReader, arch: KubeArch, defaultType: string): NodePoolSpec {
    const prefix = arch === "arm64" ? "clusterArm64" : "clusterAmd64";
    const machineType = r.string(`${prefix}MachineType`, { default: defaultType });
    const typeProblem = machineType ? machineTypeProblem(arch, machineType) : undefined;
    if (typeProblem) r.fail(`${prefix}MachineType`, typeProblem);
    const minNodes = r.integer(`${prefix}MinNodes`, { default: 1, min: 0, max: MAX_POOL_NODES });
    const maxNodes = r.integer(`${prefix}MaxNodes`, { default: 3, min: 1, max: MAX_POOL_NODES });
    if (Number.isSafeInteger(minNodes) && Number.isSafeInteger(maxNodes) && minNodes > maxNodes) {
        r.fail(`${prefix}MaxNodes`, `${maxNodes} is below armfarm:${prefix}MinNodes ${minNodes}; ${boundsProblem(minNodes, maxNodes)}`);
    }
    return { machineType, minNodes, maxNodes, spot: r.boolean(`${prefix}Spot`, { default: false }) };
}

function checkCidrs(r: ConfigReader, cidrs: Record<string, string>): void {
    const valid = Object.entries(cidrs).filter(([key, value]) => {
        if (isIpv4Cidr(value)) return true;
        r.fail(key, `${r.shown(key, value)} is not accepted; expected ${IPV4_CIDR_ACCEPTED}`);
        return false;
    });
    if (isIpv4Cidr(cidrs.clusterMasterCidr) && !cidrs.clusterMasterCidr.endsWith("/28")) {
        r.fail("clusterMasterCidr", `${r.shown("clusterMasterCidr", cidrs.clusterMasterCidr)} is not accepted; GKE needs a /28 for the control plane, such as 172.16.0.32/28`);
    }
    for (let i = 0; i < valid.length; i++) {
        for (let j = i + 1; j < valid.length; j++) {
            if (cidrsOverlap(valid[i][1], valid[j][1])) {
                r.fail(valid[j][0], `${r.shown(valid[j][0], valid[j][1])} overlaps armfarm:${valid[i][0]} ${r.shown(valid[i][0], valid[i][1])}; the node, pod, service and control plane ranges must be disjoint`);
            }
        }
    }
}
