/**
 * A GKE cluster made elsewhere, to which GkeArmCluster adds its pools: how it is named, what is read of it through
 * the GKE API (the provider's `gcp.container.getCluster`), and the checks that it can host armfarm's pools. It is
 * read, never managed: no resource adopts, changes or deletes it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { GCE_ARM64_FAMILIES, KubeArch, KUBE_ARCHES } from "../arch";
import { GCP_REGION, GCP_ZONE } from "./gke-data";

/** A cluster by its full name in the GKE API: `projects/<project>/locations/<location>/clusters/<name>`. */
export interface ExistingClusterRef {
    project: string;
    /** Its zone (zonal cluster) or region (regional cluster). */
    location: string;
    name: string;
}

/** A cluster's full name, as the GKE API writes it (projects.locations.clusters) and `gcloud container clusters describe --format='value(selfLink)'` ends. */
export const CLUSTER_PATH = /^projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/;
export const CLUSTER_PATH_ACCEPTED = "a GKE cluster's full name, projects/<project id>/locations/<zone or region>/clusters/<name>, such as projects/acme-prod/locations/europe-west4/clusters/prod-1";

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const CLUSTER_NAME = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export function parseClusterPath(path: string): ExistingClusterRef | undefined {
    const m = CLUSTER_PATH.exec(path);
    return m ? { project: m[1], location: m[2], name: m[3] } : undefined;
}

export function clusterPath(ref: ExistingClusterRef): string {
    return `projects/${ref.project}/locations/${ref.location}/clusters/${ref.name}`;
}

/** Why `ref` cannot name a GKE cluster, or undefined when it can. */
export function existingClusterProblem(ref: ExistingClusterRef): string | undefined {
    if (!PROJECT_ID.test(ref.project)) return `${JSON.stringify(ref.project)} is not a GCP project id (6-30 lowercase letters, digits and hyphens)`;
    if (!GCP_ZONE.test(ref.location) && !GCP_REGION.test(ref.location)) return `${JSON.stringify(ref.location)} is not a GCP zone or region such as europe-west4-a or europe-west4`;
    if (!CLUSTER_NAME.test(ref.name)) return `${JSON.stringify(ref.name)} is not a GKE cluster name (1-40 lowercase letters, digits and hyphens, starting with a letter)`;
    return undefined;
}

/**
 * The project that holds a network, from its relative name (`projects/<p>/global/networks/<n>`): the cluster's own,
 * or a Shared VPC host project, where the network's firewall rules must be made.
 */
export function projectOfNetwork(network: string): string | undefined {
    return /^projects\/([^/]+)\/global\/networks\/[^/]+$/.exec(network)?.[1];
}

/** What armfarm uses of an existing cluster. */
export interface ClusterFacts {
    /** Its VPC network, `projects/<p>/global/networks/<n>` (the GKE API's networkConfig.network). */
    network: string;
    /** The control plane's /28 when the cluster has one (VPC-peered private clusters), else "". */
    masterCidr: string;
    privateNodes: boolean;
    /** The public or private IP endpoint, and the cluster CA that signs it (base64). */
    endpoint: string;
    caCertificate: string;
    /** The DNS-based endpoint, when it takes traffic from outside Google Cloud's control plane; else "". */
    dnsEndpoint: string;
    /** The service accounts its node pools run as, the Compute Engine default one by its email. */
    nodeAccounts: string[];
    /** The architectures of its node pools. */
    architectures: KubeArch[];
}

type ClusterRead = gcp.container.GetClusterResult;

/**
 * Why the cluster cannot take armfarm's pools, or undefined when it can. An Autopilot cluster takes no node pools
 * (GKE manages its nodes: GKE, "Autopilot overview"). A cluster without Workload Identity has no workload pool
 * (GKE API, workloadIdentityConfig.workloadPool), and a pool that runs the GKE metadata server
 * (`workloadMetadataConfig.mode: GKE_METADATA`, as armfarm's do) needs it (GKE, "Use Workload Identity Federation
 * for GKE": enable it on the cluster, then on node pools).
 */
