import { FAKE_GCP_PROJECT_NUMBER, MockTable, stableHex, stackConfig } from "./fake";

/**
 * GKE clusters that exist before the plan runs, made elsewhere, as `gcp.container.getCluster` answers for them: the
 * provider reads the cluster (GKE API projects.locations.clusters.get) and sets each field as
 * hashicorp/terraform-provider-google@v7.45.0:google/services/container/resource_container_cluster.go does
 * (resourceContainerClusterRead): blocks are lists of one (`workloadIdentityConfigs`, `privateClusterConfigs`,
 * `controlPlaneEndpointsConfigs` with `dnsEndpointConfigs`, `masterAuths`), a block GKE leaves out is an empty list
 * (a cluster without Workload Identity has no `workloadIdentityConfigs`: flattenWorkloadIdentityConfig), `network`
 * is `networkConfig.network` (`projects/<p>/global/networks/<n>`), and a node pool on the Compute Engine default
 * account reports `serviceAccount: default`. A cluster that does not exist fails as the data source does:
 * "<full name> not found" (data_source_google_container_cluster.go).
 */

/** The estate's project: a team's production project, apart from the stack's own. */
export const ESTATE_PROJECT = "acme-prod";

interface PoolShape {
    name: string;
    machineType: string;
    serviceAccount: string;
}

interface ClusterShape {
    location: string;
    name: string;
    autopilot?: boolean;
    workloadIdentity: boolean;
    /** Private nodes, and the control plane's peered /28 ("" for a private cluster without one). */
    privateNodes: boolean;
    masterCidr: string;
    /** Whether the DNS-based endpoint takes traffic from outside Google Cloud. */
    dnsExternal: boolean;
    network: string;
    /** A Shared VPC's host project, when the network is not in the cluster's project. */
    networkProject?: string;
    pools: PoolShape[];
}

const clusters: ClusterShape[] = [
    // A regional production cluster with private nodes behind a peered control plane, Workload Identity on, two amd64
    // pools of its own (one on the Compute Engine default account).
    {
        location: "us-central1", name: "prod-1", workloadIdentity: true, privateNodes: true, masterCidr: "172.16.0.16/28", dnsExternal: true,
        network: "prod-vpc",
        pools: [
            { name: "default-pool", machineType: "e2-standard-8", serviceAccount: "default" },
            { name: "apps", machineType: "n2-custom-8-32768", serviceAccount: `apps-nodes@${ESTATE_PROJECT}.iam.gserviceaccount.com` },
        ],
    },
    // An older zonal cluster: public nodes, no Workload Identity, its DNS endpoint closed to outside traffic.
    {
        location: "europe-west4-b", name: "legacy-1", workloadIdentity: false, privateNodes: false, masterCidr: "", dnsExternal: false,
        network: "default", pools: [{ name: "default-pool", machineType: "e2-standard-4", serviceAccount: "default" }],
    },
    // A cluster of a Shared VPC service project: its network is the host project's.
    {
        location: "europe-west4", name: "shared-1", workloadIdentity: true, privateNodes: true, masterCidr: "172.16.4.0/28", dnsExternal: true,
        network: "shared-vpc", networkProject: "acme-net",
        pools: [{ name: "default-pool", machineType: "n2d-standard-4", serviceAccount: `gke-nodes@${ESTATE_PROJECT}.iam.gserviceaccount.com` }],
    },
    // An Autopilot cluster: GKE manages its nodes.
    {
        location: "us-central1", name: "auto-1", autopilot: true, workloadIdentity: true, privateNodes: true, masterCidr: "", dnsExternal: true,
        network: "prod-vpc", pools: [],
    },
    // A zonal cluster with private nodes and no peered range (Private Service Connect), reached only on its IP
    // endpoint, running Axion nodes already.
    {
        location: "us-central1-a", name: "edge-1", workloadIdentity: true, privateNodes: true, masterCidr: "", dnsExternal: false,
        network: "edge-vpc", pools: [{ name: "axion", machineType: "c4a-standard-4", serviceAccount: `edge-nodes@${ESTATE_PROJECT}.iam.gserviceaccount.com` }],
    },
];

/**
 * The APIs already on in the estate's projects: a project that runs GKE clusters has the Kubernetes Engine and
 * Compute Engine APIs on (GKE needs both), and a Shared VPC host project the Compute Engine API.
 */
