/**
 * One farm shared by other stacks (issue 15): a farm-only stack exports `farmCore`, and a build-only stack runs
 * on that farm, reading it through a StackReference (`armfarm:buildFarmStack`) or as config an ESC environment's
 * `pulumi-stacks` provider maps from the farm stack's outputs (`armfarm:buildFarm`). The stack files are the
 * README's examples (examples/split/), planned as `npm run plan -- --config FILE --ref …` plans them.
 */
import * as assert from "assert";
import { plan, planError, PlanView, scriptEnv, waitSettings } from "./harness";
import { Plan } from "../scripts/plan/engine";
import { StackReferences } from "../scripts/plan/stack-reference";

const FARM_STACK = "acme/armfarm/farm";
const GROUP = "aws:autoscaling/group:Group";

const farmStack = (overrides = {}) => plan(overrides, { stack: "farm", file: "examples/split/Pulumi.farm.yaml" });
const buildStack = (overrides: Record<string, unknown> = {}, refs?: StackReferences) =>
    plan(overrides, { stack: "build", file: "examples/split/Pulumi.build.yaml", refs });
const buildStackError = (overrides: Record<string, unknown> = {}, refs?: StackReferences) =>
    planError(overrides, { stack: "build", file: "examples/split/Pulumi.build.yaml", refs });

