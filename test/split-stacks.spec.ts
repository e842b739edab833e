/**
 * A team's estate in four stacks (issue 15; README, "Splitting stacks"): one farm shared by every environment
 * (`farm`), the arm64 pool on an existing prod cluster with its hub (`prod-cluster`), a build on the shared farm
 * that publishes to that hub (`build`), and the mesh on the prod cluster (`prod-mesh`). They meet by outputs:
 * StackReferences (`armfarm:buildFarmStack`, `armfarm:buildHubStack`) answered with each stack's own plan as
 * `npm run plan -- --ref` does, or config an ESC environment's `pulumi-stacks` provider maps from those outputs,
 * given as `npm run plan -- --esc` does. The stack files and environments are the README's (examples/split/).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { dependsOnTransitively, plan, planError, PlanView, PROJECT_DIR, scriptEnv, waitSettings } from "./harness";
import { Plan } from "../scripts/plan/engine";
import { StackReferences } from "../scripts/plan/stack-reference";

const FARM_STACK = "acme/armfarm/farm";
const CLUSTER_STACK = "acme/armfarm/prod-cluster";
const GROUP = "aws:autoscaling/group:Group";
const EXAMPLES = "examples/split";

const planExample = (stack: string, overrides: Record<string, unknown> = {}, refs?: StackReferences, esc?: string[]) =>
    plan(overrides, { stack, file: `${EXAMPLES}/Pulumi.${stack}.yaml`, refs, esc });
const exampleError = (stack: string, overrides: Record<string, unknown> = {}, refs?: StackReferences, esc?: string[]) =>
    planError(overrides, { stack, file: `${EXAMPLES}/Pulumi.${stack}.yaml`, refs, esc });

/** The resources of a plan as the engine would create them: type, name and inputs. */
const created = (view: PlanView) => view.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));