export const ESTATE_ENABLED_APIS: Record<string, readonly string[]> = {
    [ESTATE_PROJECT]: ["compute.googleapis.com", "container.googleapis.com"],
    "acme-net": ["compute.googleapis.com"],
};

const fullName = (project: string, location: string, name: string) => `projects/${project}/locations/${location}/clusters/${name}`;

/** The data source's answer for one cluster, with the fields as @pulumi/gcp 9.37 names them (GetClusterResult). */
function clusterRead(project: string, c: ClusterShape): Record<string, unknown> {
    const id = fullName(project, c.location, c.name);
    const octets = Buffer.from(stableHex(6, "endpoint", id), "hex");
    const region = c.location.replace(/-[a-z]$/, "");
    return {
        id, project, location: c.location, name: c.name,
        selfLink: `https://container.googleapis.com/v1/${id}`,
        enableAutopilot: c.autopilot ?? false,
        endpoint: c.privateNodes && !c.dnsExternal ? `10.${octets[0]}.${octets[1]}.2` : `34.${octets[0]}.${octets[1]}.${octets[2]}`,
        network: `projects/${c.networkProject ?? project}/global/networks/${c.network}`,
        subnetwork: `projects/${c.networkProject ?? project}/regions/${region}/subnetworks/${c.network}-nodes`,
        masterVersion: "1.33.5-gke.1201000",
        releaseChannels: [{ channel: "REGULAR" }],
        resourceLabels: { team: "platform" },
        workloadIdentityConfigs: c.workloadIdentity ? [{ workloadPool: `${project}.svc.id.goog` }] : [],
        privateClusterConfigs: [{
            enablePrivateNodes: c.privateNodes, enablePrivateEndpoint: false, masterIpv4CidrBlock: c.masterCidr,
            peeringName: c.masterCidr ? `gke-n${stableHex(16, id)}-peer` : "", privateEndpoint: "", publicEndpoint: "", privateEndpointSubnetwork: "",
            masterGlobalAccessConfigs: [{ enabled: false }],
        }],
        controlPlaneEndpointsConfigs: [{
            dnsEndpointConfigs: [{
                endpoint: `gke-${stableHex(32, "dns", id)}-${FAKE_GCP_PROJECT_NUMBER}.${region}.gke.goog`,
                allowExternalTraffic: c.dnsExternal, enableK8sTokensViaDns: false, enableK8sCertsViaDns: false,
            }],
            ipEndpointsConfigs: [{ enabled: true }],
        }],
        masterAuths: [{
            clusterCaCertificate: Buffer.from(`-----BEGIN CERTIFICATE-----\n${stableHex(64, "ca", id)}\n-----END CERTIFICATE-----\n`).toString("base64"),
            clientCertificate: "", clientKey: "", clientCertificateConfigs: [{ issueClientCertificate: false }],
        }],
        nodePools: c.pools.map((p) => ({
            name: p.name, namePrefix: "", version: "1.33.5-gke.1201000", nodeLocations: [c.location.match(/-[a-z]$/) ? c.location : `${region}-a`],
            nodeConfigs: [{ machineType: p.machineType, serviceAccount: p.serviceAccount, imageType: "COS_CONTAINERD", oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] }],
        })),
    };
}

/** The projects the fake knows: the stack's own and the estate's. */
const knownProjects = () => [stackConfig("gcp:project", "armfarm-dev"), ESTATE_PROJECT];

export const gcpClusterMocks: MockTable = {
    resources: {},
    invokes: {
        "gcp:container/getCluster:getCluster": (inputs) => {
            const project = (inputs.project as string | undefined) ?? stackConfig("gcp:project", "armfarm-dev");
            const found = project === ESTATE_PROJECT ? clusters.find((c) => c.location === inputs.location && c.name === inputs.name) : undefined;
            if (!found) throw new Error(`${fullName(project, String(inputs.location), String(inputs.name))} not found`);
            return clusterRead(project, found);
        },
        // terraform-provider-google, resourcemanager/data_source_google_project.go: "projects/<id> not found or not
        // in ACTIVE state" for a project it cannot read.
        "gcp:organizations/getProject:getProject": (inputs) => {
            const projectId = String(inputs.projectId ?? stackConfig("gcp:project", "armfarm-dev"));
            if (!knownProjects().includes(projectId)) throw new Error(`projects/${projectId} not found or not in ACTIVE state`);
            return { id: `projects/${projectId}`, projectId, name: projectId, number: FAKE_GCP_PROJECT_NUMBER, labels: {}, effectiveLabels: {} };
        },
    },
};