export function clusterFactsProblem(ref: ExistingClusterRef, read: ClusterRead): string | undefined {
    const where = clusterPath(ref);
    if (read.enableAutopilot) {
        return `${where} is an Autopilot cluster, whose nodes GKE manages: no node pool can be added; name a Standard cluster`;
    }
    if (!read.workloadIdentityConfigs?.[0]?.workloadPool) {
        return `${where} has Workload Identity off (no workload pool), which armfarm's pools need for the GKE metadata server; ` +
            `turn it on (gcloud container clusters update ${ref.name} --location ${ref.location} --workload-pool=${ref.project}.svc.id.goog), or name another cluster`;
    }
    return undefined;
}

/**
 * The architecture of a pool's machine type: arm64 for the Arm series GKE runs (GKE, "Arm workloads on GKE": T2A, C4A,
 * N4A), amd64 for every other Compute Engine series, custom shapes (`n2-custom-8-32768`) included.
 */
export function archOfMachineType(machineType: string): KubeArch {
    return GCE_ARM64_FAMILIES.includes(machineType.split("-")[0]) ? "arm64" : "amd64";
}

/**
 * The facts armfarm uses, from the provider's answer. A pool on the Compute Engine default service account reports
 * it as `default` (GKE API, NodeConfig.serviceAccount), which is `<project number>-compute@developer.gserviceaccount.com`.
 */
export function factsOf(read: ClusterRead, projectNumber: string): ClusterFacts {
    const dns = read.controlPlaneEndpointsConfigs?.[0]?.dnsEndpointConfigs?.[0];
    const privateConfig = read.privateClusterConfigs?.[0];
    const configs = (read.nodePools ?? []).map((p) => p.nodeConfigs?.[0]).filter((c) => c !== undefined);
    const accounts = configs.map((c) => (!c.serviceAccount || c.serviceAccount === "default"
        ? `${projectNumber}-compute@developer.gserviceaccount.com` : c.serviceAccount));
    const arches = new Set(configs.map((c) => archOfMachineType(c.machineType)));
    return {
        network: read.network,
        masterCidr: privateConfig?.masterIpv4CidrBlock ?? "",
        privateNodes: privateConfig?.enablePrivateNodes ?? false,
        endpoint: read.endpoint,
        caCertificate: read.masterAuths?.[0]?.clusterCaCertificate ?? "",
        dnsEndpoint: dns?.endpoint && dns.allowExternalTraffic ? dns.endpoint : "",
        nodeAccounts: [...new Set(accounts)].sort(),
        architectures: KUBE_ARCHES.filter((a) => arches.has(a)),
    };
}

/**
 * Reads the cluster and its project's number, and checks it can host the pools. Resolves to its facts, or fails
 * naming the cluster, what it lacks and what to change.
 */
export function readExistingCluster(ref: ExistingClusterRef, opts: pulumi.InvokeOutputOptions): pulumi.Output<ClusterFacts> {
    // The promise form, so that a cluster or project the API does not find fails naming the key that named it.
    const where = `existingCluster (armfarm:clusterExisting)`;
    // The SDK puts "invocation of <token> returned an error: " before the provider's message (@pulumi/pulumi invoke.js).
    const named = (err: unknown) => new Error(`${where}: ${(err instanceof Error ? err.message : String(err)).replace(/^invocation of \S+ returned an error: /, "")}; ` +
        "name a cluster this project's GKE API lists");
    const invokeOpts: pulumi.InvokeOptions = { parent: opts.parent, provider: opts.provider };
    const read = pulumi.output(gcp.container.getCluster({ project: ref.project, location: ref.location, name: ref.name }, invokeOpts)
        .catch((err) => { throw named(err); }));
    const project = pulumi.output(gcp.organizations.getProject({ projectId: ref.project }, invokeOpts).catch((err) => { throw named(err); }));
    return pulumi.all([read, project.number]).apply(([cluster, number]) => {
        const problem = clusterFactsProblem(ref, cluster);
        if (problem) throw new Error(`${where}: ${problem}`);
        return factsOf(cluster, number);
    });
}

/**
 * A dependency that holds every resource of the component back until the cluster was read and found fit: a failed
 * check rejects it, so nothing that lists it is created (the SDK resolves every Output in `dependsOn` first). It
 * resolves to no resource.
 */
export function clusterGate(facts: pulumi.Output<ClusterFacts>): pulumi.Input<pulumi.Resource> {
    // dependsOn's type names single resources; at run time an Output of a list of them is read the same way.
    return facts.apply((): pulumi.Resource[] => []) as unknown as pulumi.Input<pulumi.Resource>;
}