describe("a team's estate in split stacks", function () {
    this.timeout(120000);
    let dir: string;
    let farm: Plan;
    let core: Record<string, any>;
    let cluster: Plan;
    let refs: StackReferences;
    let build: PlanView;

    /**
     * What `esc open` prints for one of the examples' environments: its `pulumiConfig`, each `${stacks.<name>.<path>}`
     * replaced by that output of the stack `<name>` opens (a secret output stays `[secret]`, as ESC prints it).
     */
    const openEnvironment = (file: string, outputs: Record<string, Record<string, unknown>>): string => {
        const env = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, EXAMPLES, "esc", file), "utf8"));
        const stacks = env.values.stacks["fn::open::pulumi-stacks"].stacks as Record<string, { stack: string }>;
        const pulumiConfig: Record<string, unknown> = {};
        for (const [key, ref] of Object.entries<string>(env.values.pulumiConfig)) {
            const [, name, field] = /^\$\{stacks\.([^.]+)\.(.+)\}$/.exec(ref)!;
            pulumiConfig[key] = field.split(".").reduce<any>((value, part) => value[part], outputs[`acme/${stacks[name].stack}`]);
        }
        const opened = path.join(dir, file.replace(/\.yaml$/, ".json"));
        fs.writeFileSync(opened, JSON.stringify({ pulumiConfig }));
        return opened;
    };

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-estate-"));
        farm = (await planExample("farm")).plan;
        core = farm.outputs.farmCore as Record<string, any>;
        cluster = (await planExample("prod-cluster")).plan;
        refs = { [FARM_STACK]: farm.outputs, [CLUSTER_STACK]: cluster.outputs };
        build = await planExample("build", {}, refs);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("the farm stack", () => {
        it("exports what a build needs: the values of the farm's own resources", () => {
            const resource = (type: string, name: string) => farm.resources.find((r) => r.type === type && r.name === name)!;
            assert.strictEqual(core.version, 1);
            assert.deepStrictEqual([core.region, core.spot, core.instanceType, core.rootVolumeGiB], ["us-east-1", true, "m6g.4xlarge", 200]);
            assert.deepStrictEqual(core.repositoryNames, ["pilot", "proxyv2", "install-cni", "ztunnel"]);
            // The ids the farm's launch templates, subnets and role got, not copies of config.
            assert.deepStrictEqual(core.subnetIds, farm.outputs.farmSubnetIds);
            assert.strictEqual(core.logGroupName, resource("aws:cloudwatch/logGroup:LogGroup", "farm-logs").inputs.name);
            assert.match(core.launchTemplateId, /^lt-[0-9a-f]{17}$/);
            assert.notStrictEqual(core.launchTemplateId, core.amd64LaunchTemplateId);
            // Named after the farm's stack (armfarm-<stack>) and the farm.
            assert.strictEqual(core.hostRoleName, "armfarm-farm-farm-host");
            assert.match(core.hostRoleArn, /^arn:aws:iam::\d{12}:role\/armfarm-farm-farm-host$/);
            assert.match(core.instanceProfileArn, /^arn:aws:iam::\d{12}:instance-profile\/armfarm-farm-farm-host$/);
            assert.match(core.securityGroupId, /^sg-/);
            assert.strictEqual(core.hub, farm.outputs.farmHub);
            assert.deepStrictEqual(core.repositoryUrls, farm.outputs.farmRepositoryUrls);
            assert.deepStrictEqual(farm.resources.filter((r) => /IstioImageBuild|GkeArmCluster|IstioMesh/.test(r.type)), []);
        });
    });

    describe("the cluster stack, on the existing prod cluster", () => {
        it("adds the arm64 pool to prod-1 and a hub whose federation admits the farm's host role, creating no cluster", () => {
            const view = new PlanView(cluster);
            for (const type of ["gcp:container/cluster:Cluster", "gcp:compute/network:Network"]) assert.deepStrictEqual(view.ofType(type), [], type);
            const pools = view.ofType("gcp:container/nodePool:NodePool");
            assert.deepStrictEqual(pools.map((p) => [(p.inputs.nodeConfig as any).machineType, p.inputs.project, p.inputs.location, p.inputs.cluster]),
                [["t2a-standard-8", "acme-prod", "us-central1", "prod-1"]]);
            assert.strictEqual(cluster.outputs.clusterHub, "us-central1-docker.pkg.dev/acme-prod/armfarm-prod-cluster-istio");
            assert.strictEqual(cluster.outputs.clusterPushRoleArn, core.hostRoleArn);
            const provider = view.get("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "cluster-aws").inputs as any;
            assert.strictEqual(provider.attributeCondition, `attribute.aws_role == "arn:aws:sts::${core.accountId}:assumed-role/${core.hostRoleName}"`);
        });
    });

    describe("the build stack, on the shared farm", () => {
        it("launches its hosts from the farm's template, subnets and types, creating nothing of the farm", () => {
            for (const type of ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/vpc:Vpc", "aws:ecr/repository:Repository", "aws:iam/instanceProfile:InstanceProfile"]) {
                assert.deepStrictEqual(build.ofType(type), [], type);
            }
            assert.deepStrictEqual(build.resources.filter((r) => r.type.startsWith("gcp:")), [], "the hub is the cluster stack's");
            const host = build.get(GROUP, "build-host").inputs as any;
            assert.deepStrictEqual(host.mixedInstancesPolicy.launchTemplate.launchTemplateSpecification, { launchTemplateId: core.launchTemplateId, version: String(core.launchTemplateVersion) });
            assert.deepStrictEqual(host.vpcZoneIdentifiers, core.subnetIds);
            assert.deepStrictEqual(host.mixedInstancesPolicy.launchTemplate.overrides.map((o: any) => o.instanceType), core.spotInstanceTypes);
            // A spot farm: the build keeps its on-demand standby.
            assert.strictEqual((build.get(GROUP, "build-host-on-demand").inputs as any).mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.launchTemplateId, core.launchTemplateId);
            const env = scriptEnv(build);
            assert.strictEqual(env.ARMFARM_REGION, core.region);
            assert.ok(env.ARMFARM_RESULT_PATH.startsWith(`${core.resultRoot}/armfarm-build-build/`), env.ARMFARM_RESULT_PATH);
            assert.ok(env.ARMFARM_INSTANCE_ARN_PREFIX.startsWith(`arn:aws:ec2:us-east-1:${core.accountId}:instance/`));
            assert.strictEqual(waitSettings(build).logGroupName, core.logGroupName);
            // Hosts carry the farm's tags, so the farm's hosts are one fleet whichever stack launched them.
            assert.ok(host.tags.some((t: any) => t.key === "armfarm:farm" && t.value === "farm"));
        });

        it("publishes to the cluster stack's hub through its federation, and keys the build on that hub", async () => {
            const env = scriptEnv(build);
            assert.deepStrictEqual([env.ARMFARM_HUB, env.ARMFARM_REGISTRY, env.ARMFARM_GCP_WORKLOAD_IDENTITY_PROVIDER, env.ARMFARM_GCP_SERVICE_ACCOUNT], [
                cluster.outputs.clusterHub, "us-central1-docker.pkg.dev", cluster.outputs.clusterFederationProvider, cluster.outputs.clusterPushServiceAccount,
            ]);
            assert.strictEqual(build.outputs.hub, cluster.outputs.clusterHub);
            // The same images published to the farm's ECR hub are another build: a new key, a new run.
            const toEcr = await planExample("build", { "armfarm:buildHubStack": undefined }, refs);
            assert.strictEqual(scriptEnv(toEcr).ARMFARM_HUB, core.hub);
            assert.strictEqual(toEcr.outputs.hub, core.hub);
            assert.notStrictEqual(toEcr.outputs.buildKey, build.outputs.buildKey);
            assert.notStrictEqual(toEcr.outputs.buildRunId, build.outputs.buildRunId);
        });

        it("plans the same build from the config its ESC environment maps from the two stacks' outputs", async () => {
            const opened = openEnvironment("build.yaml", refs);
            const fromEsc = await planExample("build-esc", {}, undefined, [opened]);
            assert.deepStrictEqual(created(fromEsc), created(build));
        });

        it("refuses a farm named twice, or beside the stack's own farm, or not by its full name", async () => {
            assert.match(await exampleError("build", { "armfarm:buildFarm": core }, refs),
                /armfarm:buildFarm: is set beside armfarm:buildFarmStack; name the farm once/);
            assert.match(await exampleError("build", { "armfarm:parts": ["farm", "build"] }, refs),
                /armfarm:buildFarmStack: names a farm of another stack, but armfarm:parts deploys this stack's own farm/);
            assert.match(await exampleError("build", { "armfarm:buildFarmStack": "farm" }, refs),
                /armfarm:buildFarmStack: "farm" is not accepted; expected a stack's full name ORG\/PROJECT\/STACK/);
        });

        it("names the stack and the field when the referenced stack holds no farm, or a farm of another shape", async () => {
            const withFarm = (outputs: Record<string, unknown>) => ({ ...refs, [FARM_STACK]: outputs });
            assert.match(await exampleError("build", {}, withFarm({ clusterName: "prod-1" })),
                /armfarm:buildFarmStack: "acme\/armfarm\/farm": its output farmCore is missing, not a farm's farmCore \(an object\); name a stack that deploys the farm/);
            assert.match(await exampleError("build", {}, withFarm({ farmCore: { ...core, version: 2 } })),
                /its output farmCore has version 2; this program reads version 1/);
            const { launchTemplateId: _dropped, ...partial } = core;
            assert.match(await exampleError("build", {}, withFarm({ farmCore: { ...partial, spot: "yes" } })),
                /farmCore\.spot is "yes"; expected a boolean[\s\S]*farmCore\.launchTemplateId is missing; expected a non-empty string/);
            const esc = { "armfarm:buildFarmStack": undefined };
            assert.match(await exampleError("build", { ...esc, "armfarm:buildFarm": ["farm"] }, refs),
                /armfarm:buildFarm: the value is \["farm"\], not a farm's farmCore \(an object\); give the farm stack's farmCore output whole\n?$/);
            assert.match(await exampleError("build", { ...esc, "armfarm:buildFarm": "farm" }, refs),
                /^Invalid stack configuration \(1 problem\):\n {2}- armfarm:buildFarm: "farm" is not accepted; expected a structured value/);
            // Without a plan for the stack, the offline plan says which --ref is missing.
            assert.match(await exampleError("build", {}, { [CLUSTER_STACK]: cluster.outputs }), /reads stack acme\/armfarm\/farm with a StackReference, and no --ref gives its plan/);
        });

        it("checks the build against the farm it reads, naming the farm and the farm stack's key to change", async () => {
            const ecr = { "armfarm:buildHubStack": undefined };
            assert.match(await exampleError("build", { ...ecr, "aws:region": "us-west-2" }, refs),
                /aws:region: "us-west-2" is not the region of the farm of stack acme\/armfarm\/farm, "us-east-1"/);
            const fromSource = {
                ...ecr, "armfarm:buildMode": "from-source", "armfarm:buildIstioRelease": undefined,
                "armfarm:buildIstioSha": "a".repeat(40), "armfarm:buildProxySha": "b".repeat(40),
            };
            assert.match(await exampleError("build", fromSource, refs),
                /armfarm:buildFarmStack: the farm of stack acme\/armfarm\/farm: 200 GiB is too small for buildMode "from-source" .*; in that stack, armfarm:farmRootVolumeGiB: use at least 250/);
            const otherAccount = { ...refs, [FARM_STACK]: { farmCore: { ...core, accountId: "210987654321" } } };
            assert.match(await exampleError("build", ecr, otherAccount),
                /armfarm:buildFarmStack: the farm of stack acme\/armfarm\/farm is in AWS account 210987654321, but this stack's AWS credentials are of account 123456789012/);
            const tagged = { ...refs, [FARM_STACK]: { farmCore: { ...core, tags: { ...core.tags, ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`farm${i}`, "x"])) } } } };
            assert.match(await exampleError("build", { ...ecr, "armfarm:tags": Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`build${i}`, "x"])) }, tagged),
                /armfarm:tags: with the 32 tags of the farm of stack acme\/armfarm\/farm, the build's resources would carry 50 tags of the stacks', beside armfarm's own; AWS takes 43 such/);
            const small = { ...refs, [FARM_STACK]: { farmCore: { ...core, repositoryNames: ["pilot", "proxyv2"] } } };
            assert.match(await exampleError("build", ecr, small),
                /armfarm:buildImages: "install-cni" is not one of the farm's repositories; use images from the farm of stack acme\/armfarm\/farm's repositories \(pilot, proxyv2\)/);
        });

        it("refuses a hub stack whose hub the farm cannot push to, and a hub named twice or half", async () => {
            const withCluster = (outputs: Record<string, unknown>) => ({ ...refs, [CLUSTER_STACK]: outputs });
            const { clusterFederationProvider: _p, clusterPushServiceAccount: _a, clusterPushRoleArn: _r, ...unfederated } = cluster.outputs;
            assert.match(await exampleError("build", {}, withCluster(unfederated)),
                /armfarm:buildHubStack: "acme\/armfarm\/prod-cluster": its hub admits no pushes from AWS .*; set that stack's armfarm:clusterPushRoleArn to the farm's host role arn:aws:iam::\d{12}:role\/armfarm-farm-farm-host/);
            assert.match(await exampleError("build", {}, withCluster({ ...cluster.outputs, clusterPushRoleArn: "arn:aws:iam::123456789012:role/ci-pusher" })),
                /its hub admits pushes from arn:aws:iam::123456789012:role\/ci-pusher \(its armfarm:clusterPushRoleArn\), not from the farm of stack acme\/armfarm\/farm's host role/);
            assert.match(await exampleError("build", {}, withCluster({ kubeconfig: "[secret]" })),
                /armfarm:buildHubStack: "acme\/armfarm\/prod-cluster": its output clusterHub is missing; name a stack that deploys a cluster/);
            assert.match(await exampleError("build", { "armfarm:buildHub": "us-central1-docker.pkg.dev/acme-prod/istio" }, refs),
                /armfarm:buildHubStack: is set beside armfarm:buildHub; name the hub once/);
            const half = { "armfarm:buildHubStack": undefined, "armfarm:buildHub": "us-central1-docker.pkg.dev/acme-prod/istio", "armfarm:buildHubServiceAccount": "armfarm-push@acme-prod.iam.gserviceaccount.com" };
            assert.match(await exampleError("build", half, refs),
                /armfarm:buildHubWorkloadIdentityProvider: is not set; the hosts push to us-central1-docker\.pkg\.dev\/acme-prod\/istio by exchanging their AWS role/);
            assert.match(await exampleError("build", { "armfarm:buildPublishTo": "ecr" }, refs),
                /armfarm:buildHubStack: is for an Artifact Registry hub, but armfarm:buildPublishTo is "ecr"/);
        });

        it("publishes to another ECR hub of the farm's region, granting the farm's host role push rights there before any host launches", async () => {
            const hub = "210987654321.dkr.ecr.us-east-1.amazonaws.com/mesh/istio";
            const view = await planExample("build", { "armfarm:buildHubStack": undefined, "armfarm:buildHub": hub }, refs);
            assert.strictEqual(scriptEnv(view).ARMFARM_HUB, hub);
            assert.strictEqual(scriptEnv(view).ARMFARM_REGISTRY, "210987654321.dkr.ecr.us-east-1.amazonaws.com");
            const grant = view.get("aws:iam/rolePolicy:RolePolicy", "build-ecr-push");
            assert.strictEqual(grant.inputs.role, core.hostRoleName);
            assert.strictEqual(grant.inputs.name, "armfarm-build-build-ecr-push");
            assert.deepStrictEqual(JSON.parse(grant.inputs.policy as string).Statement, [{
                Sid: "PushThisBuildsImages", Effect: "Allow",
                Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
                    "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
                Resource: ["pilot", "proxyv2", "install-cni", "ztunnel"].map((i) => `arn:aws:ecr:us-east-1:210987654321:repository/mesh/istio/${i}`),
            }]);
            assert.ok(dependsOnTransitively(view, view.get(GROUP, "build-host"), grant.urn), "the host launches after its push rights");
            assert.match(await exampleError("build", { "armfarm:buildHubStack": undefined, "armfarm:buildHub": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/istio" }, refs),
                /armfarm:buildHub: "210987654321\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/istio" is in eu-west-1, but the farm of stack acme\/armfarm\/farm's hosts log in to ECR in us-east-1/);
            assert.match(await exampleError("build", { "armfarm:buildHubStack": undefined, "armfarm:buildHub": "ghcr.io/acme", "armfarm:buildPublishTo": "ecr" }, refs),
                /armfarm:buildHub: "ghcr\.io\/acme" is not an ECR hub/);
        });
    });

    describe("the mesh stack, on the prod cluster", () => {
        it("installs the images the build published, on the cluster its ESC environment names, creating no cluster", async () => {
            const opened = openEnvironment("prod-mesh.yaml", { ...refs, "acme/armfarm/build": build.outputs });
            const mesh = await planExample("prod-mesh", {}, undefined, [opened]);
            assert.deepStrictEqual(mesh.resources.filter((r) => r.type.startsWith("gcp:") || r.type.startsWith("aws:")), []);
            const images = mesh.outputs.meshImages as Record<string, string>;
            assert.strictEqual(images.istiod, `${cluster.outputs.clusterHub}/pilot:1.30.3-distroless`);
            assert.strictEqual(images.sidecar, `${build.outputs.hub}/proxyv2:${build.outputs.tag}-distroless`);
            const istiod = mesh.get("kubernetes:helm.sh/v3:Release", "mesh-istiod-1-30-3").inputs as any;
            assert.deepStrictEqual([istiod.values.global.hub, istiod.values.global.tag], [build.outputs.hub, "1.30.3"]);
            // Without what the environment opens to, the plan names it.
            assert.match(await exampleError("prod-mesh"), /opens the ESC environment armfarm\/prod-mesh \(environment:\), and the offline plan cannot open it: give what it opens to with --esc FILE/);
        });
    });
});
