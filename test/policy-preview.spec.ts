/**
 * The policy pack during a first `pulumi preview`, as the engine and @pulumi/policy run it (policy/check.ts
 * with `preview`, over `npm run plan -- --preview`):
 * - a resource policy reads inputs, a stack policy the outputs the preview answered
 *   (pulumi/pulumi@v3.259.0:pkg/resource/deploy/step_generator.go `AnalyzeResources`);
 * - a policy that reads an unknown does not judge: it becomes the advisory "can't run policy '<name>' from policy
 *   pack '<pack>@v<version>' during preview: <type> value at .<path> can't be known during preview"
 *   (pulumi/pulumi-policy@v1.21.0:sdk/nodejs/policy/server.ts, sdk/nodejs/policy/proxy.ts `UnknownValueError`).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { checkResources } from "../policy/check";
import { immutableTags } from "../policy/rules/ecr";
import { plan, PROJECT_DIR } from "./harness";
import { brief, packAtPreview, previewPlan } from "./preview-harness";
import { manifestsFor } from "../scripts/plan/mocks/registry";

/** The dev stack file's keys that start with one of `prefixes`, unset: a stack without those parts. */
function without(...prefixes: string[]): Record<string, undefined> {
    const file = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")).config as Record<string, unknown>;
    return Object.fromEntries(Object.keys(file).filter((k) => prefixes.some((p) => k.startsWith(p))).map((k) => [k, undefined]));
}

const UNVERIFIED_HUB = "registry.example.com/istio";
const HUB_FROM_CONFIG = { "armfarm:meshHub": UNVERIFIED_HUB, "armfarm:meshTag": "1.30.3" };
/** A mesh on a cluster outside the stack (kubernetes:context), its hub and tag from config. */
const MESH_ONLY = {
    ...without("aws:", "gcp:", "armfarm:farm", "armfarm:build", "armfarm:cluster"), ...HUB_FROM_CONFIG,
    "armfarm:parts": ["mesh"], "armfarm:meshNodeArchitectures": ["amd64", "arm64"], "kubernetes:context": "gke_acme_europe-west4_prod-1",
};
/** The stack's own cluster and mesh, no build: the hub and tag from config. */
const CLUSTER_AND_MESH = { ...without("aws:", "armfarm:farm", "armfarm:build"), ...HUB_FROM_CONFIG, "armfarm:parts": ["cluster", "mesh"] };
const ISTIO_RELEASES_WITH_HUB = [["istio-hub-verified-multi-arch", "mandatory", "mesh-cni"], ["istio-hub-verified-multi-arch", "mandatory", "mesh-istiod-1-30-3"]];

describe("the policy pack at a first preview", function () {
    this.timeout(60000);

    it("turns a policy that reads an unknown into an advisory that cannot run, as @pulumi/policy does", () => {
        const repository = {
            urn: "urn:pulumi:dev::armfarm::aws:ecr/repository:Repository::r", type: "aws:ecr/repository:Repository", name: "r",
            custom: true, inputs: { name: "istio/pilot", imageTagMutability: "[unknown]" },
        };
        assert.deepStrictEqual(checkResources([repository], {}, [immutableTags], { preview: true }), [{
            policy: "ecr-immutable-tags", enforcementLevel: "advisory", urn: repository.urn,
            message: "can't run policy 'ecr-immutable-tags' from policy pack 'armfarm@v0.1.0' during preview: " +
                "string value at .imageTagMutability can't be known during preview",
        }]);
        // Outside a preview, the plan's placeholder is a plain value and the policy judges it.
        assert.strictEqual(checkResources([repository], {}, [immutableTags])[0].enforcementLevel, "mandatory");
    });

    it("finds no mandatory violation in the dev stack's first preview; what it cannot judge yet is advisory", async () => {
        const findings = packAtPreview(await previewPlan());
        assert.deepStrictEqual(findings.filter((f) => f.enforcementLevel === "mandatory"), []);
        const cannotRun = findings.filter((f) => f.message.includes("during preview:"));
        assert.ok(cannotRun.length > 0, "a first preview leaves values the pack reads unknown");
    });

    it("blocks a mesh whose hub and tag come from config when the hub is not verified, at preview as at update", async () => {
        const preview = packAtPreview(await previewPlan(MESH_ONLY));
        assert.deepStrictEqual(preview.filter((f) => f.enforcementLevel === "mandatory").map(brief), ISTIO_RELEASES_WITH_HUB);
        assert.match(preview.find((f) => f.enforcementLevel === "mandatory")!.message,
            /pulls .* from "registry\.example\.com\/istio", which armfarm has not verified as multi-arch, onto a cluster with amd64 and arm64 nodes/);
        const update = checkResources((await plan(MESH_ONLY)).resources);
        assert.deepStrictEqual(update.filter((f) => f.enforcementLevel === "mandatory").map(brief), ISTIO_RELEASES_WITH_HUB);
        // Listed as verified in the pack's config, the same hub passes.
        const listed = packAtPreview(await previewPlan(MESH_ONLY), { verifiedHubs: [UNVERIFIED_HUB] });
        assert.deepStrictEqual(listed.filter((f) => f.enforcementLevel === "mandatory"), []);
    });

    // The stack's own farm, build, cluster and mesh, the mesh's hub and tag from config and not the build's: the
    // build publishes nothing the mesh pulls, so the preflight reads the hub in the first preview and fails it,
    // before the farm, the build or the cluster exist (the pack sees no release on a cluster not yet made).
    it("fails the first preview when the mesh's hub from config lacks arm64, beside a build of the stack's own", async () => {
        const amd64Only = { invokes: { "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i: Record<string, unknown>) => manifestsFor(String(i.name), ["linux/amd64"]) } };
        await assert.rejects(previewPlan(HUB_FROM_CONFIG, { mocks: amd64Only }),
            /registry\.example\.com\/istio\/(install-cni|pilot|proxyv2):1\.30\.3(-distroless)? has no linux\/arm64 image/);
        const multiArch = await previewPlan(HUB_FROM_CONFIG);
        assert.ok(Object.keys(multiArch.outputs.meshVerifiedImages as object).length >= 3, "verified at preview, not [unknown]");
    });

    it("shows stack policies no release on a cluster the same preview creates: its kubernetes provider is not configured yet", async () => {
        // The stack's own cluster, and the same unverified hub from config: the update plan is refused...
        const update = checkResources((await plan(CLUSTER_AND_MESH)).resources);
        assert.deepStrictEqual(update.filter((f) => f.enforcementLevel === "mandatory").map(brief), ISTIO_RELEASES_WITH_HUB);
        // ...but in the preview, the releases' outputs are empty, so the stack policy has nothing to judge. There,
        // the mesh's own preflight is the gate: it reads the hub's indexes during the preview (plan-preview.spec.ts).
        const preview = await previewPlan(CLUSTER_AND_MESH);
        assert.ok(preview.ofType("kubernetes:helm.sh/v3:Release").every((r) => JSON.stringify(r.outputs) === "{}"));
        assert.deepStrictEqual(packAtPreview(preview).filter((f) => f.policy === "istio-hub-verified-multi-arch"), []);
    });
});
