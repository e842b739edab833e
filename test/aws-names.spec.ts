/**
 * AWS names scoped to the stack (issue 15): every name that must be unique in an account and region starts with
 * the name prefix (`armfarm-<stack>` by default), so two stacks in one account share none, and two builds of one
 * key on a shared farm never pick each other's hosts.
 */
import * as assert from "assert";
import { runPlan } from "../scripts/plan/engine";
import { devConfig, Overrides, plan, planError, PlanView, PROJECT_DIR, scriptEnv } from "./harness";

/**
 * The arguments that carry an AWS physical name: `name` (log group, role, instance profile, ECR repository,
 * group, document, rule), an association's `associationName`, and the prefixes the provider completes with a
 * unique suffix (`namePrefix` of the security group and launch templates, the bucket's `bucketPrefix`).
 */
const NAME_FIELDS = ["name", "associationName", "namePrefix", "bucketPrefix"];
/**
 * AWS types with no name of their own in the account: network pieces (ids only), an inline role policy (named
 * within its role), an attachment, the ECR lifecycle policy, the bucket's settings, and an event target (named
 * within its rule).
 */
const NAMELESS = [
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:cloudwatch/eventTarget:EventTarget",
];
const RUN_TAG = "armfarm:build-run";

async function planAs(stack: string, overrides: Overrides = {}): Promise<PlanView> {
    return new PlanView(await runPlan({ projectDir: PROJECT_DIR, stack, config: devConfig(overrides) }));
}

/** Every AWS physical name the plan sets, with what else must not meet: the build's result path and run tag. */
function physicalNames(view: PlanView): Map<string, string> {
    const names = new Map<string, string>();
    for (const r of view.resources.filter((x) => x.type.startsWith("aws:"))) {
        for (const field of NAME_FIELDS) {
            if (typeof r.inputs[field] === "string") names.set(`${r.type} ${r.name} ${field}`, r.inputs[field] as string);
        }
        const runTag = Array.isArray(r.inputs.tags) ? (r.inputs.tags as any[]).find((t) => t.key === RUN_TAG) : undefined;
        if (runTag) names.set(`${r.name} run tag`, runTag.value);
    }
    if (view.resources.some((r) => r.name === "build-build")) names.set("result path", scriptEnv(view).ARMFARM_RESULT_PATH);
    return names;
}

