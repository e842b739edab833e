import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { plan, planError, PlanView } from "./harness";
import { gceArchOf } from "../components/arch";
import { assumedRoleArn } from "../components/gcp/federation";
import { clusterKubeconfig, KubeconfigSource, renderKubeconfig } from "../components/gcp/kubeconfig";

const CLUSTER = "gcp:container/cluster:Cluster";
const POOL = "gcp:container/nodePool:NodePool";
const inputs = (view: PlanView, type: string, name: string) => view.get(type, name).inputs as Record<string, any>;

describe("GkeArmCluster", () => {
    let view: PlanView;
    before(async () => {
        view = await plan();
    });

    describe("the cluster", () => {
        it("is a VPC-native cluster in the configured T2A zone, with the default pool removed", () => {
            const c = inputs(view, CLUSTER, "cluster-gke");
            assert.strictEqual(c.name, "armfarm-dev");
            assert.strictEqual(c.location, "us-central1-a");
            assert.strictEqual(c.networkingMode, "VPC_NATIVE");
            assert.deepStrictEqual(c.ipAllocationPolicy, { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
            assert.strictEqual(c.removeDefaultNodePool, true);
            const subnet = inputs(view, "gcp:compute/subnetwork:Subnetwork", "cluster-nodes");
            assert.deepStrictEqual(subnet.secondaryIpRanges.map((r: any) => r.rangeName), ["pods", "services"]);
            assert.strictEqual(subnet.privateIpGoogleAccess, true);
        });

        it("is hardened as the CIS GKE benchmark asks", () => {
            const c = inputs(view, CLUSTER, "cluster-gke");
            assert.deepStrictEqual(c.workloadIdentityConfig, { workloadPool: "armfarm-dev.svc.id.goog" });
            assert.strictEqual(c.enableShieldedNodes, true);
            assert.strictEqual(c.enableLegacyAbac, false);
            assert.deepStrictEqual(c.masterAuth, { clientCertificateConfig: { issueClientCertificate: false } });
            assert.strictEqual(c.privateClusterConfig.enablePrivateNodes, true);
            assert.strictEqual(c.privateClusterConfig.masterIpv4CidrBlock, "172.16.0.32/28");
            assert.deepStrictEqual(c.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock), ["203.0.113.0/24"]);
            assert.strictEqual(c.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, false);
            assert.strictEqual(c.datapathProvider, "ADVANCED_DATAPATH", "Dataplane V2 enforces NetworkPolicy");
            assert.deepStrictEqual(c.releaseChannel, { channel: "REGULAR" });
            const nat = inputs(view, "gcp:compute/routerNat:RouterNat", "cluster-nat");
            assert.strictEqual(nat.sourceSubnetworkIpRangesToNat, "ALL_SUBNETWORKS_ALL_IP_RANGES");
        });

        it("is protected in GKE and in Pulumi, and ignores what the release channel moves", () => {
            const c = view.get(CLUSTER, "cluster-gke");
            assert.strictEqual(c.inputs.deletionProtection, true);
            assert.strictEqual(c.options.protect, true);
            for (const field of ["minMasterVersion", "nodeVersion"]) assert.ok(c.options.ignoreChanges.includes(field), field);
            assert.strictEqual(c.inputs.minMasterVersion, undefined, "no version is pinned");
        });

        it("gives nodes a dedicated service account with only the node role, never the Compute Engine default one", () => {
            const sa = inputs(view, "gcp:serviceaccount/account:Account", "cluster-nodes");
            const bindings = view.ofType("gcp:projects/iAMMember:IAMMember").filter((r) => r.inputs.member === `serviceAccount:${sa.accountId}@armfarm-dev.iam.gserviceaccount.com`);
            assert.deepStrictEqual(bindings.map((b) => b.inputs.role), ["roles/container.defaultNodeServiceAccount"]);
            for (const pool of [...view.ofType(POOL), view.get(CLUSTER, "cluster-gke")]) {
                const nodeConfig = pool.inputs.nodeConfig as any;
                assert.strictEqual(nodeConfig.serviceAccount, "armfarm-dev-nodes@armfarm-dev.iam.gserviceaccount.com", pool.name);
                assert.doesNotMatch(nodeConfig.serviceAccount, /-compute@developer/);
            }
        });
    });

    describe("the control plane's way to Istio's webhooks", () => {
        // GKE's own rule for a private cluster admits only tcp:443 and tcp:10250 from the control plane's /28
        // (GKE, "Automatically created firewall rules"); istiod's webhooks listen on 15017 (istio/istio@1.30.3:
        // manifests/charts/istio-control/istio-discovery/templates/service.yaml, https-webhook targetPort 15017),
        // which istio.io's GKE platform setup says to open on private clusters.
        it("opens tcp:15017 only, from the control plane's range only, to the cluster's nodes only", () => {
            const fw = inputs(view, "gcp:compute/firewall:Firewall", "cluster-mesh-webhooks");
            assert.strictEqual(fw.direction, "INGRESS");
            assert.deepStrictEqual(fw.allows, [{ protocol: "tcp", ports: ["15017"] }]);
            assert.deepStrictEqual(fw.sourceRanges, [inputs(view, CLUSTER, "cluster-gke").privateClusterConfig.masterIpv4CidrBlock]);
            assert.deepStrictEqual(fw.sourceRanges, ["172.16.0.32/28"]);
            assert.deepStrictEqual(fw.targetServiceAccounts, ["armfarm-dev-nodes@armfarm-dev.iam.gserviceaccount.com"]);
            for (const pool of view.ofType(POOL)) assert.strictEqual((pool.inputs.nodeConfig as any).serviceAccount, fw.targetServiceAccounts[0]);
            assert.strictEqual(fw.network, inputs(view, CLUSTER, "cluster-gke").network);
            assert.strictEqual(fw.sourceTags, undefined);
            assert.strictEqual(fw.targetTags, undefined);
        });

        it("follows clusterMasterCidr", async () => {
            const other = await plan({ "armfarm:clusterMasterCidr": "172.16.8.0/28" });
            assert.deepStrictEqual(inputs(other, "gcp:compute/firewall:Firewall", "cluster-mesh-webhooks").sourceRanges, ["172.16.8.0/28"]);
        });
    });

    describe("the project's APIs", () => {
        const SERVICE = "gcp:projects/service:Service";
        /**
         * The API each resource calls, from the services' own references: Compute Engine API (networks, subnets,
         * routers, firewalls), Kubernetes Engine API (clusters, node pools), Artifact Registry API (repositories
         * and their IAM), IAM API (service accounts and their IAM, Workload Identity pools and providers), and
         * Cloud Resource Manager API (project IAM policy, which google_project_iam_member reads and writes:
         * terraform-provider-google, resourcemanager/iam_project.go).
         */
        const API_OF: [RegExp, string][] = [
            [/^gcp:compute\//, "compute.googleapis.com"],
            [/^gcp:container\//, "container.googleapis.com"],
            [/^gcp:artifactregistry\//, "artifactregistry.googleapis.com"],
            [/^gcp:(serviceaccount|iam)\//, "iam.googleapis.com"],
            [/^gcp:projects\/iAMMember:/, "cloudresourcemanager.googleapis.com"],
        ];
        /** Every resource `urn` waits for, directly or through what it waits for. */
        const waitsFor = (v: PlanView, urn: string, seen = new Set<string>()): Set<string> => {
            for (const dep of v.byUrn(urn).options.dependsOn) {
                if (!seen.has(dep)) {
                    seen.add(dep);
                    waitsFor(v, dep, seen);
                }
            }
            return seen;
        };

        it("enables every API the cluster and the keyless pushes call, and leaves them on at destroy", () => {
            const services = view.ofType(SERVICE);
            assert.deepStrictEqual(services.map((r) => r.inputs.service).sort(), [
                "artifactregistry.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com",
                "container.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com",
            ]);
            for (const r of services) {
                assert.strictEqual(r.inputs.project, "armfarm-dev", r.name);
                // Other workloads of the project may use them: destroying the stack must not switch them off.
                assert.deepStrictEqual([r.inputs.disableOnDestroy, r.inputs.disableDependentServices], [false, false], r.name);
            }
        });

        it("makes every GCP resource wait for the API it calls", () => {
            const apiUrn = (api: string) => view.ofType(SERVICE).find((r) => r.inputs.service === api)!.urn;
            const gcpResources = view.resources.filter((r) => r.type.startsWith("gcp:") && r.type !== SERVICE);
            assert.ok(gcpResources.length > 15);
            for (const r of gcpResources) {
                const api = API_OF.find(([pattern]) => pattern.test(r.type))?.[1];
                assert.ok(api, `${r.type} calls an API this spec does not know`);
                assert.ok(waitsFor(view, r.urn).has(apiUrn(api)), `${r.name} (${r.type}) does not wait for ${api}`);
            }
            // A Service reads the project through Resource Manager (resource_google_project_service.go), so the
            // other APIs are enabled after it.
            for (const r of view.ofType(SERVICE).filter((x) => x.inputs.service !== "cloudresourcemanager.googleapis.com")) {
                assert.ok(r.options.dependsOn.includes(apiUrn("cloudresourcemanager.googleapis.com")), r.name);
            }
            // The build hosts exchange their AWS credentials at STS and impersonate the push account through IAM
            // Credentials: both are on before the federation they use exists.
            const provider = view.get("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "cluster-aws");
            for (const api of ["sts.googleapis.com", "iamcredentials.googleapis.com"]) assert.ok(waitsFor(view, provider.urn).has(apiUrn(api)), api);
        });

        it("needs no federation APIs without a role to federate", async () => {
            const alone = await plan({ "armfarm:parts": ["cluster"] });
            assert.deepStrictEqual(alone.ofType(SERVICE).map((r) => r.inputs.service).filter((s) => /sts|iamcredentials/.test(String(s))), []);
        });
    });

    describe("the node pools", () => {
        it("run amd64 and arm64 machine types with their own autoscaling bounds, labelled by architecture", () => {
            const amd = inputs(view, POOL, "cluster-amd64");
            const arm = inputs(view, POOL, "cluster-arm64");
            assert.strictEqual(amd.nodeConfig.machineType, "e2-standard-4");
            assert.strictEqual(arm.nodeConfig.machineType, "t2a-standard-4");
            assert.strictEqual(gceArchOf(amd.nodeConfig.machineType), "amd64");
            assert.strictEqual(gceArchOf(arm.nodeConfig.machineType), "arm64");
            assert.deepStrictEqual(amd.nodeConfig.labels, { "armfarm/pool": "amd64" });
            assert.strictEqual(arm.nodeConfig.resourceLabels["armfarm-arch"], "arm64");
            assert.deepStrictEqual(arm.autoscaling, { locationPolicy: "BALANCED", totalMinNodeCount: 1, totalMaxNodeCount: 3 });
        });

        it("harden every node: shielded, COS_CONTAINERD, GKE metadata server, auto-repair and auto-upgrade", () => {
            for (const pool of view.ofType(POOL)) {
                const n = pool.inputs.nodeConfig as any;
                assert.deepStrictEqual(n.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true }, pool.name);
                assert.strictEqual(n.imageType, "COS_CONTAINERD");
                assert.deepStrictEqual(n.workloadMetadataConfig, { mode: "GKE_METADATA" });
                assert.deepStrictEqual(pool.inputs.management, { autoRepair: true, autoUpgrade: true });
            }
        });

        it("do not fight GKE's arm64 taint: none declared, so no diff and no replacement on a second up", () => {
            for (const pool of view.ofType(POOL)) {
                const n = pool.inputs.nodeConfig as any;
                assert.strictEqual(n.taints, undefined, `${pool.name} declares taints`);
                assert.strictEqual(n.taintConfig, undefined, `${pool.name} overrides GKE's architecture taint`);
                assert.ok(!pool.options.replaceOnChanges.some((f) => /taint/i.test(f)), pool.name);
            }
        });

        it("replace only the pool on a machine type change, creating the new one first", () => {
            for (const pool of view.ofType(POOL)) {
                assert.strictEqual(pool.options.deleteBeforeReplace, false, pool.name);
                assert.deepStrictEqual(pool.options.replaceOnChanges, ["nodeConfig.machineType"], "a new machine type is a new pool");
                assert.strictEqual(pool.inputs.name, undefined, "a fixed name would clash during create-before-delete");
                assert.match(String(pool.inputs.namePrefix), /^(amd64|arm64)-$/);
                assert.ok(pool.options.ignoreChanges.includes("version"), "the release channel moves node versions");
                assert.ok(pool.options.ignoreChanges.includes("initialNodeCount"), "the autoscaler owns the count");
                assert.strictEqual(pool.options.protect, false, "a pool is replaceable; the cluster is what is protected");
            }
        });

        it("keeps a T2A pool in a regional cluster to the region's T2A zones", async () => {
            const regional = await plan({ "armfarm:clusterLocation": undefined });
            const arm = inputs(regional, POOL, "cluster-arm64");
            assert.strictEqual(inputs(regional, CLUSTER, "cluster-gke").location, "us-central1");
            assert.deepStrictEqual(arm.nodeLocations, ["us-central1-a", "us-central1-b", "us-central1-f"]);
            assert.strictEqual(inputs(regional, POOL, "cluster-amd64").nodeLocations, undefined);
        });

        it("takes spot and Axion C4A (on Hyperdisk) when asked", async () => {
            const c4a = await plan({ "armfarm:clusterArm64MachineType": "c4a-standard-4", "armfarm:clusterArm64Spot": true });
            const arm = inputs(c4a, POOL, "cluster-arm64");
            assert.strictEqual(arm.nodeConfig.machineType, "c4a-standard-4");
            assert.strictEqual(arm.nodeConfig.spot, true);
            assert.strictEqual(arm.nodeConfig.diskType, "hyperdisk-balanced");
            assert.strictEqual(inputs(c4a, POOL, "cluster-amd64").nodeConfig.spot, false);
        });
    });

    describe("the hub and the federation", () => {
        it("is a protected Docker repository with immutable tags, readable by the nodes", () => {
            const repo = view.get("gcp:artifactregistry/repository:Repository", "cluster-hub");
            assert.strictEqual(repo.inputs.format, "DOCKER");
            assert.deepStrictEqual(repo.inputs.dockerConfig, { immutableTags: true });
            assert.strictEqual(repo.inputs.location, "us-central1");
            assert.strictEqual(repo.options.protect, true);
            const reader = inputs(view, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "cluster-hub-nodes");
            assert.strictEqual(reader.role, "roles/artifactregistry.reader");
            assert.strictEqual(reader.member, "serviceAccount:armfarm-dev-nodes@armfarm-dev.iam.gserviceaccount.com");
            assert.strictEqual(view.outputs.clusterHub, "us-central1-docker.pkg.dev/armfarm-dev/armfarm-dev-istio");
        });

        it("lets only the farm's host role push, through Workload Identity Federation", () => {
            const provider = inputs(view, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "cluster-aws");
            assert.deepStrictEqual(provider.aws, { accountId: "123456789012" });
            assert.strictEqual(provider.attributeCondition, 'attribute.aws_role == "arn:aws:sts::123456789012:assumed-role/armfarm-dev-farm-host"');
            const writer = inputs(view, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "cluster-hub-pusher");
            assert.strictEqual(writer.role, "roles/artifactregistry.writer");
            assert.strictEqual(writer.member, "serviceAccount:armfarm-dev-push@armfarm-dev.iam.gserviceaccount.com");
            const impersonation = inputs(view, "gcp:serviceaccount/iAMMember:IAMMember", "cluster-pusher-federated");
            assert.strictEqual(impersonation.role, "roles/iam.workloadIdentityUser");
            assert.strictEqual(impersonation.member,
                "principalSet://iam.googleapis.com/projects/424242424242/locations/global/workloadIdentityPools/armfarm-dev-aws/attribute.aws_role/arn:aws:sts::123456789012:assumed-role/armfarm-dev-farm-host");
            assert.strictEqual(view.outputs.clusterFederationProvider,
                "projects/424242424242/locations/global/workloadIdentityPools/armfarm-dev-aws/providers/farm-hosts");
            assert.strictEqual(view.outputs.clusterPushServiceAccount, "armfarm-dev-push@armfarm-dev.iam.gserviceaccount.com");
        });

        it("has no federation without a build host role, and takes one from config in a cluster-only stack", async () => {
            const alone = await plan({ "armfarm:parts": ["cluster"] });
            assert.strictEqual(alone.ofType("gcp:iam/workloadIdentityPool:WorkloadIdentityPool").length, 0);
            assert.strictEqual(alone.outputs.clusterFederationProvider, undefined);
            const named = await plan({ "armfarm:parts": ["cluster"], "armfarm:clusterPushRoleArn": "arn:aws:iam::210987654321:role/ci/builder" });
            const provider = inputs(named, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "cluster-aws");
            assert.deepStrictEqual(provider.aws, { accountId: "210987654321" });
            assert.strictEqual(provider.attributeCondition, 'attribute.aws_role == "arn:aws:sts::210987654321:assumed-role/builder"');
        });
    });

    describe("outputs", () => {
        it("a secret kubeconfig, the pools with their architectures, and a kubernetes provider under the component", () => {
            assert.strictEqual(view.outputs.kubeconfig, "[secret]");
            const pools = view.outputs.nodePools as any[];
            assert.deepStrictEqual(pools.map((p) => [p.arch, p.machineType]), [["amd64", "e2-standard-4"], ["arm64", "t2a-standard-4"]]);
            assert.ok(pools.every((p) => p.name.startsWith(`${p.arch}-`)));
            assert.deepStrictEqual(view.outputs.nodeArchitectures, ["amd64", "arm64"]);
            const k8s = view.get("pulumi:providers:kubernetes", "cluster-k8s");
            assert.strictEqual(k8s.parent, view.get("armfarm:gcp:GkeArmCluster", "cluster").urn);
            assert.strictEqual(k8s.inputs.kubeconfig, "[secret]");
        });

        it("the kubeconfig authenticates with gke-gcloud-auth-plugin and holds no credential", () => {
            const doc = YAML.parse(renderKubeconfig("gke_p_us-central1-a_c", "gke-0123-424242424242.us-central1.gke.goog"));
            const exec = doc.users[0].user.exec;
            assert.strictEqual(exec.command, "gke-gcloud-auth-plugin");
            assert.strictEqual(exec.apiVersion, "client.authentication.k8s.io/v1beta1");
            assert.deepStrictEqual(Object.keys(doc.users[0].user), ["exec"]);
        });
    });

    describe("access for CI and laptops: the DNS-based endpoint", () => {
        // GKE "About network isolation": every cluster has a DNS-based endpoint, reachable from anywhere that
        // reaches Google Cloud APIs, each request authorized by IAM; @pulumi/gcp 9.37 types/input.d.ts,
        // ClusterControlPlaneEndpointsConfigDnsEndpointConfig.allowExternalTraffic lets user traffic over it.
        it("opens the DNS endpoint to outside traffic and keeps the IP endpoint behind the authorized networks", () => {
            const c = inputs(view, CLUSTER, "cluster-gke");
            assert.deepStrictEqual(c.controlPlaneEndpointsConfig, { dnsEndpointConfig: { allowExternalTraffic: true }, ipEndpointsConfig: { enabled: true } });
            assert.strictEqual(c.privateClusterConfig.enablePrivateEndpoint, false);
            assert.deepStrictEqual(c.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock), ["203.0.113.0/24"]);
            assert.strictEqual(c.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, false);
            const component = view.get("armfarm:gcp:GkeArmCluster", "cluster");
            assert.match(String(component.outputs?.dnsEndpoint), /^gke-[0-9a-f]+-\d+\.us-central1\.gke\.goog$/);
        });

        it("points the kubeconfig (and so the mesh's provider) at the DNS endpoint, without the cluster CA", async () => {
            const cluster = {
                location: pulumi.output("us-central1-a"), name: pulumi.output("armfarm-dev"),
                controlPlaneEndpointsConfig: pulumi.output({
                    dnsEndpointConfig: { endpoint: "gke-5f3a-424242424242.us-central1.gke.goog" }, ipEndpointsConfig: { enabled: true },
                }),
            } as unknown as KubeconfigSource;
            const kubeconfig = clusterKubeconfig("armfarm-dev", cluster);
            assert.strictEqual(await pulumi.isSecret(kubeconfig), true);
            const doc = YAML.parse(await new Promise<string>((resolve) => kubeconfig.apply(resolve)));
            assert.strictEqual(doc["current-context"], "gke_armfarm-dev_us-central1-a_armfarm-dev");
            // The DNS endpoint's certificate is publicly trusted, not signed by the cluster CA: pinning that CA
            // fails the handshake (hashicorp/terraform-provider-kubernetes #2637, gke-labs/kube-agents #1806).
            assert.deepStrictEqual(doc.clusters[0].cluster, { server: "https://gke-5f3a-424242424242.us-central1.gke.goog" });
        });
    });

    describe("validation, before anything is registered", () => {
        it("refuses an arm pool type that is not arm64", async () => {
            assert.match(await planError({ "armfarm:clusterArm64MachineType": "n2d-standard-4" }),
                /armfarm:clusterArm64MachineType: "n2d-standard-4" is an amd64 machine type, not arm64; use a type of the t2a, c4a, n4a families/);
        });

        it("refuses an amd64 pool type that is arm64", async () => {
            assert.match(await planError({ "armfarm:clusterAmd64MachineType": "t2a-standard-8" }),
                /armfarm:clusterAmd64MachineType: "t2a-standard-8" is an arm64 machine type, not amd64/);
        });

        it("refuses a T2A size Compute Engine does not offer, naming the ones it does", async () => {
            // Compute Engine "General-purpose machine family", T2A machine types: t2a-standard-1, 2, 4, 8, 16, 32, 48.
            assert.match(await planError({ "armfarm:clusterArm64MachineType": "t2a-standard-3" }),
                /armfarm:clusterArm64MachineType: "t2a-standard-3" is not a Tau T2A machine type; T2A comes as t2a-standard-1, t2a-standard-2, t2a-standard-4, t2a-standard-8, t2a-standard-16, t2a-standard-32, t2a-standard-48/);
            assert.match(await planError({ "armfarm:clusterArm64MachineType": "t2a-highmem-4" }), /"t2a-highmem-4" is not a Tau T2A machine type/);
            const largest = await plan({ "armfarm:clusterArm64MachineType": "t2a-standard-48" });
            assert.strictEqual(inputs(largest, POOL, "cluster-arm64").nodeConfig.machineType, "t2a-standard-48");
        });

        it("takes an Axion N4A pool (GKE \"Arm workloads on GKE\" lists C4A, N4A and T2A), on Hyperdisk", async () => {
            const n4a = await plan({ "armfarm:clusterArm64MachineType": "n4a-standard-8" });
            const arm = inputs(n4a, POOL, "cluster-arm64");
            assert.deepStrictEqual([arm.nodeConfig.machineType, arm.nodeConfig.diskType], ["n4a-standard-8", "hyperdisk-balanced"]);
            assert.deepStrictEqual(n4a.outputs.nodeArchitectures, ["amd64", "arm64"]);
        });

        it("refuses a zone or a region without T2A", async () => {
            assert.match(await planError({ "armfarm:clusterLocation": "us-central1-c" }),
                /armfarm:clusterLocation: "us-central1-c" has no Tau T2A machines; T2A runs in us-central1-a/);
            assert.match(await planError({ "gcp:region": "us-west1", "armfarm:clusterLocation": undefined }),
                /gcp:region: "us-west1" has no Tau T2A machines/);
        });

        it("refuses autoscaling bounds out of order", async () => {
            assert.match(await planError({ "armfarm:clusterArm64MinNodes": 4, "armfarm:clusterArm64MaxNodes": 2 }),
                /armfarm:clusterArm64MaxNodes: 2 is below armfarm:clusterArm64MinNodes 4/);
        });

        it("requires the GCP project and region when the cluster part is on, and only then", async () => {
            const message = await planError({ "gcp:project": undefined, "gcp:region": undefined });
            assert.match(message, /gcp:project: is not set; a GCP project id/);
            assert.match(message, /gcp:region: is not set; a GCP region/);
            const farmOnly = await plan({ "armfarm:parts": ["farm"], "gcp:project": undefined, "gcp:region": undefined });
            assert.strictEqual(farmOnly.ofType(CLUSTER).length, 0);
        });

        it("refuses a location outside gcp:region and overlapping ranges", async () => {
            const message = await planError({ "armfarm:clusterLocation": "europe-west4-a", "armfarm:clusterPodCidr": "10.60.0.0/14" });
            assert.match(message, /armfarm:clusterLocation: "europe-west4-a" is not accepted; use gcp:region "us-central1"/);
            assert.match(message, /armfarm:clusterPodCidr: "10.60.0.0\/14" overlaps armfarm:clusterSubnetCidr/);
        });
    });
});

describe("the build hosts' federation", () => {
    it("derives the assumed-role ARN a session presents, without the role's path", () => {
        assert.strictEqual(assumedRoleArn("arn:aws:iam::123456789012:role/path/to/farm-host-1a2b3c4"), "arn:aws:sts::123456789012:assumed-role/farm-host-1a2b3c4");
        assert.throws(() => assumedRoleArn("arn:aws:iam::123456789012:user/alice"), /not an IAM role ARN/);
    });
});
