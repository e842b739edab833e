import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { ClusterNetwork, POD_RANGE, SERVICE_RANGE } from "./network";
import { hardenedNodeConfig, NodeIdentity } from "./node-pools";
import { needing } from "./apis";

export interface ControlPlaneSettings {
    project: pulumi.Input<string>;
    clusterName: string;
    location: string;
    releaseChannel: string;
    masterCidr: string;
    masterAuthorizedNetworks: string[];
    labels: Record<string, string>;
}

/**
 * The GKE cluster itself, hardened as the CIS GKE Benchmark asks: private nodes, master authorized networks,
 * Workload Identity, shielded nodes, Dataplane V2 (which enforces NetworkPolicy), no legacy ABAC, no client
 * certificate, a release channel. Its default node pool is removed once the cluster exists: the pools are
 * separate resources, so that changing one never touches the cluster.
 */
export function createControlPlane(name: string, s: ControlPlaneSettings, net: ClusterNetwork, nodes: NodeIdentity,
    opts: pulumi.CustomResourceOptions): gcp.container.Cluster {
    return new gcp.container.Cluster(`${name}-gke`, {
        project: s.project,
        name: s.clusterName,
        location: s.location,
        description: "armfarm: amd64 and arm64 node pools for a mixed-arch Istio mesh",
        deletionProtection: true,
        resourceLabels: s.labels,

        // GKE creates a cluster with a default pool; this one is hardened like the others for the minutes it
        // lives, then removed.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        nodeConfig: hardenedNodeConfig(nodes.email, s.labels),

        network: net.network.id,
        subnetwork: net.subnetwork.id,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: { clusterSecondaryRangeName: POD_RANGE, servicesSecondaryRangeName: SERVICE_RANGE },
        privateClusterConfig: {
            enablePrivateNodes: true,
            // The public IP endpoint stays, reachable from the master authorized networks only; `pulumi up` and
            // kubectl use the DNS-based endpoint instead.
            enablePrivateEndpoint: false,
            masterIpv4CidrBlock: s.masterCidr,
        },
        controlPlaneEndpointsConfig: {
            // GKE's DNS-based endpoint, open to traffic from outside Google Cloud: each request is authorized by
            // IAM (container.clusters.connect) before it reaches the API server, so CI runners and laptops reach
            // the cluster without an entry in the authorized networks (GKE, "About network isolation").
            dnsEndpointConfig: { allowExternalTraffic: true },
            // The IP endpoints stay, restricted to the master authorized networks below.
            ipEndpointsConfig: { enabled: true },
        },
        masterAuthorizedNetworksConfig: {
            cidrBlocks: s.masterAuthorizedNetworks.map((cidrBlock) => ({ cidrBlock, displayName: `armfarm ${cidrBlock}` })),
            gcpPublicCidrsAccessEnabled: false,
        },
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        enableLegacyAbac: false,
        enableShieldedNodes: true,
        // Dataplane V2 (eBPF) enforces Kubernetes NetworkPolicy by itself; the Calico network policy add-on
        // must not be enabled beside it.
        datapathProvider: "ADVANCED_DATAPATH",
        workloadIdentityConfig: { workloadPool: pulumi.interpolate`${s.project}.svc.id.goog` },
        releaseChannel: { channel: s.releaseChannel },
    }, {
        ...needing(opts, ...nodes.roleBindings),
        protect: true,
        ignoreChanges: [
            // The release channel upgrades the control plane and nodes: the versions GKE reports move on
            // their own and must not show as a diff.
            "minMasterVersion",
            "nodeVersion",
            // Only the removed default pool used these; GKE reports them differently once it is gone, and
            // a change here would replace the whole cluster.
            "nodeConfig",
            "initialNodeCount",
        ],
    });
}
