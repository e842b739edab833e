import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

/** The secondary ranges of the cluster's subnet, by the names GKE is told to use. */
export const POD_RANGE = "pods";
export const SERVICE_RANGE = "services";

export interface NetworkSettings {
    project: pulumi.Input<string>;
    region: string;
    subnetCidr: string;
    podCidr: string;
    serviceCidr: string;
}

export interface ClusterNetwork {
    network: gcp.compute.Network;
    subnetwork: gcp.compute.Subnetwork;
}

/**
 * A VPC of the cluster's own with one subnet (primary range for nodes, secondary ranges for pods and
 * services, as a VPC-native cluster needs), Private Google Access (private nodes reach Google APIs and
 * Artifact Registry without a public address), and Cloud NAT for all other egress (pulling from public
 * registries, for example).
 */
export function createNetwork(name: string, s: NetworkSettings, opts: pulumi.CustomResourceOptions): ClusterNetwork {
    const network = new gcp.compute.Network(`${name}-network`, {
        project: s.project,
        description: "armfarm GKE cluster network",
        autoCreateSubnetworks: false,
        routingMode: "REGIONAL",
    }, opts);
    const subnetwork = new gcp.compute.Subnetwork(`${name}-nodes`, {
        project: s.project,
        region: s.region,
        network: network.id,
        description: "armfarm GKE nodes, with secondary ranges for pods and services",
        ipCidrRange: s.subnetCidr,
        secondaryIpRanges: [
            { rangeName: POD_RANGE, ipCidrRange: s.podCidr },
            { rangeName: SERVICE_RANGE, ipCidrRange: s.serviceCidr },
        ],
        privateIpGoogleAccess: true,
    }, opts);
    const router = new gcp.compute.Router(`${name}-router`, {
        project: s.project,
        region: s.region,
        network: network.id,
        description: "armfarm GKE: Cloud NAT for private nodes",
    }, opts);
    new gcp.compute.RouterNat(`${name}-nat`, {
        project: s.project,
        region: s.region,
        router: router.name,
        natIpAllocateOption: "AUTO_ONLY",
        sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        logConfig: { enable: true, filter: "ERRORS_ONLY" },
    }, opts);
    return { network, subnetwork };
}
