/**
 * `npm run plan -- --preview`: the program as a first `pulumi preview` runs it, nothing created yet. What the
 * engine answers is fixed by pulumi/pulumi's sources (scripts/plan/preview.ts cites them); these specs check
 * that the plan shows what follows from it on the dev stack:
 * - inputs the program knows stay known; what the cloud computes (ids, ARNs, URLs) is `[unknown]`
 *   (@pulumi/pulumi@3.270.0:runtime/rpc.js `resolveProperties`, runtime/resource.js `resolveID`);
 * - an invoke whose inputs or dependencies are unknown does not run and answers unknown
 *   (runtime/invoke.js `invokeAsync`), one whose inputs are known runs as in an update;
 * - a resource whose provider is configured from an unknown (the kubernetes provider of a cluster this preview
 *   creates) gets no outputs at all (pulumi/pulumi@v3.259.0:sdk/go/common/resource/plugin/provider_plugin.go
 *   `Create`), and a read with an unknown id reads nothing (pkg/resource/deploy/step.go `ReadStep.Apply`).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { buildResultParameters } from "../scripts/plan/mocks/build";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { plan, PlanView, PROJECT_DIR } from "./harness";
import { previewPlan } from "./preview-harness";

const SUBNET = "aws:ec2/subnet:Subnet";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const BUILD_RESULT = "aws:ssm/getParametersByPath:getParametersByPath";
const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";

function planCli(...args: string[]) {
    return spawnSync(process.execPath, ["--require", "sucrase/register/ts", path.join(PROJECT_DIR, "scripts/plan.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** Mock overrides that count the calls of an invoke and answer as the plan's own mock does. */
function counting(token: string, answer: (inputs: Record<string, any>) => Record<string, unknown>) {
    const calls: Record<string, any>[] = [];
    return { calls, mocks: { invokes: { [token]: (inputs: Record<string, any>) => (calls.push(inputs), answer(inputs)) } } };
}

describe("the offline plan of a first preview (--preview)", function () {
    this.timeout(60000);
    let preview: PlanView;
    let update: PlanView;
    before(async () => {
        preview = await previewPlan();
        update = await plan();
    });

    it("keeps the inputs the program knows, and leaves what the cloud computes unknown", () => {
        // The launch template's instance type and volume come from the stack file: known in both.
        const template = preview.get(LAUNCH_TEMPLATE, "farm-hosts");
        assert.strictEqual(template.inputs.instanceType, "m6g.4xlarge");
        assert.deepStrictEqual(template.inputs.blockDeviceMappings, update.get(LAUNCH_TEMPLATE, "farm-hosts").inputs.blockDeviceMappings);
        // The instance profile's ARN is the cloud's answer: unknown until the profile exists.
        assert.deepStrictEqual(template.inputs.iamInstanceProfile, { arn: "[unknown]" });
        // A subnet's VPC id is the id of a VPC this preview only plans.
        assert.strictEqual(preview.get(SUBNET, "farm-subnet").inputs.vpcId, "[unknown]");
        assert.match(String(update.get(SUBNET, "farm-subnet").inputs.vpcId), /^vpc-[0-9a-f]{17}$/);
        // Outputs made of computed values are unknown; outputs made of config and known invokes are not.
        assert.strictEqual(preview.outputs.farmRepositoryUrls, "[unknown]");
        assert.strictEqual(preview.outputs.farmHub, update.outputs.farmHub);
        assert.strictEqual(preview.outputs.farmHub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio");
    });

    it("runs invokes whose inputs are known, and not those that wait on a resource not created yet", async () => {
        // The build's result is read after its SSM association (dependsOn): in a preview it is never read.
        const inPreview = counting(BUILD_RESULT, (i) => buildResultParameters(String(i.path)));
        const view = await previewPlan({}, { mocks: inPreview.mocks });
        assert.deepStrictEqual(inPreview.calls, []);
        assert.strictEqual(view.outputs.buildDurationSeconds, "[unknown]");
        assert.strictEqual(view.outputs.hub, "[unknown]");
        // In an update the same invoke runs once, after the association.
        const inUpdate = counting(BUILD_RESULT, (i) => buildResultParameters(String(i.path)));
        await plan({}, { mocks: inUpdate.mocks });
        assert.strictEqual(inUpdate.calls.length, 1);
    });

    it("gives resources of a provider configured from unknowns no outputs, and reads nothing with an unknown id", () => {
        // The mesh's releases go through the kubernetes provider of the cluster this preview creates.
        const provider = preview.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.ok(provider, "the stack has its own kubernetes provider");
        for (const release of preview.ofType(RELEASE)) {
            assert.strictEqual(release.options.provider, provider!.urn);
            assert.deepStrictEqual(release.outputs, {}, `${release.name}: the preview answers nothing`);
        }
        assert.strictEqual(update.ofType(RELEASE).filter((r) => r.outputs !== undefined).length, 0, "an update plan records no outputs of custom resources");
        // The gateway's Service is read by a name the release's status gives: unknown, so nothing is read.
        assert.strictEqual(preview.outputs.meshGatewayService, "[unknown]");
        assert.strictEqual((update.outputs.meshGatewayService as any).type, "LoadBalancer");
    });

    it("runs the mesh's preflight when its hub and tag come from config, so a single-arch hub fails the preview", async () => {
        const hub = "registry.example.com/istio";
        const config = { "armfarm:meshHub": hub, "armfarm:meshTag": "1.30.3" };
        const singleArch = counting(MANIFESTS, (i) => manifestsFor(String(i.name), ["linux/amd64"]));
        await assert.rejects(previewPlan(config, { mocks: singleArch.mocks }), /registry\.example\.com\/istio\/\S+ has no linux\/arm64 image/);
        assert.ok(singleArch.calls.length > 0);
        assert.ok(singleArch.calls.every((c) => String(c.name).startsWith(`${hub}/`)));
        // With the hub of a build this preview only plans, the preflight cannot run yet.
        const fromBuild = counting(MANIFESTS, (i) => manifestsFor(String(i.name)));
        await previewPlan({}, { mocks: fromBuild.mocks });
        assert.deepStrictEqual(fromBuild.calls, []);
    });

    it("prints the documented JSON from the command line, the same on every run, [unknown] where the cloud has not answered", () => {
        const first = planCli("--preview", "--json");
        const second = planCli("--stack", "dev", "--json", "--preview");
        assert.strictEqual(first.status, 0, first.stderr);
        assert.strictEqual(first.stdout, second.stdout);
        const doc = JSON.parse(first.stdout);
        assert.deepStrictEqual(Object.keys(doc), ["project", "stack", "resources", "outputs"]);
        assert.strictEqual(doc.outputs.hub, "[unknown]");
        assert.strictEqual(doc.outputs.kubeconfig, "[secret]");
        const tree = planCli("--preview");
        assert.match(tree.stdout, /^Offline plan of stack dev \(project armfarm\): what a first `pulumi preview` shows/);
    });
});
