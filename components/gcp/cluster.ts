import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ARM64_TAINT, KubeArch, KUBE_ARCHES } from "../arch";
import { createNodeIdentity, createNodePool, NodePoolInfo } from "./node-pools";
import { artifactRegistryHub, createHub, grantHubReads } from "./registry";
import { createFederation, IAM_ROLE_ARN, IAM_ROLE_ARN_ACCEPTED } from "./federation";
import { enableClusterApis, enableFederationApis, needing } from "./apis";
import { GkeArmClusterArgs, validate } from "./cluster-args";
import { clusterGate, readExistingCluster } from "./existing-cluster";
import { attachToExisting, createOwnCluster } from "./cluster-target";

export type { GkeArmClusterArgs } from "./cluster-args";
export type { ExistingClusterRef } from "./existing-cluster";

/**
 * A hardened GKE cluster for a mixed-arch mesh: an amd64 pool and an arm64 (Tau T2A, or Axion C4A or N4A) pool side
 * by side, private nodes behind Cloud NAT, an Artifact Registry hub the nodes read, and (given the build
 * hosts' AWS role) a keyless identity for the build to push there. Exposes a kubeconfig and a kubernetes
 * provider for the mesh. Given `existingCluster`, it creates no network or cluster: it adds the arm64 pool (and
 * the amd64 pool, when asked) to that cluster, with the same hardening, beside the hub and the identities.
 */
export class GkeArmCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly location: string;
    /** The control plane's IP endpoint (on a cluster of its own, open to the master authorized networks only). */
    public readonly endpoint: pulumi.Output<string>;
    /**
     * The control plane's DNS-based endpoint (`<id>.<region>.gke.goog`), authorized by IAM; the kubeconfig's server.
     * Empty for an existing cluster whose DNS endpoint takes no outside traffic (the kubeconfig then uses `endpoint`).
     */
    public readonly dnsEndpoint: pulumi.Output<string>;
    /** Kubeconfig using gke-gcloud-auth-plugin (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** A kubernetes provider for the cluster, for the mesh. */
    public readonly provider: k8s.Provider;
    /**
     * What a workload on the cluster waits for: the node pools it schedules onto, and the firewall rule that lets
     * the control plane reach admission webhooks on them (an element may be an Output of a list, as `dependsOn`
     * reads it).
     */
    public readonly nodesReady: pulumi.Input<pulumi.Resource>[];
    /** Each pool the component adds: its name, machine type and architecture. */
    public readonly nodePools: pulumi.Output<NodePoolInfo[]>;
    /** The architectures the cluster's nodes run (an existing cluster's own pools included), for the mesh's preflight. */
    public readonly architectures: pulumi.Output<KubeArch[]>;
    /** The taint GKE puts on arm64 nodes; pods that may run there tolerate it. */
    public readonly arm64Taint = ARM64_TAINT;
    /** `<region>-docker.pkg.dev/<project>/<repository>`: the hub images are published to. */
    public readonly hub: pulumi.Output<string>;
    /** The same hub as a plain string, when the project is one (as from config): what a build keys its runs on. */
    public readonly hubAddress?: string;
    /** The AWS role whose sessions may push to the hub (undefined without federation). */
    public readonly pushRoleArn?: pulumi.Output<string>;
    public readonly nodeServiceAccountEmail: pulumi.Output<string>;
    /** Full resource name of the Workload Identity Federation provider (undefined without federation). */
    public readonly federationProvider?: pulumi.Output<string>;
    /** The service account the build hosts impersonate to push (undefined without federation). */
    public readonly pushServiceAccountEmail?: pulumi.Output<string>;

    constructor(name: string, args: GkeArmClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:gcp:GkeArmCluster", name, args, opts);
        const s = validate(args);
        const labels = { ...s.labels, "armfarm-cluster": s.clusterName, "managed-by": "pulumi" };
        const facts = s.existingCluster && readExistingCluster(s.existingCluster, { parent: this });
        // On an existing cluster, nothing is created before it was read and found able to host the pools.
        const parent: pulumi.CustomResourceOptions = { parent: this, ...(facts ? { dependsOn: [clusterGate(facts)] } : {}) };

        const apis = enableClusterApis(name, s.project, parent);
        const nodes = createNodeIdentity(name, s.project, s, apis, parent);
        const target = facts ? attachToExisting(name, s, facts, nodes, apis, parent) : createOwnCluster(name, s, labels, nodes, apis, parent);
        const poolSettings = { project: s.project, location: s.location, diskSizeGb: s.diskSizeGb, labels };
        const pools = KUBE_ARCHES.flatMap((arch) => {
            const spec = s.pools[arch];
            return spec ? [{ arch, spec, pool: createNodePool(name, arch, spec, poolSettings, target.name, nodes, needing(parent, apis.container)) }] : [];
        });
        const hub = createHub(name, { project: s.project, region: s.region, repositoryId: s.registryName, labels }, nodes.email,
            needing(parent, apis.artifactregistry));
        if (facts) grantHubReads(name, hub.repository, target.otherAccounts, needing(parent, apis.artifactregistry));

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
            this.pushRoleArn = pulumi.output(args.buildHostRoleArn);
            this.pushServiceAccountEmail = federation.pushServiceAccountEmail;
        }

        this.clusterName = target.name;
        this.location = s.location;
        this.endpoint = target.endpoint;
        this.dnsEndpoint = target.dnsEndpoint;
        this.kubeconfig = target.kubeconfig;
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, parent);
        this.nodePools = pulumi.all(pools.map(({ arch, spec, pool }) => pool.name.apply((poolName): NodePoolInfo =>
            ({ name: poolName, machineType: spec.machineType, arch, spot: spec.spot }))));
        this.architectures = target.otherArchitectures.apply((others) => KUBE_ARCHES.filter((a) => others.includes(a) || pools.some((p) => p.arch === a)));
        // dependsOn's type names single resources; at run time an Output of a list of them is read the same way.
        this.nodesReady = [...pools.map((p) => p.pool), target.webhookRules as unknown as pulumi.Input<pulumi.Resource>];
        this.hub = hub.url;
        this.hubAddress = typeof s.project === "string" ? artifactRegistryHub(s.region, s.project, s.registryName) : undefined;
        this.nodeServiceAccountEmail = nodes.email;
        this.registerOutputs({
            clusterName: this.clusterName, endpoint: this.endpoint, dnsEndpoint: this.dnsEndpoint, kubeconfig: this.kubeconfig, nodePools: this.nodePools,
            architectures: this.architectures, hub: this.hub, federationProvider: this.federationProvider, pushServiceAccountEmail: this.pushServiceAccountEmail,
        });
    }
}

function accountOfChecked(roleArn: string): string {
    const m = IAM_ROLE_ARN.exec(roleArn);
    if (!m) throw new pulumi.InputPropertyError({ propertyPath: "buildHostRoleArn", reason: `${JSON.stringify(roleArn)} is not ${IAM_ROLE_ARN_ACCEPTED}` });
    return m[2];
}
