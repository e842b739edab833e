/**
 * `npm run plan -- --preview`: the program as a first `pulumi preview` runs it, nothing created yet. What the
 * engine answers is fixed by pulumi/pulumi's sources (scripts/plan/preview.ts cites them); these specs check
 * that the plan shows what follows from it on the dev stack:
 * - inputs the program knows stay known; what the cloud computes (ids, ARNs, URLs) is `[unknown]`
 *   (@pulumi/pulumi@3.270.0:runtime/rpc.js `resolveProperties`, runtime/resource.js `resolveID`);
 * - an invoke whose inputs or dependencies are unknown does not run and answers unknown
 *   (runtime/invoke.js `invokeAsync`), one whose inputs and dependencies are known runs as in an update;
 * - a resource whose provider is configured from an unknown (the kubernetes provider of a cluster this preview
 *   creates) gets no outputs at all (pulumi/pulumi@v3.259.0:sdk/go/common/resource/plugin/provider_plugin.go
 *   `Create`), and a read with an unknown id reads nothing (pkg/resource/deploy/step.go `ReadStep.Apply`).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { plan, PlanView, PROJECT_DIR } from "./harness";
import { previewPlan } from "./preview-harness";

const SUBNET = "aws:ec2/subnet:Subnet";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";

function planCli(...args: string[]) {
    return spawnSync(process.execPath, ["--require", "sucrase/register/ts", path.join(PROJECT_DIR, "scripts/plan.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** The dev stack without its farm and build: the cluster and the mesh alone. */
const withoutBuild = Object.fromEntries([
    ...Object.keys(YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")).config)
        .filter((k) => k.startsWith("aws:") || k.startsWith("armfarm:farm") || k.startsWith("armfarm:build")).map((k) => [k, undefined]),
    ["armfarm:parts", ["cluster", "mesh"]],
]);

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
        assert.strictEqual(preview.get(SUBNET, "farm-subnet-0").inputs.vpcId, "[unknown]");
        assert.match(String(update.get(SUBNET, "farm-subnet-0").inputs.vpcId), /^vpc-[0-9a-f]{17}$/);
        // Outputs made of computed values are unknown; outputs made of config and known invokes are not.
        assert.strictEqual(preview.outputs.farmRepositoryUrls, "[unknown]");
        assert.strictEqual(preview.outputs.farmHub, update.outputs.farmHub);
        assert.strictEqual(preview.outputs.farmHub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio");
    });

    it("runs no invoke that waits on a resource not created yet: the mesh's registry reads wait on the build", async () => {
        // The mesh depends on the stack's image build, and its preflight's registry reads with it (dependsOn).
        const inPreview = counting(MANIFESTS, (i) => manifestsFor(String(i.name)));
        const view = await previewPlan({}, { mocks: inPreview.mocks });
        assert.deepStrictEqual(inPreview.calls, []);
        assert.strictEqual(view.outputs.meshVerifiedImages, "[unknown]");
        assert.strictEqual(view.outputs.buildDurationSeconds, "[unknown]");
        // In an update they run (the build's own verification reads the hub too): every image the mesh pulls.
        const inUpdate = counting(MANIFESTS, (i) => manifestsFor(String(i.name)));
        await plan({}, { mocks: inUpdate.mocks });
        const read = new Set(inUpdate.calls.map((c) => String(c.name).split("/").pop()));
        for (const image of ["install-cni:1.30.3-distroless", "pilot:1.30.3-distroless", "proxyv2:1.30.3-distroless"]) {
            assert.ok(read.has(image), `${image} is read in an update`);
        }
    });

    it("answers a created resource with its inputs, and leaves unknown what the cloud adds, nested ones too", () => {
        const cluster = preview.get("gcp:container/cluster:Cluster", "cluster-gke");
        const endpoints = update.get("gcp:container/cluster:Cluster", "cluster-gke").inputs.controlPlaneEndpointsConfig;
        assert.deepStrictEqual(cluster.inputs.controlPlaneEndpointsConfig, endpoints, "the inputs are the program's, known");
        // GKE names the DNS endpoint: in the preview's answer it is unknown inside the config the program gave.
        assert.strictEqual((cluster.outputs as any).controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint, "[unknown]");
        assert.deepStrictEqual((cluster.outputs as any).controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic,
            (endpoints as any).dnsEndpointConfig.allowExternalTraffic);
        assert.strictEqual((cluster.outputs as any).masterVersion, "[unknown]");
        assert.strictEqual((cluster.outputs as any).name, cluster.inputs.name);
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

    it("runs the mesh's preflight when its hub and tag come from config and no build is planned, so a single-arch hub fails the preview", async () => {
        const hub = "registry.example.com/istio";
        const config = { ...withoutBuild, "armfarm:meshHub": hub, "armfarm:meshTag": "1.30.3" };
        const singleArch = counting(MANIFESTS, (i) => manifestsFor(String(i.name), ["linux/amd64"]));
        await assert.rejects(previewPlan(config, { mocks: singleArch.mocks }), /registry\.example\.com\/istio\/\S+ has no linux\/arm64 image/);
        assert.ok(singleArch.calls.length > 0);
        assert.ok(singleArch.calls.every((c) => String(c.name).startsWith(`${hub}/`)));
    });

    it("prints the documented JSON from the command line, the same on every run, [unknown] where the cloud has not answered", () => {
        const first = planCli("--preview", "--json");
        const second = planCli("--stack", "dev", "--json", "--preview");
        assert.strictEqual(first.status, 0, first.stderr);
        assert.strictEqual(first.stdout, second.stdout);
        const doc = JSON.parse(first.stdout);
        assert.deepStrictEqual(Object.keys(doc), ["project", "stack", "resources", "outputs"]);
        assert.strictEqual(doc.outputs.buildDurationSeconds, "[unknown]");
        assert.strictEqual(doc.outputs.kubeconfig, "[secret]");
        const tree = planCli("--preview");
        assert.match(tree.stdout, /^Offline plan of stack dev \(project armfarm\): what a first `pulumi preview` shows/);
    });
});