describe("AWS names scoped to the stack", function () {
    this.timeout(120000);
    let dev: PlanView;
    let prod: PlanView;
    before(async () => {
        [dev, prod] = [await planAs("dev"), await planAs("prod")];
    });

    it("gives two stacks with the same config in one account no physical name, result path or run tag in common", () => {
        const [a, b] = [physicalNames(dev), physicalNames(prod)];
        assert.deepStrictEqual([...a.keys()], [...b.keys()], "both stacks name the same resources");
        const shared = [...a.values()].filter((n) => [...b.values()].includes(n));
        assert.deepStrictEqual(shared, []);
        // Each publishes to its own cluster's hub, so the keys differ too; one key on a shared farm is below.
        assert.notStrictEqual(dev.outputs.buildRunId, prod.outputs.buildRunId);
    });

    it("starts each with the stack's prefix: the farm's log group, results, role and hub, the run's documents, groups, rules and roles", () => {
        const run = prod.outputs.buildRunId as string;
        assert.match(run, /^[0-9a-f]{12}$/);
        assert.deepStrictEqual([...new Set(physicalNames(prod).values())].sort(), [
            "/armfarm-prod/farm",
            `/armfarm-prod/farm/builds/armfarm-prod-build/${run}`,
            `armfarm-prod-build-${run}`, `armfarm-prod-build-${run}-automation`, `armfarm-prod-build-${run}-end`, `armfarm-prod-build-${run}-events`,
            `armfarm-prod-build-${run}-on-demand`, `armfarm-prod-build-${run}-spot-fallback`, `armfarm-prod-build-${run}-spot-refused`,
            "armfarm-prod-farm-cache-", "armfarm-prod-farm-host", "armfarm-prod-farm-hosts-", "armfarm-prod-farm-hosts-amd64-",
            "armfarm-prod/istio/install-cni", "armfarm-prod/istio/pilot", "armfarm-prod/istio/proxyv2", "armfarm-prod/istio/ztunnel",
            run,
        ].sort());
        assert.strictEqual(prod.outputs.hub, "us-central1-docker.pkg.dev/armfarm-dev/armfarm-prod-istio");
        assert.strictEqual(prod.outputs.farmHub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-prod/istio");
    });

    it("leaves unnamed only AWS resources that have no name in the account", () => {
        const unnamed = prod.resources.filter((r) => r.type.startsWith("aws:") && !NAME_FIELDS.some((f) => typeof r.inputs[f] === "string"));
        for (const type of new Set(unnamed.map((r) => r.type))) assert.ok(NAMELESS.includes(type), `${type} has no physical name of armfarm's`);
    });

    it("takes armfarm:namePrefix instead, keeps long prefixes within AWS's limits, and refuses a prefix AWS keeps", async () => {
        const long = "team-platform-mesh-arm64-builds-eu-west";
        const view = await plan({ "armfarm:namePrefix": long, "armfarm:farmSpot": true });
        const names = [...physicalNames(view).entries()];
        // EventBridge rule and IAM role names hold at most 64 characters (EventBridge API Reference, PutRule
        // `Name`; IAM API Reference, CreateRole `RoleName`).
        for (const [where, name] of names.filter(([k]) => /EventRule|iam\/role:Role/.test(k))) {
            assert.ok(name.length <= 64, `${where}: ${name} (${name.length})`);
            assert.ok(name.startsWith("team-platform-mesh"), `${where}: ${name}`);
        }
        assert.strictEqual(view.get("aws:cloudwatch/logGroup:LogGroup", "farm-logs").inputs.name, `/${long}/farm`);
        // A bucket prefix holds at most 37 characters (hashicorp/terraform-provider-aws internal/service/s3/bucket.go).
        assert.ok((view.get("aws:s3/bucket:Bucket", "farm-cache").inputs.bucketPrefix as string).length <= 37);
        // Beginnings AWS refuses where the prefix starts a name: SSM documents (aws, amazon, amzn), SSM parameters
        // (ssm), security groups (sg-), S3 buckets (xn--, sthree-); and "--", which no ECR repository name holds.
        for (const [prefix, refusal] of [
            ["aws-mesh", "aws, amazon and amzn, which AWS keeps for its own SSM documents"], ["amazon-mesh", "aws, amazon and amzn"],
            ["ssmteam", "ssm, which AWS keeps for its own SSM parameters"], ["sg-team", "sg-, which names no security group"],
            ["sthree-mesh", "xn-- and sthree-, which start no S3 bucket"],
        ]) {
            assert.match(await planError({ "armfarm:namePrefix": prefix }), new RegExp(`armfarm:namePrefix: "${prefix}" starts with ${refusal}`));
        }
        assert.match(await planError({ "armfarm:namePrefix": "team--mesh" }), /armfarm:namePrefix: "team--mesh" holds "--", which no ECR repository name takes/);
        assert.match(await planError({ "armfarm:namePrefix": "Team_A" }), /armfarm:namePrefix: "Team_A" is not accepted; expected 1-40 lowercase letters/);
    });

    it("keeps two build stacks of one key on a shared farm apart: their own runs and results under the farm's root", async () => {
        const farm = await plan({}, { stack: "farm", file: "examples/split/Pulumi.farm.yaml" });
        const refs = { "acme/armfarm/farm": farm.outputs };
        // One plan at a time: the mock engine runs one program per process at once.
        // Both publish to the farm's ECR hub: one key.
        const toFarm = { "armfarm:buildHubStack": undefined };
        const staging = await plan(toFarm, { stack: "staging", file: "examples/split/Pulumi.build.yaml", refs });
        const production = await plan(toFarm, { stack: "production", file: "examples/split/Pulumi.build.yaml", refs });
        assert.strictEqual(staging.outputs.buildKey, production.outputs.buildKey);
        const target = (view: PlanView) => (view.get("aws:ssm/association:Association", "build-build").inputs.targets as any[])[0].values[0];
        assert.notStrictEqual(target(staging), target(production));
        const root = (farm.outputs.farmCore as any).resultRoot;
        assert.strictEqual(root, "/armfarm-farm/farm/builds");
        assert.strictEqual(scriptEnv(staging).ARMFARM_RESULT_PATH, `${root}/armfarm-staging-build/${staging.outputs.buildRunId}`);
        assert.strictEqual(scriptEnv(production).ARMFARM_RESULT_PATH, `${root}/armfarm-production-build/${production.outputs.buildRunId}`);
    });
});
