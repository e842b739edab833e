/**
 * The components used as a library (issue 12): a program that imports GravitonBuildFarm, IstioImageBuild,
 * GkeArmCluster or IstioMesh from components/ and constructs it with only its required arguments, without the
 * stack config (config.ts), gets every default its Args interface documents. Each check quotes the field's doc
 * comment ("Default …") and asserts the planned resources' inputs against literals read from that quote, not
 * from the components' constants. The coverage guard at the end (documented-defaults.ts) parses the four Args
 * interfaces and fails when an argument with a documented default has no check here, or a check quotes what its
 * doc no longer says.
 *
 * The library fixture (test/fixtures/library) is planned as stack `lib`, so `armfarm-<stack>` is `armfarm-lib`.
 */
import * as assert from "assert";
import { PlanView, scriptEnv, waitSettings } from "./harness";
import { planLibrary } from "./library-harness";
import { ArgsInterface, defaultOf, describeDefaultsCoverage } from "./documented-defaults";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { FAKE_AWS_ACCOUNT, stableHex } from "../scripts/plan/mocks/fake";
import { PlannedResource } from "../scripts/plan/engine";

/** The documented defaults no plan can show, each with the reason. */
const NOT_OBSERVABLE: Record<ArgsInterface, Record<string, string>> = {
    GravitonBuildFarmArgs: {},
    IstioImageBuildArgs: {
        istioSha: "no build reads its default: mirror takes no istio/istio commit, and the building modes, which do, require one",
        proxySha: "no build reads its default: only from-source takes an istio/proxy commit, and it requires one",
    },
    GkeArmClusterArgs: {},
    IstioMeshArgs: {},
};

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const REPO = "aws:ecr/repository:Repository";
const SUBNET = "aws:ec2/subnet:Subnet";
const GROUP = "aws:autoscaling/group:Group";
const CLUSTER = "gcp:container/cluster:Cluster";
const POOL = "gcp:container/nodePool:NodePool";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";

const inputs = (view: PlanView, type: string, name: string) => view.get(type, name).inputs as Record<string, any>;
const values = (view: PlanView, name: string) => inputs(view, RELEASE, name).values as Record<string, any>;
/** A registry that answers every read with an index of `platforms` only. */
const registryOf = (platforms: string[]) => ({ invokes: { [MANIFESTS]: (i: Record<string, any>) => manifestsFor(String(i.name), platforms) } });

