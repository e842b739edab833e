import { FAKE_GCP_PROJECT_NUMBER, MockTable, stableHex, stackConfig } from "./fake";

const project = (inputs: Record<string, any>) => (inputs.project as string | undefined) ?? stackConfig("gcp:project", "armfarm-dev");
const region = (inputs: Record<string, any>) => (inputs.region as string | undefined) ?? stackConfig("gcp:region", "us-central1");
const selfLink = (path: string) => `https://www.googleapis.com/compute/v1/${path}`;

/** A base64 PEM-shaped CA certificate, derived from the cluster's name (not a real certificate). */
function fakeCaCertificate(name: string): string {
    const body = stableHex(64, "ca", name).repeat(6).match(/.{1,64}/g)!.join("\n");
    return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

/** GCP: what the Compute, GKE, Artifact Registry and IAM APIs answer, shaped as the provider returns it. */
export const gcpMocks: MockTable = {
    resources: {
        "gcp:compute/network:Network": (name, inputs) => {
            const n = inputs.name ?? `${name}-${stableHex(7, name)}`;
            return { id: `projects/${project(inputs)}/global/networks/${n}`, name: n, selfLink: selfLink(`projects/${project(inputs)}/global/networks/${n}`), project: project(inputs) };
        },
        "gcp:compute/subnetwork:Subnetwork": (name, inputs) => {
            const n = inputs.name ?? `${name}-${stableHex(7, name)}`;
            const path = `projects/${project(inputs)}/regions/${region(inputs)}/subnetworks/${n}`;
            return { id: path, name: n, selfLink: selfLink(path), gatewayAddress: "10.60.0.1", project: project(inputs) };
        },
        "gcp:compute/router:Router": (name, inputs) => {
            const n = inputs.name ?? `${name}-${stableHex(7, name)}`;
            return { id: `projects/${project(inputs)}/regions/${region(inputs)}/routers/${n}`, name: n, project: project(inputs) };
        },
        "gcp:compute/routerNat:RouterNat": (name, inputs) => {
            const n = inputs.name ?? `${name}-${stableHex(7, name)}`;
            return { id: `${project(inputs)}/${region(inputs)}/${inputs.router}/${n}`, name: n, project: project(inputs) };
        },
        // A firewall rule's name is the given one or Pulumi's auto-name; Compute reports its path and self link.
        "gcp:compute/firewall:Firewall": (name, inputs) => {
            const n = inputs.name ?? `${name}-${stableHex(7, name)}`;
            const path = `projects/${project(inputs)}/global/firewalls/${n}`;
            return { id: path, name: n, selfLink: selfLink(path), project: project(inputs), disabled: false, creationTimestamp: "2026-01-01T00:00:00.000-08:00" };
        },
        "gcp:serviceaccount/account:Account": (name, inputs) => {
            const email = `${inputs.accountId}@${project(inputs)}.iam.gserviceaccount.com`;
            return {
                id: `projects/${project(inputs)}/serviceAccounts/${email}`, name: `projects/${project(inputs)}/serviceAccounts/${email}`,
                email, member: `serviceAccount:${email}`, uniqueId: `1${stableHex(20, name).replace(/[a-f]/g, "7")}`, project: project(inputs),
            };
        },
        "gcp:projects/iAMMember:IAMMember": (name, inputs) => ({ id: `${inputs.project}/${inputs.role}/${inputs.member}`, etag: `BwX${stableHex(9, name)}` }),
        "gcp:serviceaccount/iAMMember:IAMMember": (name, inputs) => ({ id: `${inputs.serviceAccountId}/${inputs.role}/${inputs.member}`, etag: `BwX${stableHex(9, name)}` }),
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (name, inputs) => ({ id: `${inputs.repository}/${inputs.role}/${inputs.member}`, etag: `BwX${stableHex(9, name)}` }),
        "gcp:artifactregistry/repository:Repository": (name, inputs) => {
            const path = `projects/${project(inputs)}/locations/${inputs.location}/repositories/${inputs.repositoryId}`;
            return { id: path, name: inputs.repositoryId, project: project(inputs), createTime: "2026-01-01T00:00:00Z", registryUri: `${inputs.location}-docker.pkg.dev/${project(inputs)}/${inputs.repositoryId}` };
        },
        "gcp:container/cluster:Cluster": (name, inputs) => {
            const octets = Buffer.from(stableHex(6, "endpoint", name), "hex");
            return {
                id: `projects/${project(inputs)}/locations/${inputs.location}/clusters/${inputs.name}`,
                project: project(inputs),
                endpoint: `34.${octets[0]}.${octets[1]}.${octets[2]}`,
                // GKE gives every cluster a DNS-based endpoint, `<id>.<region>.gke.goog` (GKE API,
                // ControlPlaneEndpointsConfig.DNSEndpointConfig.endpoint: "Ex: uid.us-central1.gke.goog").
                controlPlaneEndpointsConfig: {
                    ...inputs.controlPlaneEndpointsConfig,
                    dnsEndpointConfig: {
                        ...inputs.controlPlaneEndpointsConfig?.dnsEndpointConfig,
                        endpoint: `gke-${stableHex(32, "dns", name)}-${FAKE_GCP_PROJECT_NUMBER}.${String(inputs.location).replace(/-[a-z]$/, "")}.gke.goog`,
                    },
                },
                masterAuth: { ...inputs.masterAuth, clusterCaCertificate: fakeCaCertificate(String(inputs.name)) },
                masterVersion: "1.33.5-gke.1201000",
                selfLink: `https://container.googleapis.com/v1/projects/${project(inputs)}/locations/${inputs.location}/clusters/${inputs.name}`,
                labelFingerprint: stableHex(8, name),
            };
        },
        // The provider names a pool from its prefix plus a unique suffix; GKE reports the arch taint it added.
        "gcp:container/nodePool:NodePool": (name, inputs) => {
            const poolName = inputs.name ?? `${inputs.namePrefix ?? "tf-"}${stableHex(26, name)}`;
            // The Arm series GKE taints (GKE "Arm workloads on GKE": T2A, C4A, N4A).
            const arm = /^(t2a|c4a|n4a)-/.test(String(inputs.nodeConfig?.machineType));
            return {
                id: `projects/${project(inputs)}/locations/${inputs.location}/clusters/${inputs.cluster}/nodePools/${poolName}`,
                name: poolName,
                version: "1.33.5-gke.1201000",
                nodeConfig: {
                    ...inputs.nodeConfig,
                    effectiveTaints: arm ? [{ key: "kubernetes.io/arch", value: "arm64", effect: "NO_SCHEDULE" }] : [],
                },
            };
        },
        "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (name, inputs) => ({
            id: `projects/${project(inputs)}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`,
            name: `projects/${FAKE_GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`,
            state: "ACTIVE",
        }),
        "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (name, inputs) => ({
            id: `projects/${project(inputs)}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`,
            name: `projects/${FAKE_GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`,
            state: "ACTIVE",
        }),
    },
    invokes: {},
};
