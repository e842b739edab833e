/**
 * A cluster stack that adds armfarm's pools to a GKE cluster made elsewhere (armfarm:clusterExisting), planned
 * offline against clusters the plan's fake GKE knows (scripts/plan/mocks/gcp-clusters.ts).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { planStackFile, planStackFileError, PlanView } from "./harness";
import { misfits } from "./gcp-schema";
import { validate } from "../components/gcp/cluster-args";
import { existingClusterKubeconfig } from "../components/gcp/kubeconfig";
import { gcpClusterMocks } from "../scripts/plan/mocks/gcp-clusters";
import { manifestsFor } from "../scripts/plan/mocks/registry";

const POOL = "gcp:container/nodePool:NodePool";
const FIREWALL = "gcp:compute/firewall:Firewall";
const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";
const PROD_1 = "projects/acme-prod/locations/us-central1/clusters/prod-1";
/** A cluster stack and its mesh, on the team's prod-1, as a stack file holds it. */
const STACK = {
    "armfarm:parts": ["cluster", "mesh"],
    "armfarm:clusterExisting": PROD_1,
    "armfarm:meshHub": "docker.io/istio",
    "armfarm:meshTag": "1.30.3",
};
const attach = (overrides: Record<string, unknown> = {}) => planStackFile({ ...STACK, ...overrides }, "prod");
const attachError = (overrides: Record<string, unknown> = {}, options = {}) => planStackFileError({ ...STACK, ...overrides }, "prod", options);
const inputs = (view: PlanView, type: string, name: string) => view.get(type, name).inputs as Record<string, any>;

