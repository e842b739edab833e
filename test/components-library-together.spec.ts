/**
 * One default per concept (issue 15): IstioImageBuild and IstioMesh used together in code, each left at its
 * defaults, agree on the images. Both default to the distroless variant: the build publishes `<tag>-distroless`
 * (istio/istio@1.30.3:tools/docker-builder/common.go, `extractTags`: the default variant is tagged `<tag>`, any
 * other `<tag>-<variant>`), and the mesh pulls the same through `global.variant: distroless` (istiod:
 * istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/deployment.yaml,
 * `{{ .Values.tag | default .Values.global.tag }}{{with (.Values.variant | default .Values.global.variant)}}-{{.}}{{end}}`;
 * the injected proxies: pkg/kube/inject/inject.go, `ProxyImage`, which takes global.variant as the image type).
 * The library fixture's `build-and-mesh` case builds a mirror on a farm of defaults and feeds the mesh the build's
 * hub and tag, as a user's program would.
 *
 * The registry here holds only what the build pushed and verified: any other read is refused as the docker
 * provider reports a tag the registry does not have, "got bad response from registry: 404 Not Found"
 * (kreuzwerker/terraform-provider-docker internal/provider/data_source_docker_registry_image_manifests.go,
 * `doManifestRequest`), so the mesh plans only when its preflight reads the build's own images.
 */
import * as assert from "assert";
import { PlanView } from "./harness";
import { LibraryArgs, planLibrary } from "./library-harness";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { MockOverrides } from "../scripts/plan/mocks";

const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** The build's required argument in its default mode (mirror): the release it mirrors. */
const BUILD: LibraryArgs["build"] = { istioRelease: "1.30.3" };

/** The references a build alone reads back after its push: what it published and verified. */
async function publishedBy(build: LibraryArgs["build"]): Promise<{ view: PlanView; references: string[] }> {
    const references: string[] = [];
    const view = await planLibrary("build", { build }, { mocks: { invokes: { [MANIFESTS]: (i) => {
        references.push(String(i.name));
        return manifestsFor(String(i.name));
    } } } });
    return { view, references: [...new Set(references)].sort() };
}

/** A registry that holds `published` only, recording every read in `reads`. */
function registryHolding(published: readonly string[], reads: string[], extra: MockOverrides = {}): MockOverrides {
    return {
        ...extra,
        invokes: { [MANIFESTS]: (i) => {
            const reference = String(i.name);
            reads.push(reference);
            if (!published.includes(reference)) throw new Error("got bad response from registry: 404 Not Found");
            return manifestsFor(reference);
        } },
    };
}

describe("IstioImageBuild and IstioMesh used together with their defaults", () => {
    let published: string[];
    let hub: string;
    let together: PlanView;
    const reads: string[] = [];
    before(async () => {
        const alone = await publishedBy(BUILD);
        published = alone.references;
        hub = String(alone.view.outputs.hub);
        together = await planLibrary("build-and-mesh", { build: BUILD }, { mocks: registryHolding(published, reads) });
    });

    it("the build publishes and verifies every image under <tag>-distroless", () => {
        assert.strictEqual(hub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-lib/istio");
        assert.deepStrictEqual(published, ["install-cni", "pilot", "proxyv2", "ztunnel"].map((image) => `${hub}/${image}:1.30.3-distroless`));
        assert.deepStrictEqual([together.outputs.buildHub, together.outputs.buildTag, together.outputs.buildVariant], [hub, "1.30.3", "distroless"]);
    });

    it("the mesh's istiod pulls from the build's hub and tag, with the variant the build published", () => {
        const global = (together.get(RELEASE, "mesh-istiod-1-30-3").inputs.values as Record<string, any>).global;
        assert.deepStrictEqual([global.hub, global.tag, global.variant], [together.outputs.buildHub, together.outputs.buildTag, together.outputs.buildVariant]);
        for (const image of ["pilot", global.proxy.image, global.proxy_init.image]) {
            assert.ok(published.includes(`${global.hub}/${image}:${global.tag}-${global.variant}`), image);
        }
    });

    it("the mesh's images are exactly images the build published and verified", () => {
        assert.deepStrictEqual(together.outputs.meshImages, {
            istiod: `${hub}/pilot:1.30.3-distroless`,
            sidecar: `${hub}/proxyv2:1.30.3-distroless`,
            init: `${hub}/proxyv2:1.30.3-distroless`,
            gateway: `${hub}/proxyv2:1.30.3-distroless`,
        });
        for (const reference of Object.values(together.outputs.meshImages as Record<string, string>)) assert.ok(published.includes(reference), reference);
    });

    it("the mesh's preflight verified the same references the build did, and read the same digests", () => {
        const verified = together.outputs.meshVerifiedImages as Record<string, { reference: string; digests: Record<string, string> }>;
        const digests = together.outputs.buildImageDigests as Record<string, Record<string, string>>;
        assert.deepStrictEqual(Object.keys(verified).sort(), ["pilot", "proxyv2"]);
        for (const [image, v] of Object.entries(verified)) {
            assert.strictEqual(v.reference, `${hub}/${image}:1.30.3-distroless`);
            assert.deepStrictEqual(v.digests, digests[image], image);
        }
        assert.deepStrictEqual([...new Set(reads)].sort(), published, "nothing but the build's images was read");
    });

    it("a build of the default variant beside a mesh at its default disagree: the preflight stops the mesh, before any release", async () => {
        const variantDefault = { ...BUILD, variant: "default" };
        const { references } = await publishedBy(variantDefault);
        assert.ok(references.every((r) => r.endsWith(":1.30.3")), references.join(", "));
        const mismatchReads: string[] = [];
        const installed: string[] = [];
        await assert.rejects(planLibrary("build-and-mesh", { build: variantDefault }, {
            mocks: registryHolding(references, mismatchReads, { resources: { [RELEASE]: (name) => { installed.push(name); return {}; } } }),
        }), /got bad response from registry: 404 Not Found/);
        assert.ok(mismatchReads.some((r) => r.endsWith("/pilot:1.30.3-distroless")), mismatchReads.join(", "));
        assert.deepStrictEqual(installed, []);
    });
});