describe("a farm shared by other stacks", function () {
    this.timeout(120000);
    let farm: Plan;
    let core: Record<string, any>;
    let build: PlanView;

    before(async () => {
        farm = (await farmStack()).plan;
        core = farm.outputs.farmCore as Record<string, any>;
        build = await buildStack({}, { [FARM_STACK]: farm.outputs });
    });

    it("exports, from a farm-only stack, what a build needs: the values of the farm's own resources", () => {
        const resource = (type: string, name: string) => farm.resources.find((r) => r.type === type && r.name === name)!;
        assert.strictEqual(core.version, 1);
        assert.strictEqual(core.region, "us-east-1");
        assert.strictEqual(core.spot, true);
        assert.strictEqual(core.instanceType, "m6g.4xlarge");
        assert.strictEqual(core.rootVolumeGiB, 200);
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
        // No build, cluster or mesh in this stack.
        assert.deepStrictEqual(farm.resources.filter((r) => /IstioImageBuild|GkeArmCluster|IstioMesh/.test(r.type)), []);
    });

    it("runs a build-only stack on that farm: its hosts launch from the farm's template, subnets and types", () => {
        // Nothing of the farm is created again.
        for (const type of ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/vpc:Vpc", "aws:ecr/repository:Repository", "aws:iam/instanceProfile:InstanceProfile"]) {
            assert.deepStrictEqual(build.ofType(type), [], type);
        }
        const host = build.get(GROUP, "build-host").inputs as any;
        assert.deepStrictEqual(host.mixedInstancesPolicy.launchTemplate.launchTemplateSpecification, { launchTemplateId: core.launchTemplateId, version: String(core.launchTemplateVersion) });
        assert.deepStrictEqual(host.vpcZoneIdentifiers, core.subnetIds);
        assert.deepStrictEqual(host.mixedInstancesPolicy.launchTemplate.overrides.map((o: any) => o.instanceType), core.spotInstanceTypes);
        // A spot farm: the build keeps its on-demand standby.
        assert.strictEqual((build.get(GROUP, "build-host-on-demand").inputs as any).mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.launchTemplateId, core.launchTemplateId);
        const env = scriptEnv(build);
        assert.strictEqual(env.ARMFARM_HUB, core.hub);
        assert.strictEqual(env.ARMFARM_REGION, core.region);
        assert.ok(env.ARMFARM_RESULT_PATH.startsWith(`${core.resultRoot}/`), env.ARMFARM_RESULT_PATH);
        assert.ok(env.ARMFARM_INSTANCE_ARN_PREFIX.startsWith(`arn:aws:ec2:us-east-1:${core.accountId}:instance/`));
        assert.strictEqual(waitSettings(build).logGroupName, core.logGroupName);
        assert.strictEqual(build.outputs.hub, core.hub);
        // Hosts carry the farm's tags, so the farm's hosts are one fleet whichever stack launched them.
        assert.ok(host.tags.some((t: any) => t.key === "armfarm:farm" && t.value === "farm"));
    });

    it("plans the same build from the farmCore an ESC environment maps into armfarm:buildFarm", async () => {
        const fromEsc = await buildStack({ "armfarm:buildFarmStack": undefined, "armfarm:buildFarm": core });
        const custom = (view: PlanView) => view.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        assert.deepStrictEqual(custom(fromEsc), custom(build));
    });

    it("refuses a farm named twice, or named beside the stack's own farm", async () => {
        assert.match(await buildStackError({ "armfarm:buildFarm": core }, { [FARM_STACK]: farm.outputs }),
            /armfarm:buildFarm: is set beside armfarm:buildFarmStack; name the farm once/);
        assert.match(await buildStackError({ "armfarm:parts": ["farm", "build"] }, { [FARM_STACK]: farm.outputs }),
            /armfarm:buildFarmStack: names a farm of another stack, but armfarm:parts deploys this stack's own farm/);
        assert.match(await buildStackError({ "armfarm:buildFarmStack": "farm" }),
            /armfarm:buildFarmStack: "farm" is not accepted; expected a stack's full name ORG\/PROJECT\/STACK/);
    });

    it("names the stack and the field when the referenced stack holds no farm, or a farm of another shape", async () => {
        assert.match(await buildStackError({}, { [FARM_STACK]: { clusterName: "prod-1" } }),
            /armfarm:buildFarmStack: "acme\/armfarm\/farm": its output farmCore is missing, not a farm's farmCore \(an object\); name a stack that deploys the farm/);
        assert.match(await buildStackError({}, { [FARM_STACK]: { farmCore: { ...core, version: 2 } } }),
            /its output farmCore has version 2; this program reads version 1/);
        const { launchTemplateId: _dropped, ...partial } = core;
        assert.match(await buildStackError({}, { [FARM_STACK]: { farmCore: { ...partial, spot: "yes" } } }),
            /farmCore\.spot is "yes"; expected a boolean[\s\S]*farmCore\.launchTemplateId is missing; expected a non-empty string/);
        assert.match(await buildStackError({ "armfarm:buildFarmStack": undefined, "armfarm:buildFarm": ["farm"] }),
            /armfarm:buildFarm: the value is \["farm"\], not a farm's farmCore \(an object\); give the farm stack's farmCore output whole\n?$/);
        assert.match(await buildStackError({ "armfarm:buildFarmStack": undefined, "armfarm:buildFarm": "farm" }),
            /^Invalid stack configuration \(1 problem\):\n  - armfarm:buildFarm: "farm" is not accepted; expected a structured value/);
        // Without a plan for the stack, the offline plan says which --ref is missing.
        assert.match(await buildStackError(), /reads stack acme\/armfarm\/farm with a StackReference, and no --ref gives its plan/);
    });

    it("checks the build against the farm it reads, naming the farm and the farm stack's key to change", async () => {
        const refs = { [FARM_STACK]: farm.outputs };
        assert.match(await buildStackError({ "aws:region": "us-west-2" }, refs),
            /aws:region: "us-west-2" is not the region of the farm of stack acme\/armfarm\/farm, "us-east-1"/);
        const fromSource = {
            "armfarm:buildMode": "from-source", "armfarm:buildIstioRelease": undefined,
            "armfarm:buildIstioSha": "a".repeat(40), "armfarm:buildProxySha": "b".repeat(40),
        };
        assert.match(await buildStackError(fromSource, refs),
            /armfarm:buildFarmStack: the farm of stack acme\/armfarm\/farm: 200 GiB is too small for buildMode "from-source" .*; in that stack, armfarm:farmRootVolumeGiB: use at least 250/);
        const small = { [FARM_STACK]: { farmCore: { ...core, repositoryNames: ["pilot", "proxyv2"] } } };
        assert.match(await buildStackError({}, small),
            /armfarm:buildImages: "install-cni" is not one of the farm's repositories; use images from the farm of stack acme\/armfarm\/farm's repositories \(pilot, proxyv2\)/);
    });
});
