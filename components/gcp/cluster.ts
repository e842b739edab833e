import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ARM64_TAINT, KubeArch } from "../arch";
import { GCP_REGION, GCP_ZONE, regionOf, RELEASE_CHANNELS } from "./gke-data";
import { boundsProblem, locationProblem, machineTypeProblem } from "./pool-rules";
import { createNetwork } from "./network";
import { createControlPlane } from "./control-plane";
import { createNodeIdentity, createNodePool, NodePoolInfo, NodePoolSpec } from "./node-pools";
import { createHub } from "./registry";
import { createFederation, IAM_ROLE_ARN, IAM_ROLE_ARN_ACCEPTED } from "./federation";
import { clusterKubeconfig } from "./kubeconfig";
import { enableClusterApis, enableFederationApis, needing } from "./apis";
import { createWebhookFirewall } from "./webhook-firewall";
import { labelsProblem } from "./labels";
import { defaultNamePrefix, NAME_PREFIX, NAME_PREFIX_ACCEPTED, scopedName } from "./names";

export interface GkeArmClusterArgs {
    /** GCP project id of the cluster, registry and identities. Required. */
    project: pulumi.Input<string>;
    /** GCP region of the network, NAT, registry and cluster. Required; for a T2A pool it must offer T2A. */
    region: string;
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
    /** The amd64 pool. Default e2-standard-4, 1 to 3 nodes, on-demand. */
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

type Settings = Required<Omit<GkeArmClusterArgs, "buildHostRoleArn" | "awsAccountId" | "amd64Pool" | "arm64Pool">> & {
    pools: Record<KubeArch, NodePoolSpec>;
};

/**
 * A hardened GKE cluster for a mixed-arch mesh: an amd64 pool and an arm64 (Tau T2A, or Axion C4A or N4A) pool side
 * by side, private nodes behind Cloud NAT, an Artifact Registry hub the nodes read, and (given the build
 * hosts' AWS role) a keyless identity for the build to push there. Exposes a kubeconfig and a kubernetes
 * provider for the mesh.
 */
export class GkeArmCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly location: string;
    /** The control plane's public IP endpoint, open to the master authorized networks only. */
    public readonly endpoint: pulumi.Output<string>;
    /** The control plane's DNS-based endpoint (`<id>.<region>.gke.goog`), authorized by IAM; the kubeconfig's server. */
    public readonly dnsEndpoint: pulumi.Output<string>;
    /** Kubeconfig for the DNS endpoint, using gke-gcloud-auth-plugin (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** A kubernetes provider for the cluster, for the mesh. */
    public readonly provider: k8s.Provider;
    /**
     * What a workload on the cluster waits for: the node pools it schedules onto, and the firewall rule that lets
     * the control plane reach admission webhooks on them.
     */
    public readonly nodesReady: pulumi.Resource[];
    /** Each pool's name, machine type and architecture. */
    public readonly nodePools: pulumi.Output<NodePoolInfo[]>;
    /** The architectures the cluster's nodes run, for the mesh's preflight. */
    public readonly architectures: KubeArch[];
    /** The taint GKE puts on arm64 nodes; pods that may run there tolerate it. */
    public readonly arm64Taint = ARM64_TAINT;
    /** `<region>-docker.pkg.dev/<project>/<repository>`: the hub images are published to. */
    public readonly hub: pulumi.Output<string>;
    public readonly nodeServiceAccountEmail: pulumi.Output<string>;
    /** Full resource name of the Workload Identity Federation provider (undefined without federation). */
    public readonly federationProvider?: pulumi.Output<string>;
    /** The service account the build hosts impersonate to push (undefined without federation). */
    public readonly pushServiceAccountEmail?: pulumi.Output<string>;