describe("the components used as a library apply their documented defaults", () => {
    describe("GravitonBuildFarm, constructed with no arguments", () => {
        const applies = defaultOf("GravitonBuildFarmArgs");
        let farm: PlanView;
        let build: PlanView;
        before(async () => {
            farm = await planLibrary("farm");
            // A build on a farm of defaults shows what only the farm's builds read (spot).
            build = await planLibrary("build", { build: { istioRelease: "1.30.3" } });
        });

        applies("namePrefix", "Default `armfarm-<stack>`.", () => {
            assert.strictEqual(inputs(farm, "aws:cloudwatch/logGroup:LogGroup", "farm-logs").name, "/armfarm-lib/farm");
            assert.strictEqual(inputs(farm, "aws:iam/role:Role", "farm-host").name, "armfarm-lib-farm-host");
            assert.strictEqual(inputs(farm, "aws:iam/instanceProfile:InstanceProfile", "farm-host").name, "armfarm-lib-farm-host");
            const record = JSON.parse(inputs(farm, "aws:iam/rolePolicy:RolePolicy", "farm-host").policy).Statement.find((s: any) => s.Sid === "RecordBuildResult");
            assert.strictEqual(record.Resource, `arn:aws:ssm:us-east-1:${FAKE_AWS_ACCOUNT}:parameter/armfarm-lib/farm/builds/*`);
        });

        applies("instanceType", "Default `m6g.4xlarge`.", () => {
            assert.strictEqual(inputs(farm, LT, "farm-hosts").instanceType, "m6g.4xlarge");
        });

        applies("amd64InstanceType", "Default: the x86 type of the same class and size", () => {
            // m6g.4xlarge: general purpose, 4xlarge; its 6th-generation Intel counterpart is m6i.4xlarge.
            assert.strictEqual(inputs(farm, LT, "farm-hosts-amd64").instanceType, "m6i.4xlarge");
        });

        applies("amd64InstanceType", "(m6g.16xlarge → m6i.16xlarge)", async () => {
            const sixteen = await planLibrary("farm", { farm: { instanceType: "m6g.16xlarge" } });
            assert.strictEqual(inputs(sixteen, LT, "farm-hosts-amd64").instanceType, "m6i.16xlarge");
        });

        applies("cacheExpiryDays", "Default 30.", () => {
            const rules = inputs(farm, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "farm-cache").rules as any[];
            assert.deepStrictEqual(rules.filter((r) => r.expiration).map((r) => r.expiration), [{ days: 30 }]);
        });

        applies("rootVolumeGiB", "Size of each host's encrypted gp3 root volume, in GiB. Default 200", () => {
            for (const template of ["farm-hosts", "farm-hosts-amd64"]) {
                const { ebs } = inputs(farm, LT, template).blockDeviceMappings[0];
                assert.deepStrictEqual([ebs.volumeSize, ebs.volumeType, ebs.encrypted], [200, "gp3", "true"], template);
            }
        });

        applies("spot", "Default false.", () => {
            // One on-demand group of the farm's type, and no on-demand standby (which only a spot run has).
            assert.deepStrictEqual(build.ofType(GROUP).map((g) => g.name), ["build-host"]);
            const policy = inputs(build, GROUP, "build-host").mixedInstancesPolicy;
            assert.strictEqual(policy.instancesDistribution.onDemandPercentageAboveBaseCapacity, 100);
            assert.deepStrictEqual(policy.launchTemplate.overrides, [{ instanceType: "m6g.4xlarge" }]);
        });

        applies("ubuntuRelease", "Default `24.04`.", () => {
            // Canonical's SSM public parameter of the release's current image ("Find Ubuntu images on AWS").
            assert.strictEqual(inputs(farm, LT, "farm-hosts").imageId,
                "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id");
            assert.strictEqual(inputs(farm, LT, "farm-hosts-amd64").imageId,
                "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id");
        });

        applies("subnetIds", "Default: the farm builds its own VPC.", () => {
            // The VPC's id as the plan's fake EC2 gives it (scripts/plan/mocks/aws.ts).
            const vpcId = `vpc-${stableHex(17, "farm-vpc")}`;
            assert.strictEqual(farm.ofType("aws:ec2/vpc:Vpc").length, 1);
            assert.deepStrictEqual(farm.ofType(SUBNET).map((s) => s.inputs.vpcId), [vpcId, vpcId, vpcId]);
            assert.strictEqual(inputs(farm, "aws:ec2/securityGroup:SecurityGroup", "farm-hosts").vpcId, vpcId);
        });

        applies("assignPublicIp", "Default: true in the farm's own VPC", () => {
            for (const template of ["farm-hosts", "farm-hosts-amd64"]) {
                assert.strictEqual(inputs(farm, LT, template).networkInterfaces[0].associatePublicIpAddress, "true", template);
            }
        });

        applies("assignPublicIp", "with `subnetIds`, what each subnet sets for launches (`MapPublicIpOnLaunch`)", async () => {
            const given = await planLibrary("farm", { farm: { subnetIds: ["subnet-0abc12345def67890"] } });
            for (const template of ["farm-hosts", "farm-hosts-amd64"]) {
                // Left out of the interface, EC2 follows the subnet's own setting.
                assert.ok(!("associatePublicIpAddress" in inputs(given, LT, template).networkInterfaces[0]), template);
            }
        });

        applies("vpcCidr", "Default `10.40.0.0/16`.", () => {
            assert.strictEqual(inputs(farm, "aws:ec2/vpc:Vpc", "farm-vpc").cidrBlock, "10.40.0.0/16");
        });

        applies("subnetCidr", "cut into four blocks (one per zone); at most a /26. Default `10.40.0.0/24`.", () => {
            // 10.40.0.0/24 in four /26 blocks; three zones take the first three.
            assert.deepStrictEqual([0, 1, 2].map((i) => inputs(farm, SUBNET, `farm-subnet-${i}`).cidrBlock), ["10.40.0.0/26", "10.40.0.64/26", "10.40.0.128/26"]);
        });

        applies("zoneCount", "Default 3.", () => {
            assert.deepStrictEqual(farm.ofType(SUBNET).map((s) => s.name).sort(), ["farm-subnet-0", "farm-subnet-1", "farm-subnet-2"]);
            assert.strictEqual(new Set(farm.ofType(SUBNET).map((s) => s.inputs.availabilityZone)).size, 3);
        });

        applies("availabilityZones", "instead of the first `zoneCount` that offer the instance type. Default none.", () => {
            // The plan's offerings of us-east-1: m6g in a, b, c, d and f (scripts/plan/mocks/aws.ts).
            assert.deepStrictEqual([0, 1, 2].map((i) => inputs(farm, SUBNET, `farm-subnet-${i}`).availabilityZone), ["us-east-1a", "us-east-1b", "us-east-1c"]);
            // Chosen, not named: a zone offering the type later does not move a subnet.
            for (const subnet of farm.ofType(SUBNET)) assert.deepStrictEqual(subnet.options.ignoreChanges, ["availabilityZone"], subnet.name);
        });

        applies("repositoryPrefix", "Default `<namePrefix>/istio`", () => {
            for (const repo of farm.ofType(REPO)) assert.match(String(repo.inputs.name), /^armfarm-lib\/istio\/[a-z0-9-]+$/, repo.name);
            assert.strictEqual(farm.outputs.hub, `${FAKE_AWS_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/armfarm-lib/istio`);
        });

        applies("repositories", "Default pilot, proxyv2, install-cni, ztunnel.", () => {
            assert.deepStrictEqual(farm.ofType(REPO).map((r) => r.inputs.name).sort(),
                ["armfarm-lib/istio/install-cni", "armfarm-lib/istio/pilot", "armfarm-lib/istio/proxyv2", "armfarm-lib/istio/ztunnel"]);
        });

        applies("logRetentionDays", "Default 30.", () => {
            assert.strictEqual(inputs(farm, "aws:cloudwatch/logGroup:LogGroup", "farm-logs").retentionInDays, 30);
        });

        applies("keepRepositories", "Protect the repositories and keep them, with their images, when the stack is destroyed. Default true.", () => {
            assert.strictEqual(farm.ofType(REPO).length, 4);
            for (const repo of farm.ofType(REPO)) {
                assert.deepStrictEqual([repo.options.protect, repo.options.retainOnDelete, repo.inputs.forceDelete], [true, true, false], repo.name);
            }
        });

        applies("manageRegistryScanning", "Default false.", () => {
            assert.deepStrictEqual(farm.ofType("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"), []);
        });

        applies("dockerHubCredential", "Default none.", () => {
            assert.deepStrictEqual(farm.ofType("aws:ssm/parameter:Parameter"), []);
            const statements = JSON.parse(inputs(farm, "aws:iam/rolePolicy:RolePolicy", "farm-host").policy).Statement as any[];
            assert.ok(!statements.some((s) => String(s.Action).includes("ssm:GetParameter")), "the hosts read no parameter");
        });

        applies("tags", "Extra tags for every resource. Default none.", () => {
            const tagged = farm.resources.filter((r) => r.custom && r.inputs.tags);
            assert.ok(tagged.length > 10);
            for (const r of tagged) assert.deepStrictEqual(extraTags(r), {}, `${r.type} ${r.name}`);
        });
    });

    describe("IstioImageBuild, constructed with its farm and, for its default mode, an Istio release", () => {
        const applies = defaultOf("IstioImageBuildArgs");
        const ISTIO_SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
        const PROXY_SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
        let mirror: PlanView;
        let prebuilt: PlanView;
        let fromSource: PlanView;
        /** The references the mirror build read back from the registry to verify its push. */
        const verified: string[] = [];
        before(async () => {
            mirror = await planLibrary("build", { build: { istioRelease: "1.30.3" } },
                { mocks: { invokes: { [MANIFESTS]: (i) => { verified.push(String(i.name)); return manifestsFor(String(i.name)); } } } });
            prebuilt = await planLibrary("build", { build: { mode: "prebuilt-envoy", istioSha: ISTIO_SHA } });
            fromSource = await planLibrary("build", { build: { mode: "from-source", istioSha: ISTIO_SHA, proxySha: PROXY_SHA } });
        });
        const farmHub = (view: PlanView) => view.get("armfarm:aws:GravitonBuildFarm", "farm").outputs?.hub;

        applies("mode", "Default `mirror`.", () => {
            const env = scriptEnv(mirror);
            assert.deepStrictEqual([env.ARMFARM_BUILD_MODE, env.ARMFARM_ISTIO_RELEASE, env.ARMFARM_UPSTREAM_HUB], ["mirror", "1.30.3", "docker.io/istio"]);
        });

        applies("toolsSha", "Default none: the images the checked-out trees pin.", () => {
            // Only from-source reads it: without one, the script rebuilds no build-tools image, and the tag names none.
            assert.strictEqual(scriptEnv(fromSource).ARMFARM_TOOLS_SHA, undefined);
            assert.doesNotMatch(String(fromSource.outputs.tag), /-tools-/);
        });

        applies("architectures", "Default linux/amd64 and linux/arm64.", () => {
            for (const view of [mirror, prebuilt, fromSource]) assert.strictEqual(scriptEnv(view).ARMFARM_ARCHITECTURES, "linux/amd64,linux/arm64");
        });

        applies("variant", "(published as `<tag>-distroless`, what IstioMesh pulls by default). Default `distroless`.", () => {
            assert.strictEqual(scriptEnv(mirror).ARMFARM_VARIANT, "distroless");
            assert.strictEqual(mirror.outputs.variant, "distroless");
            // What it verified after its push: every image under <tag>-distroless.
            assert.ok(verified.length === 4 && verified.every((ref) => ref.endsWith(":1.30.3-distroless")), verified.join(", "));
        });

        applies("images", "Default: every repository of the farm.", () => {
            const repositories = mirror.ofType(REPO).map((r) => String(r.inputs.name).split("/").pop()).sort();
            assert.deepStrictEqual(scriptEnv(mirror).ARMFARM_IMAGES.split(" ").sort(), repositories);
            assert.deepStrictEqual(Object.keys(mirror.outputs.imageDigests as object).sort(), repositories);
        });

        applies("tag", "Default: the release for a mirror", () => {
            assert.deepStrictEqual([mirror.outputs.tag, scriptEnv(mirror).ARMFARM_TAG], ["1.30.3", "1.30.3"]);
        });

        applies("tag", "`git-<istioSha:12>` for prebuilt-envoy", () => {
            assert.deepStrictEqual([prebuilt.outputs.tag, scriptEnv(prebuilt).ARMFARM_TAG], ["git-1a2b3c4d5e6f", "git-1a2b3c4d5e6f"]);
        });

        applies("tag", "for from-source `git-<istioSha:12>-proxy-<proxySha:12>`", () => {
            assert.strictEqual(fromSource.outputs.tag, "git-1a2b3c4d5e6f-proxy-0f1e2d3c4b5a");
        });

        applies("timeoutMinutes", "Default by mode: mirror 30, prebuilt-envoy 120, from-source 360.", () => {
            const minutes = [mirror, prebuilt, fromSource].map((view) => [Number(scriptEnv(view).ARMFARM_TIMEOUT_SECONDS) / 60, waitSettings(view).buildSeconds / 60]);
            assert.deepStrictEqual(minutes, [[30, 30], [120, 120], [360, 360]]);
        });

        applies("attempt", "Default 1.", async () => {
            // The run (and so its hosts, documents and wait) is the one of attempt 1; another attempt is another run.
            const first = await planLibrary("build", { build: { istioRelease: "1.30.3", attempt: 1 } });
            const second = await planLibrary("build", { build: { istioRelease: "1.30.3", attempt: 2 } });
            assert.strictEqual(mirror.outputs.runId, first.outputs.runId);
            assert.notStrictEqual(mirror.outputs.runId, second.outputs.runId);
        });

        applies("tags", "Default the farm's tags.", () => {
            const farmTags = inputs(mirror, LT, "farm-hosts").tags;
            assert.deepStrictEqual(Object.keys(farmTags).sort(), ["armfarm:farm", "managed-by"]);
            // Beside the build's own (its scope and key), exactly the farm's.
            const { "armfarm:build": scope, "armfarm:build-key": key, ...rest } = inputs(mirror, "aws:ssm/association:Association", "build-build").tags;
            assert.deepStrictEqual(rest, farmTags);
            assert.deepStrictEqual([scope, typeof key], ["armfarm-lib-build", "string"]);
        });

        applies("artifactRegistry", "Default: the farm's hub.", () => {
            const env = scriptEnv(mirror);
            assert.strictEqual(env.ARMFARM_HUB, farmHub(mirror));
            assert.deepStrictEqual(Object.keys(env).filter((k) => k.startsWith("ARMFARM_GCP_")), [], "no federation to exchange a token with");
        });

        applies("ecrHub", "Default: the farm's hub.", () => {
            assert.deepStrictEqual([mirror.outputs.hub, scriptEnv(mirror).ARMFARM_HUB], [farmHub(mirror), farmHub(mirror)]);
            assert.strictEqual(scriptEnv(mirror).ARMFARM_REGISTRY, `${FAKE_AWS_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`);
            // The build grants the farm's host role no push rights on another hub: its policies are its own roles'.
            const hostRole = inputs(mirror, "aws:iam/role:Role", "farm-host").name;
            const ofBuild = mirror.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.parent === mirror.get("armfarm:aws:IstioImageBuild", "build").urn);
            assert.ok(ofBuild.length > 0 && ofBuild.every((p) => p.inputs.role !== hostRole), ofBuild.map((p) => `${p.name} on ${p.inputs.role}`).join(", "));
        });

        applies("awsProfile", "Default: the environment's AWS credentials.", () => {
            // The wait runs with no AWS_PROFILE of its own: the AWS SDK's default credential chain.
            assert.deepStrictEqual(Object.keys(inputs(mirror, "command:local:Command", "build-wait").environment), ["ARMFARM_BUILD_WAIT"]);
        });

        applies("namePrefix", "Default `armfarm-<stack>`.", () => {
            const run = String(mirror.outputs.runId);
            assert.strictEqual(inputs(mirror, GROUP, "build-host").name, `armfarm-lib-build-${run}`);
            assert.strictEqual(inputs(mirror, "aws:ssm/association:Association", "build-build").associationName, `armfarm-lib-build-${run}`);
            assert.strictEqual(waitSettings(mirror).resultPath, `/armfarm-lib/farm/builds/armfarm-lib-build/${run}`);
        });
    });

    describe("GkeArmCluster, constructed with its project and region", () => {
        const applies = defaultOf("GkeArmClusterArgs");
        const REQUIRED = { project: "library-test", region: "us-central1" };
        let cluster: PlanView;
        before(async () => {
            cluster = await planLibrary("cluster", { cluster: REQUIRED });
        });
        const pool = (arch: string) => inputs(cluster, POOL, `cluster-${arch}`);

        applies("existingCluster", "Default none (the component creates its cluster).", () => {
            assert.deepStrictEqual(cluster.ofType(CLUSTER).map((c) => c.name), ["cluster-gke"]);
            assert.strictEqual(cluster.ofType("gcp:compute/network:Network").length, 1);
            for (const arch of ["amd64", "arm64"]) assert.strictEqual(pool(arch).cluster, "armfarm-lib", arch);
        });

        applies("location", "Default: the region.", () => {
            assert.strictEqual(inputs(cluster, CLUSTER, "cluster-gke").location, "us-central1");
            for (const arch of ["amd64", "arm64"]) assert.strictEqual(pool(arch).location, "us-central1", arch);
        });

        applies("namePrefix", "Default `armfarm-<stack>`", () => {
            assert.strictEqual(inputs(cluster, "gcp:serviceaccount/account:Account", "cluster-nodes").accountId, "armfarm-lib-nodes");
            assert.strictEqual(inputs(cluster, "gcp:compute/firewall:Firewall", "cluster-mesh-webhooks").name, "armfarm-lib-mesh-webhooks");
        });

        applies("namePrefix", "(lowercased, other characters as `-`)", async () => {
            const upper = await planLibrary("cluster", { cluster: REQUIRED }, { stack: "Mesh.Prod" });
            assert.strictEqual(inputs(upper, "gcp:serviceaccount/account:Account", "cluster-nodes").accountId, "armfarm-mesh-prod-nodes");
        });

        applies("clusterName", "Default: the name prefix.", () => {
            assert.strictEqual(inputs(cluster, CLUSTER, "cluster-gke").name, "armfarm-lib");
        });

        applies("releaseChannel", "Default `REGULAR`.", () => {
            assert.deepStrictEqual(inputs(cluster, CLUSTER, "cluster-gke").releaseChannel, { channel: "REGULAR" });
        });

        applies("amd64Pool", "Default e2-standard-4, 1 to 3 nodes, on-demand", () => {
            const p = pool("amd64");
            assert.deepStrictEqual([p.nodeConfig.machineType, p.autoscaling.totalMinNodeCount, p.autoscaling.totalMaxNodeCount, p.nodeConfig.spot],
                ["e2-standard-4", 1, 3, false]);
        });

        applies("amd64Pool", "with `existingCluster`, none unless given", async () => {
            // prod-1: a cluster of the plan's fake GKE (scripts/plan/mocks/gcp-clusters.ts).
            const existing = await planLibrary("cluster", { cluster: { existingCluster: { project: "acme-prod", location: "us-central1", name: "prod-1" } } });
            assert.deepStrictEqual(existing.ofType(POOL).map((p) => p.name), ["cluster-arm64"]);
        });

        applies("arm64Pool", "Default t2a-standard-4, 1 to 3 nodes, on-demand.", () => {
            const p = pool("arm64");
            assert.deepStrictEqual([p.nodeConfig.machineType, p.autoscaling.totalMinNodeCount, p.autoscaling.totalMaxNodeCount, p.nodeConfig.spot],
                ["t2a-standard-4", 1, 3, false]);
        });

        applies("diskSizeGb", "Boot disk of every node, in GB. Default 50.", () => {
            for (const arch of ["amd64", "arm64"]) assert.strictEqual(pool(arch).nodeConfig.diskSizeGb, 50, arch);
        });

        applies("subnetCidr", "Default `10.60.0.0/20`.", () => {
            assert.strictEqual(inputs(cluster, "gcp:compute/subnetwork:Subnetwork", "cluster-nodes").ipCidrRange, "10.60.0.0/20");
        });

        applies("podCidr", "Default `10.64.0.0/14`.", () => {
            const ranges = inputs(cluster, "gcp:compute/subnetwork:Subnetwork", "cluster-nodes").secondaryIpRanges as any[];
            assert.strictEqual(ranges.find((r) => r.rangeName === inputs(cluster, CLUSTER, "cluster-gke").ipAllocationPolicy.clusterSecondaryRangeName).ipCidrRange, "10.64.0.0/14");
        });

        applies("serviceCidr", "Default `10.68.0.0/20`.", () => {
            const ranges = inputs(cluster, "gcp:compute/subnetwork:Subnetwork", "cluster-nodes").secondaryIpRanges as any[];
            assert.strictEqual(ranges.find((r) => r.rangeName === inputs(cluster, CLUSTER, "cluster-gke").ipAllocationPolicy.servicesSecondaryRangeName).ipCidrRange, "10.68.0.0/20");
        });

        applies("masterCidr", "Default `172.16.0.32/28`.", () => {
            assert.strictEqual(inputs(cluster, CLUSTER, "cluster-gke").privateClusterConfig.masterIpv4CidrBlock, "172.16.0.32/28");
            assert.deepStrictEqual(inputs(cluster, "gcp:compute/firewall:Firewall", "cluster-mesh-webhooks").sourceRanges, ["172.16.0.32/28"]);
        });

        applies("masterAuthorizedNetworks", "Default none.", () => {
            assert.deepStrictEqual(inputs(cluster, CLUSTER, "cluster-gke").masterAuthorizedNetworksConfig.cidrBlocks, []);
        });

        applies("registryName", "Default `<namePrefix>-istio`.", () => {
            assert.strictEqual(inputs(cluster, "gcp:artifactregistry/repository:Repository", "cluster-hub").repositoryId, "armfarm-lib-istio");
            assert.strictEqual(cluster.outputs.hub, "us-central1-docker.pkg.dev/library-test/armfarm-lib-istio");
        });

        applies("buildHostRoleArn", "Default none (no federation).", () => {
            assert.deepStrictEqual(cluster.resources.filter((r) => r.type.startsWith("gcp:iam/")), []);
            assert.deepStrictEqual(cluster.ofType("gcp:serviceaccount/account:Account").map((a) => a.name), ["cluster-nodes"], "no push account");
        });

        applies("awsAccountId", "Default: the account of `buildHostRoleArn`.", async () => {
            const federated = await planLibrary("cluster", { cluster: { ...REQUIRED, buildHostRoleArn: "arn:aws:iam::210987654321:role/ci/builder" } });
            const provider = inputs(federated, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "cluster-aws");
            assert.deepStrictEqual(provider.aws, { accountId: "210987654321" });
        });

        applies("labels", "Default none.", () => {
            // armfarm's own labels only (components/gcp/labels.ts keeps their keys for itself).
            const own = { "armfarm-cluster": "armfarm-lib", "managed-by": "pulumi" };
            assert.deepStrictEqual(inputs(cluster, CLUSTER, "cluster-gke").resourceLabels, own);
            assert.deepStrictEqual(inputs(cluster, "gcp:artifactregistry/repository:Repository", "cluster-hub").labels, own);
            assert.deepStrictEqual(pool("arm64").nodeConfig.resourceLabels, { ...own, "armfarm-arch": "arm64" });
        });
    });

    describe("IstioMesh, constructed with its hub and tag", () => {
        const applies = defaultOf("IstioMeshArgs");
        const REQUIRED = { hub: "registry.example.com/istio", tag: "1.30.3-team.1" };
        let mesh: PlanView;
        const read: string[] = [];
        before(async () => {
            mesh = await planLibrary("mesh", { mesh: REQUIRED }, { mocks: { invokes: { [MANIFESTS]: (i) => { read.push(String(i.name)); return manifestsFor(String(i.name)); } } } });
        });
        const releases = () => mesh.ofType(RELEASE);

        applies("istioVersion", "Default `1.30.3`.", () => {
            assert.deepStrictEqual(releases().map((r) => [r.name, r.inputs.version]),
                [["mesh-base", "1.30.3"], ["mesh-gateway", "1.30.3"], ["mesh-istiod-1-30-3", "1.30.3"]]);
        });

        applies("defaultVersion", "Default: the only version", () => {
            assert.strictEqual(values(mesh, "mesh-base").defaultRevision, "1-30-3");
            assert.strictEqual(values(mesh, "mesh-gateway").revision, "1-30-3");
            const tag = inputs(mesh, "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "mesh-tag-default");
            assert.ok((tag.webhooks as any[]).every((w) => w.clientConfig.service.name === "istiod-1-30-3"));
        });

        applies("variant", "Image variant (`global.variant`): `distroless`, `debug` or empty for the default images. Default `distroless`.", () => {
            assert.strictEqual(values(mesh, "mesh-istiod-1-30-3").global.variant, "distroless");
            // istiod's image is <hub>/pilot:<tag>-<variant> (istio/istio@1.30.3:manifests/charts/istio-control/
            // istio-discovery/templates/deployment.yaml); the preflight reads what the mesh pulls.
            assert.strictEqual((mesh.outputs.images as Record<string, string>).istiod, "registry.example.com/istio/pilot:1.30.3-team.1-distroless");
            assert.deepStrictEqual([...new Set(read)].sort(), ["pilot", "proxyv2"].map((i) => `registry.example.com/istio/${i}:1.30.3-team.1-distroless`));
        });

        applies("cni", "Default false.", () => {
            assert.ok(!releases().some((r) => r.inputs.chart === "cni"));
            assert.deepStrictEqual(values(mesh, "mesh-istiod-1-30-3").cni, { enabled: false });
        });

        applies("platform", "`gke` on GKE; empty for none. Default `gke`.", async () => {
            // Only the CNI chart reads it.
            const withCni = await planLibrary("mesh", { mesh: { ...REQUIRED, cni: true } });
            assert.strictEqual(values(withCni, "mesh-cni").global.platform, "gke");
        });

        applies("mtlsMode", "Default `STRICT`.", () => {
            assert.deepStrictEqual(inputs(mesh, "kubernetes:security.istio.io/v1:PeerAuthentication", "mesh-mtls").spec, { mtls: { mode: "STRICT" } });
        });

        applies("controlPlaneArch", "`any` architecture of the cluster, or pinned to `amd64` or `arm64`. Default `any`.", () => {
            for (const name of ["mesh-istiod-1-30-3", "mesh-gateway"]) {
                const terms = values(mesh, name).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
                assert.deepStrictEqual(terms, [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }], name);
            }
        });

        applies("nodeArchitectures", "every image must hold each. Default amd64 and arm64.", async () => {
            await assert.rejects(planLibrary("mesh", { mesh: REQUIRED }, { mocks: registryOf(["linux/amd64"]) }), /pilot:1\.30\.3-team\.1-distroless has no linux\/arm64 image/);
            await assert.rejects(planLibrary("mesh", { mesh: REQUIRED }, { mocks: registryOf(["linux/arm64"]) }), /pilot:1\.30\.3-team\.1-distroless has no linux\/amd64 image/);
        });

        applies("replicas", "Default 2.", () => {
            for (const name of ["mesh-istiod-1-30-3", "mesh-gateway"]) assert.strictEqual(values(mesh, name).replicaCount, 2, name);
        });

        applies("revisionTags", "Default `[\"default\"]`.", () => {
            const tags = mesh.ofType("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration");
            assert.deepStrictEqual(tags.map((t) => (t.inputs.metadata as any).labels["istio.io/tag"]), ["default"]);
        });

        applies("keepRevisions", "Earlier versions whose control planes keep running beside the installed one. Default none.", () => {
            assert.deepStrictEqual(releases().filter((r) => r.inputs.chart === "istiod").map((r) => r.name), ["mesh-istiod-1-30-3"]);
        });

        applies("gatewayService", "Default `external`.", () => {
            // The gateway chart's own Service: values.yaml `service.type: LoadBalancer`, no internal annotation.
            assert.strictEqual(values(mesh, "mesh-gateway").service, undefined);
            const service = mesh.outputs.gatewayService as Record<string, string>;
            assert.deepStrictEqual([service.namespace, service.name, service.type], ["istio-ingress", "istio-ingressgateway", "LoadBalancer"]);
        });

        applies("provider", "Default: the default kubernetes provider (`kubernetes:context`, KUBECONFIG).", () => {
            // No provider named: the engine gives each resource its package's default provider.
            const kubernetes = mesh.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
            assert.ok(kubernetes.some((r) => r.type === RELEASE));
            for (const r of kubernetes) assert.strictEqual(r.options.provider, null, r.name);
        });

        applies("waitFor", "Default none (a cluster made elsewhere).", () => {
            // The first release waits for the preflight alone, which resolves to no resource.
            assert.deepStrictEqual(mesh.get(RELEASE, "mesh-base").options.dependsOn, []);
        });
    });
});

/** A resource's tags beyond armfarm's own (`Name`, `managed-by`, `armfarm:*`). */
function extraTags(r: PlannedResource): Record<string, unknown> {
    return Object.fromEntries(Object.entries(r.inputs.tags as Record<string, unknown>)
        .filter(([key]) => key !== "Name" && key !== "managed-by" && !key.startsWith("armfarm:")));
}

describeDefaultsCoverage(NOT_OBSERVABLE);