describe("adding the pools to an existing cluster (armfarm:clusterExisting)", () => {
    let view: PlanView;
    before(async () => {
        view = await attach();
    });

    it("creates no network, cluster or control plane, and never manages the cluster", () => {
        for (const type of ["gcp:container/cluster:Cluster", "gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork",
            "gcp:compute/router:Router", "gcp:compute/routerNat:RouterNat"]) {
            assert.deepStrictEqual(view.ofType(type), [], type);
        }
        // Nothing reads the cluster as a resource (a Cluster.get would make it part of the stack's state).
        assert.ok(!view.resources.some((r) => r.type.startsWith("gcp:container/cluster")));
        assert.deepStrictEqual([view.outputs.clusterName, view.outputs.clusterLocation], ["prod-1", "us-central1"]);
    });

    it("adds the arm64 pool to it, hardened as on a cluster of armfarm's own, in the region's T2A zones", async () => {
        const pool = inputs(view, POOL, "cluster-arm64");
        assert.deepStrictEqual([pool.project, pool.cluster, pool.location], ["acme-prod", "prod-1", "us-central1"]);
        assert.deepStrictEqual(pool.nodeLocations, ["us-central1-a", "us-central1-b", "us-central1-f"]);
        assert.deepStrictEqual(view.ofType(POOL).map((r) => r.name), ["cluster-arm64"], "no amd64 pool unless asked");
        const own = (await planStackFile({ "armfarm:parts": ["cluster"], "gcp:project": "acme-prod", "gcp:region": "us-central1" }, "prod"))
            .get(POOL, "cluster-arm64").inputs as Record<string, any>;
        const shared = (n: Record<string, any>) => ({ ...n, serviceAccount: undefined, resourceLabels: undefined });
        assert.deepStrictEqual(shared(pool.nodeConfig), shared(own.nodeConfig));
        assert.deepStrictEqual([pool.management, pool.upgradeSettings, pool.autoscaling], [own.management, own.upgradeSettings, own.autoscaling]);
        assert.deepStrictEqual(pool.nodeConfig.workloadMetadataConfig, { mode: "GKE_METADATA" });
        assert.strictEqual(pool.nodeConfig.serviceAccount, "armfarm-prod-nodes@acme-prod.iam.gserviceaccount.com");
    });

    it("adds the amd64 pool only when clusterExistingAmd64Pool asks, with the clusterAmd64 keys", async () => {
        const both = await attach({ "armfarm:clusterExistingAmd64Pool": true, "armfarm:clusterAmd64MachineType": "n2d-standard-4" });
        assert.deepStrictEqual(both.ofType(POOL).map((r) => [r.name, (r.inputs.nodeConfig as any).machineType]),
            [["cluster-amd64", "n2d-standard-4"], ["cluster-arm64", "t2a-standard-4"]]);
    });

    it("opens istiod's webhook port from the control-plane range GKE reports, on the cluster's network, to every pool's nodes", () => {
        const rule = inputs(view, FIREWALL, "cluster-mesh-webhooks");
        // The cluster's privateClusterConfig.masterIpv4CidrBlock and networkConfig.network, as the fake GKE reports them.
        assert.deepStrictEqual(rule.sourceRanges, ["172.16.0.16/28"]);
        assert.strictEqual(rule.network, "projects/acme-prod/global/networks/prod-vpc");
        assert.deepStrictEqual(rule.allows, [{ protocol: "tcp", ports: ["15017"] }]);
        assert.strictEqual(rule.name, "armfarm-prod-mesh-webhooks");
        assert.strictEqual(rule.project, "acme-prod");
        // Its own pools' accounts (the default-pool on the Compute Engine default account, by the project number), and armfarm's.
        assert.deepStrictEqual(rule.targetServiceAccounts, [
            "424242424242-compute@developer.gserviceaccount.com", "apps-nodes@acme-prod.iam.gserviceaccount.com",
            "armfarm-prod-nodes@acme-prod.iam.gserviceaccount.com",
        ]);
        for (const r of view.ofType("kubernetes:helm.sh/v3:Release")) {
            assert.strictEqual(r.options.provider, view.get("pulumi:providers:kubernetes", "cluster-k8s").urn, `${r.name} installs on prod-1`);
            assert.ok(r.options.dependsOn.includes(view.get(FIREWALL, "cluster-mesh-webhooks").urn), `${r.name} waits for the rule`);
            assert.ok(r.options.dependsOn.includes(view.get(POOL, "cluster-arm64").urn), `${r.name} waits for the pool`);
        }
    });

    it("makes the rule in a Shared VPC's host project, where the cluster's network is", async () => {
        const shared = await attach({ "armfarm:clusterExisting": "projects/acme-prod/locations/europe-west4/clusters/shared-1" });
        const rule = inputs(shared, FIREWALL, "cluster-mesh-webhooks");
        assert.deepStrictEqual([rule.project, rule.network, rule.sourceRanges], ["acme-net", "projects/acme-net/global/networks/shared-vpc", ["172.16.4.0/28"]]);
        assert.deepStrictEqual(inputs(shared, POOL, "cluster-arm64").nodeLocations, ["europe-west4-a", "europe-west4-b"]);
    });

    it("keeps its own hub in the cluster's project and region, readable by every pool of the cluster", () => {
        assert.strictEqual(view.outputs.clusterHub, "us-central1-docker.pkg.dev/acme-prod/armfarm-prod-istio");
        const readers = view.ofType("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").map((r) => [r.inputs.role, r.inputs.member]).sort();
        assert.deepStrictEqual(readers, [
            ["roles/artifactregistry.reader", "serviceAccount:424242424242-compute@developer.gserviceaccount.com"],
            ["roles/artifactregistry.reader", "serviceAccount:apps-nodes@acme-prod.iam.gserviceaccount.com"],
            ["roles/artifactregistry.reader", "serviceAccount:armfarm-prod-nodes@acme-prod.iam.gserviceaccount.com"],
        ]);
        assert.strictEqual(view.get("gcp:artifactregistry/repository:Repository", "cluster-hub").options.protect, true);
    });

    it("has the mesh check every architecture the cluster runs: its own amd64 pools and the added arm64 pool", async () => {
        assert.deepStrictEqual(view.outputs.nodeArchitectures, ["amd64", "arm64"]);
        // An arm64-only hub: the cluster's own amd64 pools would run the mesh's pods too, so the preflight refuses it.
        const message = await attachError({}, { mocks: { invokes: { [MANIFESTS]: (i: Record<string, any>) => manifestsFor(String(i.name), ["linux/arm64"]) } } });
        assert.match(message, /docker\.io\/istio\/(pilot|proxyv2):1\.30\.3-distroless has no linux\/amd64 image/);
    });

    it("reaches the cluster through its DNS-based endpoint, without the cluster CA", async () => {
        const component = view.get("armfarm:gcp:GkeArmCluster", "cluster");
        assert.match(String(component.outputs?.dnsEndpoint), /^gke-[0-9a-f]+-\d+\.us-central1\.gke\.goog$/);
        assert.strictEqual(view.get("pulumi:providers:kubernetes", "cluster-k8s").inputs.kubeconfig, "[secret]");
        const doc = YAML.parse(await value(existingClusterKubeconfig({ project: "acme-prod", location: "us-central1", name: "prod-1" },
            pulumi.output({ dnsEndpoint: "gke-1-424242424242.us-central1.gke.goog", endpoint: "34.1.2.3", caCertificate: "Q0E=" }))));
        assert.deepStrictEqual(doc.clusters[0].cluster, { server: "https://gke-1-424242424242.us-central1.gke.goog" });
        assert.strictEqual(doc["current-context"], "gke_acme-prod_us-central1_prod-1");
    });

    it("falls back to the IP endpoint and the cluster CA when the DNS endpoint takes no outside traffic", async () => {
        const doc = YAML.parse(await value(existingClusterKubeconfig({ project: "acme-prod", location: "us-central1-a", name: "edge-1" },
            pulumi.output({ dnsEndpoint: "", endpoint: "10.7.8.2", caCertificate: "Q0E=" }))));
        assert.deepStrictEqual(doc.clusters[0].cluster, { server: "https://10.7.8.2", "certificate-authority-data": "Q0E=" });
        const edge = await attach({ "armfarm:clusterExisting": "projects/acme-prod/locations/us-central1-a/clusters/edge-1" });
        assert.strictEqual(edge.get("armfarm:gcp:GkeArmCluster", "cluster").outputs?.dnsEndpoint, "", "no DNS endpoint to use");
        // Private nodes without a peered control-plane range: no rule armfarm could scope (the plan warns).
        assert.deepStrictEqual(edge.ofType(FIREWALL), []);
        assert.deepStrictEqual(edge.outputs.nodeArchitectures, ["arm64"], "its own pool is Axion C4A, the added one T2A");
    });

    describe("checks that the cluster can host the pools, before anything is created", () => {
        it("refuses a cluster without Workload Identity, naming the key and the fix", async () => {
            const registered: string[] = [];
            const message = await attachError({ "armfarm:clusterExisting": "projects/acme-prod/locations/europe-west4-b/clusters/legacy-1" }, {
                mocks: { resources: { "gcp:projects/service:Service": (name: string) => { registered.push(name); return {}; } } },
            });
            assert.match(message, /armfarm:clusterExisting.*legacy-1 has Workload Identity off/);
            assert.match(message, /gcloud container clusters update legacy-1 --location europe-west4-b --workload-pool=acme-prod\.svc\.id\.goog/);
            assert.deepStrictEqual(registered, [], "no resource was created");
        });

        it("refuses an Autopilot cluster and a cluster that does not exist", async () => {
            assert.match(await attachError({ "armfarm:clusterExisting": "projects/acme-prod/locations/us-central1/clusters/auto-1" }),
                /auto-1 is an Autopilot cluster, whose nodes GKE manages: no node pool can be added; name a Standard cluster/);
            assert.match(await attachError({ "armfarm:clusterExisting": "projects/acme-prod/locations/us-central1/clusters/prod-2" }),
                /existingCluster \(armfarm:clusterExisting\): projects\/acme-prod\/locations\/us-central1\/clusters\/prod-2 not found; name a cluster this project's GKE API lists/);
        });

        it("refuses a location without the arm64 series, naming both keys that can change", async () => {
            // Compute Engine "Regions and zones": us-central1-c has no T2A.
            assert.match(await attachError({ "armfarm:clusterExisting": "projects/acme-prod/locations/us-central1-c/clusters/zonal-1" }),
                /armfarm:clusterExisting: "us-central1-c" has no Tau T2A machines; .* cannot host armfarm:clusterArm64MachineType "t2a-standard-4"; change clusterArm64MachineType .* or name a cluster where it runs/);
        });
    });

    describe("config", () => {
        it("refuses a malformed path, naming the key and the form", async () => {
            assert.match(await attachError({ "armfarm:clusterExisting": "prod-1" }),
                /armfarm:clusterExisting: "prod-1" is not accepted; expected a GKE cluster's full name, projects\/<project id>\/locations\/<zone or region>\/clusters\/<name>/);
            assert.match(await attachError({ "armfarm:clusterExisting": "projects/Acme/locations/us-central1/clusters/prod-1" }),
                /armfarm:clusterExisting: .* is not accepted: "Acme" is not a GCP project id/);
        });

        it("refuses keys of a cluster armfarm would create, and amd64 keys without the amd64 pool", async () => {
            const message = await attachError({ "armfarm:clusterLocation": "us-central1-a", "armfarm:clusterMasterCidr": "172.16.8.0/28", "armfarm:clusterAmd64Spot": true });
            assert.match(message, /armfarm:clusterLocation: shapes a cluster armfarm creates, but armfarm:clusterExisting adds the pools to projects\/acme-prod\/locations\/us-central1\/clusters\/prod-1, which has its own/);
            assert.match(message, /armfarm:clusterMasterCidr: shapes a cluster armfarm creates/);
            assert.match(message, /armfarm:clusterAmd64Spot: sets the amd64 pool, which armfarm adds to an existing cluster only with armfarm:clusterExistingAmd64Pool: true/);
        });

        it("refuses clusterExistingAmd64Pool without a cluster, and GCP provider keys of another project or region", async () => {
            assert.match(await planStackFileError({ "armfarm:parts": ["cluster"], "gcp:project": "acme-prod", "gcp:region": "us-central1", "armfarm:clusterExistingAmd64Pool": true }),
                /armfarm:clusterExistingAmd64Pool: applies only with armfarm:clusterExisting/);
            const message = await attachError({ "gcp:project": "acme-dev", "gcp:region": "europe-west4" });
            assert.match(message, /gcp:project: "acme-dev" is not the project of armfarm:clusterExisting \(acme-prod\)/);
            assert.match(message, /gcp:region: "europe-west4" is not the region of armfarm:clusterExisting \(us-central1\)/);
        });
    });

    describe("from code: GkeArmClusterArgs.existingCluster", () => {
        const ref = { project: "acme-prod", location: "us-central1", name: "prod-1" };
        it("takes the cluster instead of project, region and location, and adds the amd64 pool only when given", () => {
            const s = validate({ existingCluster: ref, namePrefix: "team-a" });
            assert.deepStrictEqual([s.project, s.region, s.location, s.clusterName], ["acme-prod", "us-central1", "us-central1", "prod-1"]);
            assert.deepStrictEqual(Object.keys(s.pools), ["arm64"]);
            assert.deepStrictEqual(Object.keys(validate({ existingCluster: ref, namePrefix: "team-a", amd64Pool: {} }).pools), ["amd64", "arm64"]);
        });

        it("refuses what shapes a cluster it would create, and another project", () => {
            assert.throws(() => validate({ existingCluster: ref, namePrefix: "team-a", masterCidr: "172.16.0.32/28" }),
                (err: Error) => /masterCidr/.test(String((err as any).propertyPath ?? err.message)));
            assert.throws(() => validate({ existingCluster: ref, namePrefix: "team-a", project: "acme-dev" }),
                (err: Error) => /is not acme-prod, the project of existingCluster/.test(String((err as any).reason ?? err.message)));
        });
    });

    it("answers the cluster read with the fields @pulumi/gcp 9.37 declares for getCluster, all the way down", () => {
        for (const name of ["prod-1", "auto-1"]) {
            const read = gcpClusterMocks.invokes["gcp:container/getCluster:getCluster"]({ project: "acme-prod", location: "us-central1", name });
            assert.deepStrictEqual(misfits(read, "container", "GetClusterResult"), [], name);
        }
        const legacy = gcpClusterMocks.invokes["gcp:container/getCluster:getCluster"]({ project: "acme-prod", location: "europe-west4-b", name: "legacy-1" });
        assert.deepStrictEqual(legacy.workloadIdentityConfigs, [], "a cluster without Workload Identity has no block (flattenWorkloadIdentityConfig)");
        const project = gcpClusterMocks.invokes["gcp:organizations/getProject:getProject"]({ projectId: "acme-prod" });
        assert.deepStrictEqual(misfits(project, "organizations", "GetProjectResult"), []);
    });
});

function value<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}
