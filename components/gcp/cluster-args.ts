/**
 * GkeArmCluster's arguments, their defaults, and the checks that refuse what would build a broken cluster or pool,
 * each naming the argument and what is accepted. Knowledge of locations and machine series is in gke-data.ts and
 * pool-rules.ts; the stack config (config/cluster.ts) applies the same rules to its keys.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubeArch } from "../arch";
import { GCP_REGION, GCP_ZONE, regionOf, RELEASE_CHANNELS } from "./gke-data";
import { boundsProblem, locationProblem, machineTypeProblem } from "./pool-rules";
import { NodePoolSpec } from "./node-pools";
import { labelsProblem } from "./labels";
import { defaultNamePrefix, namePrefixProblem, scopedName } from "../names";
import { ExistingClusterRef, existingClusterProblem } from "./existing-cluster";

export interface GkeArmClusterArgs {
    /** GCP project id of the cluster, registry and identities. Required, unless `existingCluster` names it. */
    project?: pulumi.Input<string>;
    /** GCP region of the network, NAT, registry and cluster; for a T2A pool it must offer T2A. Required, unless `existingCluster`'s location gives it. */
    region?: string;
    /**
     * A GKE Standard cluster made elsewhere, to add the pools to instead of creating a cluster (as
     * terraform-google-kubernetes-engine's gke-node-pool module takes a cluster): no network, cluster or control plane
     * is created, and the cluster is never managed. It must run Workload Identity, and its location must offer the
     * arm64 pool's series. With it, `location`, `clusterName`, `releaseChannel` and the network ranges are the
     * cluster's own and may not be given. Default none (the component creates its cluster).
     */
    existingCluster?: ExistingClusterRef;
    /** A zone (zonal cluster) or the region (regional cluster). Default: the region. */
    location?: string;
    /**
     * The stem of every name that must be unique in the project: service accounts `<prefix>-nodes` and
     * `<prefix>-push`, the Workload Identity pool `<prefix>-aws`, the firewall rule `<prefix>-mesh-webhooks` and
     * the hub `<prefix>-istio`. Default `armfarm-<stack>` (lowercased, other characters as `-`).
     */
    namePrefix?: string;
    /** GKE cluster name. Default: the name prefix. */
    clusterName?: string;
    /** Release channel that upgrades the control plane and nodes. Default `REGULAR`. */
    releaseChannel?: string;
    /** The amd64 pool. Default e2-standard-4, 1 to 3 nodes, on-demand; with `existingCluster`, none unless given. */
    amd64Pool?: Partial<NodePoolSpec>;
    /** The arm64 pool. Default t2a-standard-4, 1 to 3 nodes, on-demand. */
    arm64Pool?: Partial<NodePoolSpec>;
    /** Boot disk of every node, in GB. Default 50. */
    diskSizeGb?: number;
    /** Primary range of the nodes' subnet. Default `10.60.0.0/20`. */
    subnetCidr?: string;
    /** Secondary range for pods. Default `10.64.0.0/14`. */
    podCidr?: string;
    /** Secondary range for services. Default `10.68.0.0/20`. */
    serviceCidr?: string;
    /** The /28 range of the control plane's private endpoint. Default `172.16.0.32/28`. */
    masterCidr?: string;
    /** CIDRs allowed to reach the control plane's public IP endpoint (the DNS endpoint is authorized by IAM). Default none. */
    masterAuthorizedNetworks?: string[];
    /** Artifact Registry repository id of the hub. Default `<namePrefix>-istio`. */
    registryName?: string;
    /** The AWS role of the build hosts, allowed to push to the hub without a key. Default none (no federation). */
    buildHostRoleArn?: pulumi.Input<string>;
    /** The AWS account trusted by the federation. Default: the account of `buildHostRoleArn`. */
    awsAccountId?: pulumi.Input<string>;
    /** GCP labels on every resource that takes them (the hub, the cluster, the node VMs). Default none. */
    labels?: Record<string, string>;
}

/** The arguments that shape a cluster the component creates, which an existing cluster has of its own. */
const CREATED_CLUSTER_ARGS = ["location", "clusterName", "releaseChannel", "subnetCidr", "podCidr", "serviceCidr", "masterCidr", "masterAuthorizedNetworks"] as const;

export type Settings = Required<Omit<GkeArmClusterArgs, "buildHostRoleArn" | "awsAccountId" | "amd64Pool" | "arm64Pool" | "existingCluster">> & {
    project: pulumi.Input<string>;
    existingCluster?: ExistingClusterRef;
    /** The pools to add: both on a cluster of the component's own; arm64, and amd64 when asked, on an existing one. */
    pools: Partial<Record<KubeArch, NodePoolSpec>>;
};

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

function pool(arch: KubeArch, given: Partial<NodePoolSpec> | undefined): NodePoolSpec {
    return {
        machineType: given?.machineType ?? (arch === "arm64" ? "t2a-standard-4" : "e2-standard-4"),
        minNodes: given?.minNodes ?? 1,
        maxNodes: given?.maxNodes ?? 3,
        spot: given?.spot ?? false,
    };
}