    constructor(name: string, args: GkeArmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:gcp:GkeArmCluster", name, args, opts);
        const s = validate(args);
        const labels = { ...s.labels, "armfarm-cluster": s.clusterName, "managed-by": "pulumi" };
        const parent = { parent: this };

        const apis = enableClusterApis(name, s.project, parent);
        const network = createNetwork(name, s, needing(parent, apis.compute));
        const nodes = createNodeIdentity(name, s.project, s, apis, parent);
        const cluster = createControlPlane(name, { ...s, labels }, network, nodes, needing(parent, apis.container));
        const poolSettings = { project: s.project, location: s.location, diskSizeGb: s.diskSizeGb, labels };
        const pools = (["amd64", "arm64"] as const).map((arch) => ({
            arch, spec: s.pools[arch], pool: createNodePool(name, arch, s.pools[arch], poolSettings, cluster, nodes, needing(parent, apis.container)),
        }));
        const webhooks = createWebhookFirewall(name, { project: s.project, namePrefix: s.namePrefix, network: network.network.id, masterCidr: s.masterCidr, nodeServiceAccounts: [nodes.email] },
            needing(parent, apis.compute));
        const hub = createHub(name, { project: s.project, region: s.region, repositoryId: s.registryName, labels }, nodes.email,
            needing(parent, apis.artifactregistry));

        if (args.buildHostRoleArn !== undefined) {
            const federationApis = enableFederationApis(name, s.project, apis, parent);
            const federation = createFederation(name, {
                project: s.project,
                namePrefix: s.namePrefix,
                clusterName: s.clusterName,
                buildHostRoleArn: args.buildHostRoleArn,
                awsAccountId: args.awsAccountId ?? pulumi.output(args.buildHostRoleArn).apply(accountOfChecked),
                repository: hub.repository,
            }, needing(parent, apis.iam, federationApis.sts, federationApis.iamcredentials));
            this.federationProvider = federation.providerName;
            this.pushServiceAccountEmail = federation.pushServiceAccountEmail;
        }

        this.clusterName = cluster.name;
        this.location = s.location;
        this.endpoint = cluster.endpoint;
        this.dnsEndpoint = cluster.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint;
        this.kubeconfig = clusterKubeconfig(s.project, cluster);
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, parent);
        this.nodePools = pulumi.all(pools.map(({ arch, spec, pool }) => pool.name.apply((poolName): NodePoolInfo =>
            ({ name: poolName, machineType: spec.machineType, arch, spot: spec.spot }))));
        this.architectures = [...new Set(pools.map((p) => p.arch))];
        this.nodesReady = [...pools.map((p) => p.pool), webhooks];
        this.hub = hub.url;
        this.nodeServiceAccountEmail = nodes.email;
        this.registerOutputs({
            clusterName: this.clusterName, endpoint: this.endpoint, dnsEndpoint: this.dnsEndpoint, kubeconfig: this.kubeconfig, nodePools: this.nodePools,
            hub: this.hub, federationProvider: this.federationProvider, pushServiceAccountEmail: this.pushServiceAccountEmail,
        });
    }
}

function accountOfChecked(roleArn: string): string {
    const m = IAM_ROLE_ARN.exec(roleArn);
    if (!m) invalid("buildHostRoleArn", `${JSON.stringify(roleArn)} is not ${IAM_ROLE_ARN_ACCEPTED}`);
    return m[2];
}

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

/** Applies defaults and refuses what would build a broken cluster, naming the argument and what is accepted. */
function validate(args: GkeArmClusterArgs): Settings {
    if (!GCP_REGION.test(args.region ?? "")) invalid("region", `${JSON.stringify(args.region)} is not a GCP region such as us-central1`);
    const pool = (arch: KubeArch, given: Partial<NodePoolSpec> | undefined): NodePoolSpec => ({
        machineType: given?.machineType ?? (arch === "arm64" ? "t2a-standard-4" : "e2-standard-4"),
        minNodes: given?.minNodes ?? 1,
        maxNodes: given?.maxNodes ?? 3,
        spot: given?.spot ?? false,
    });
    const namePrefix = args.namePrefix ?? defaultNamePrefix(pulumi.getStack());
    if (!NAME_PREFIX.test(namePrefix)) invalid("namePrefix", `${JSON.stringify(namePrefix)} is not accepted; use ${NAME_PREFIX_ACCEPTED}`);
    const labelProblem = labelsProblem(args.labels ?? {});
    if (labelProblem) invalid("labels", labelProblem);
    const s: Settings = {
        project: args.project,
        region: args.region,
        location: args.location ?? args.region,
        namePrefix,
        labels: args.labels ?? {},
        clusterName: args.clusterName ?? namePrefix,
        releaseChannel: args.releaseChannel ?? "REGULAR",
        pools: { amd64: pool("amd64", args.amd64Pool), arm64: pool("arm64", args.arm64Pool) },
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
        const problem = machineTypeProblem(arch, p.machineType) ?? (arch === "arm64" ? locationProblem(p.machineType, s.location) : undefined);
        if (problem) invalid(`${arch}Pool.machineType`, problem);
        const bounds = boundsProblem(p.minNodes, p.maxNodes);
        if (bounds) invalid(`${arch}Pool`, bounds);
    }
    if (!Number.isInteger(s.diskSizeGb) || s.diskSizeGb < 20) invalid("diskSizeGb", `${s.diskSizeGb} GB is too small for a node's boot disk; use at least 20`);
    if (!/^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(s.registryName)) {
        invalid("registryName", `${JSON.stringify(s.registryName)} is not an Artifact Registry repository id (lowercase letters, digits, hyphens)`);
    }
    return s;
}
