import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { gceArchOf, KubeArch } from "../arch";
import { armZonesIn, bootDiskType, isZone } from "./gke-data";
import { ClusterApis, needing } from "./apis";
import { serviceAccountId } from "./names";

/** What each pool is given: its architecture, machine type, autoscaling bounds and capacity kind. */
export interface NodePoolSpec {
    machineType: string;
    minNodes: number;
    maxNodes: number;
    spot: boolean;
}

/** A pool as the mesh's preflight sees it. */
export interface NodePoolInfo {
    name: string;
    machineType: string;
    arch: KubeArch;
    spot: boolean;
}

export interface NodeIdentity {
    account: gcp.serviceaccount.Account;
    email: pulumi.Output<string>;
    /** The project role bindings; pools wait for them, as nodes write logs and metrics from their first boot. */
    roleBindings: pulumi.Resource[];
}

/**
 * The least-privilege role GKE documents for a custom node service account: write logs and metrics, read
 * the resource metadata. Source: GKE "Harden your cluster's security", "Use least privilege IAM service
 * accounts" (roles/container.defaultNodeServiceAccount).
 */
export const NODE_ROLES: readonly string[] = ["roles/container.defaultNodeServiceAccount"];

/** The scope GKE recommends with a custom service account: access is then bounded by IAM roles alone. */
const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/**
 * A dedicated node service account (not the Compute Engine default one) with only the roles nodes need. The
 * account is made through the IAM API, its project role bindings through Resource Manager.
 */
export function createNodeIdentity(name: string, project: pulumi.Input<string>, s: { namePrefix: string; clusterName: string },
    apis: ClusterApis, opts: pulumi.CustomResourceOptions): NodeIdentity {
    const account = new gcp.serviceaccount.Account(`${name}-nodes`, {
        project,
        accountId: serviceAccountId(s.namePrefix, "nodes"),
        displayName: `armfarm GKE nodes of ${s.clusterName}`,
        description: "Node VMs of the armfarm cluster: logs, metrics, and reads of the cluster's registry",
    }, needing(opts, apis.iam));
    const roleBindings = NODE_ROLES.map((role) => new gcp.projects.IAMMember(`${name}-nodes-${role.split("/")[1].replace(/\./g, "-")}`, {
        project,
        role,
        member: pulumi.interpolate`serviceAccount:${account.email}`,
    }, needing(opts, apis.cloudresourcemanager)));
    return { account, email: account.email, roleBindings };
}

/**
 * The node settings every pool shares: the hardening the CIS GKE Benchmark asks for, and the stack's GCP labels on
 * the node VMs (`resourceLabels`; `labels` are Kubernetes node labels).
 */
export function hardenedNodeConfig(serviceAccount: pulumi.Input<string>, resourceLabels: Record<string, string>) {
    return {
        serviceAccount,
        resourceLabels,
        oauthScopes: [CLOUD_PLATFORM_SCOPE],
        imageType: "COS_CONTAINERD",
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        // The GKE metadata server: pods see their Workload Identity, never the node's credentials.
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        metadata: { "disable-legacy-endpoints": "true" },
    };
}

export interface PoolSettings {
    project: pulumi.Input<string>;
    location: string;
    diskSizeGb: number;
    labels: Record<string, string>;
}

/**
 * One managed, autoscaled pool of one architecture. Its name is generated from a prefix, so that a change
 * that replaces it (a new machine type) creates the new pool before the old one is deleted, without a name
 * clash. No taint is declared on arm64 pools: GKE puts `kubernetes.io/arch=arm64:NoSchedule` on them by
 * itself, and the provider reports drift only on taints the program manages (`nodeConfig.taints`; GKE's
 * own are in `effectiveTaints`), so declaring none is what keeps a second `pulumi up` free of a diff.
 */
export function createNodePool(name: string, arch: KubeArch, spec: NodePoolSpec, s: PoolSettings,
    clusterName: pulumi.Input<string>, nodes: NodeIdentity, opts: pulumi.CustomResourceOptions): gcp.container.NodePool {
    if (gceArchOf(spec.machineType) !== arch) {
        throw new Error(`${spec.machineType} is not an ${arch} machine type`);
    }
    // In a regional cluster, T2A pools run only in the region's zones that have T2A.
    const nodeLocations = isZone(s.location) ? undefined : armZonesIn(spec.machineType, s.location);
    const zones = nodeLocations?.length ?? (isZone(s.location) ? 1 : 3);
    return new gcp.container.NodePool(`${name}-${arch}`, {
        project: s.project,
        cluster: clusterName,
        location: s.location,
        namePrefix: `${arch}-`,
        nodeLocations,
        // Per zone, at creation only; the autoscaler owns the count afterwards.
        initialNodeCount: Math.max(1, Math.ceil(spec.minNodes / zones)),
        autoscaling: { totalMinNodeCount: spec.minNodes, totalMaxNodeCount: spec.maxNodes, locationPolicy: "BALANCED" },
        management: { autoRepair: true, autoUpgrade: true },
        upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
        nodeConfig: {
            ...hardenedNodeConfig(nodes.email, { ...s.labels, "armfarm-arch": arch }),
            machineType: spec.machineType,
            diskType: bootDiskType(spec.machineType),
            diskSizeGb: s.diskSizeGb,
            spot: spec.spot,
            // Kubernetes labels (the kubelet adds kubernetes.io/arch itself).
            labels: { "armfarm/pool": arch },
        },
    }, {
        ...needing(opts, ...nodes.roleBindings),
        // A new machine type makes a new pool, created before the old one is deleted (its name comes from a
        // prefix). The provider would otherwise update the type in place (terraform-provider-google 5.10+),
        // an update that has been seen to succeed without moving the nodes (terraform-provider-google #23502).
        replaceOnChanges: ["nodeConfig.machineType"],
        ignoreChanges: [
            // Creation-time only (and forces a new pool if changed); the autoscaler moves the node count.
            "initialNodeCount",
            // The release channel upgrades the nodes; the version GKE reports moves on its own.
            "version",
        ],
    });
}