/** Where the cluster is: the component's own (from `project`, `region`, `location`), or the existing one's. */
function placeOf(args: GkeArmClusterArgs): { project: pulumi.Input<string>; region: string; location: string } {
    const existing = args.existingCluster;
    if (!existing) {
        if (args.region === undefined) invalid("region", "is required (unless existingCluster names the cluster): a GCP region such as us-central1");
        if (!GCP_REGION.test(args.region)) invalid("region", `${JSON.stringify(args.region)} is not a GCP region such as us-central1`);
        if (args.project === undefined) invalid("project", "is required: the GCP project id of the cluster, registry and identities");
        return { project: args.project, region: args.region!, location: args.location ?? args.region! };
    }
    const problem = existingClusterProblem(existing);
    if (problem) invalid("existingCluster", problem);
    for (const key of CREATED_CLUSTER_ARGS) {
        if (args[key] !== undefined) invalid(key, "shapes a cluster the component creates; the existing cluster (existingCluster) has its own, so leave it out");
    }
    const region = regionOf(existing.location);
    if (args.region !== undefined && args.region !== region) invalid("region", `${JSON.stringify(args.region)} is not ${region}, the region of existingCluster's location ${existing.location}`);
    if (typeof args.project === "string" && args.project !== existing.project) {
        invalid("project", `${JSON.stringify(args.project)} is not ${existing.project}, the project of existingCluster`);
    }
    return { project: existing.project, region, location: existing.location };
}

/** Applies defaults and refuses what would build a broken cluster, naming the argument and what is accepted. */
export function validate(args: GkeArmClusterArgs): Settings {
    const place = placeOf(args);
    const existing = args.existingCluster;
    const namePrefix = args.namePrefix ?? defaultNamePrefix(pulumi.getStack());
    const prefixProblem = namePrefixProblem(namePrefix, { gcp: true });
    if (prefixProblem) invalid("namePrefix", prefixProblem);
    const labelProblem = labelsProblem(args.labels ?? {});
    if (labelProblem) invalid("labels", labelProblem);
    const s: Settings = {
        ...place,
        existingCluster: existing,
        namePrefix,
        labels: args.labels ?? {},
        clusterName: existing?.name ?? args.clusterName ?? namePrefix,
        releaseChannel: args.releaseChannel ?? "REGULAR",
        // An existing cluster gets the amd64 pool only when asked: it has pools of its own.
        pools: existing && args.amd64Pool === undefined
            ? { arm64: pool("arm64", args.arm64Pool) }
            : { amd64: pool("amd64", args.amd64Pool), arm64: pool("arm64", args.arm64Pool) },
        diskSizeGb: args.diskSizeGb ?? 50,
        subnetCidr: args.subnetCidr ?? "10.60.0.0/20",
        podCidr: args.podCidr ?? "10.64.0.0/14",
        serviceCidr: args.serviceCidr ?? "10.68.0.0/20",
        masterCidr: args.masterCidr ?? "172.16.0.32/28",
        masterAuthorizedNetworks: args.masterAuthorizedNetworks ?? [],
        registryName: args.registryName ?? scopedName(namePrefix, "istio", 63),
    };
    if (!(GCP_ZONE.test(s.location) || GCP_REGION.test(s.location)) || regionOf(s.location) !== s.region) {
        invalid("location", `${JSON.stringify(s.location)} is not the region ${s.region} or one of its zones`);
    }
    if (!/^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(s.clusterName)) {
        invalid("clusterName", `${JSON.stringify(s.clusterName)} is not a GKE cluster name (lowercase letters, digits and hyphens, 1-40, starting with a letter)`);
    }
    if (!RELEASE_CHANNELS.includes(s.releaseChannel)) {
        invalid("releaseChannel", `${JSON.stringify(s.releaseChannel)} is not one of ${RELEASE_CHANNELS.join(", ")}`);
    }
    for (const arch of ["amd64", "arm64"] as const) {
        const p = s.pools[arch];
        if (!p) continue;
        const problem = machineTypeProblem(arch, p.machineType) ?? (arch === "arm64" ? locationProblem(p.machineType, s.location) : undefined);
        if (problem) invalid(`${arch}Pool.machineType`, existing && arch === "arm64" && !machineTypeProblem(arch, p.machineType)
            ? `${problem}: existingCluster ${existing.location} cannot host it; use a series its location offers, or another cluster` : problem);
        const bounds = boundsProblem(p.minNodes, p.maxNodes);
        if (bounds) invalid(`${arch}Pool`, bounds);
    }
    if (!Number.isInteger(s.diskSizeGb) || s.diskSizeGb < 20) invalid("diskSizeGb", `${s.diskSizeGb} GB is too small for a node's boot disk; use at least 20`);
    if (!/^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(s.registryName)) {
        invalid("registryName", `${JSON.stringify(s.registryName)} is not an Artifact Registry repository id (lowercase letters, digits, hyphens)`);
    }
    return s;
}
