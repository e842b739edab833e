import * as assert from "assert";
import { GKE_CLUSTER, GKE_NODE_POOL } from "../rules/gke";
import { IMAGE_BUILD, verifiedHub } from "../rules/hub";
import { chartName, HELM_CHART, HELM_RELEASE, hubOverride, istioChartOf, istioUnjudgedAtPreview } from "../rules/istio";
import { cover, resource, stackViolations, violations } from "./cases";

const ISTIO_REPO = { repo: "https://istio-release.storage.googleapis.com/charts" };
const HUB = "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio";

const release = (chart: string, values: Record<string, any> = {}, props: Record<string, any> = {}) =>
    resource(HELM_RELEASE, { chart, version: "1.30.3", namespace: "istio-system", repositoryOpts: ISTIO_REPO, values, ...props }, `mesh-${chart}`);
const withHub = (hub: string) => ({ global: { hub, tag: "1.30.3" } });
const pools = (...machineTypes: string[]) => [
    resource(GKE_CLUSTER, { removeDefaultNodePool: true, nodeConfig: {} }),
    ...machineTypes.map((machineType) => resource(GKE_NODE_POOL, { nodeConfig: { machineType } })),
];

describe("policy: Istio", () => {
    it("recognises Istio's charts by name and source", () => {
        assert.strictEqual(chartName("oci://europe-docker.pkg.dev/acme/charts/istiod"), "istiod");
        assert.strictEqual(chartName("https://istio-release.storage.googleapis.com/charts/cni-1.30.3.tgz"), "cni");
        assert.strictEqual(istioChartOf(release("cni")), "cni");
        assert.strictEqual(istioChartOf(resource(HELM_CHART, { chart: "oci://registry.example/istio/gateway" })), "gateway");
        // A chart named gateway from elsewhere is not Istio's.
        assert.strictEqual(istioChartOf(resource(HELM_RELEASE, { chart: "gateway", repositoryOpts: { repo: "https://charts.example.com" } })), undefined);
    });

    it("requires the hub override on charts that run Istio images, Release and Chart v4 alike", () => {
        cover(hubOverride);
        assert.deepStrictEqual(violations(hubOverride, release("istiod", withHub(HUB))), []);
        assert.deepStrictEqual(violations(hubOverride, release("istiod", { global: { tag: "1.30.3" } })).map((m) => /names no hub for (.*) \(values/.exec(m)![1]),
            ["the istiod image", "the injected sidecar", "the injected init container"]);
        // A chart's own hub names its image's (istio/istio@1.30.3 manifests/charts/istio-cni/templates/daemonset.yaml).
        assert.deepStrictEqual(violations(hubOverride, release("cni", { hub: HUB, tag: "1.30.3" })), []);
        assert.strictEqual(violations(hubOverride, resource(HELM_CHART, { chart: "cni", repositoryOpts: ISTIO_REPO, values: {} })).length, 1);
        // base installs CRDs only, and gateway pods take their image from istiod's injection.
        assert.deepStrictEqual(violations(hubOverride, release("base")), []);
        assert.deepStrictEqual(violations(hubOverride, release("gateway")), []);
    });

    it("requires a verified multi-arch hub on a cluster with both architectures", () => {
        cover(verifiedHub);
        const build = resource(IMAGE_BUILD, { hub: HUB, tag: "1.30.3" });
        const mixed = pools("e2-standard-4", "t2a-standard-4");
        const upstream = release("istiod", withHub("docker.io/istio"));
        // The build's hub (with or without a trailing slash) passes; an unverified one does not.
        assert.deepStrictEqual(stackViolations(verifiedHub, [...mixed, build, release("istiod", withHub(`${HUB}/`))]), []);
        const [message] = stackViolations(verifiedHub, [...mixed, build, upstream]);
        assert.match(message, /the istiod chart pulls the istiod image and the injected sidecar and the injected init container from "docker.io\/istio", which armfarm has not verified as multi-arch/);
        assert.match(message, /use the hub of this stack's image build \("123456789012.dkr.ecr.us-east-1.amazonaws.com\/istio"\)/);
        // A hub listed in the pack's config counts as verified.
        assert.deepStrictEqual(stackViolations(verifiedHub, [...mixed, upstream], { verifiedHubs: ["docker.io/istio"] }), []);
        // One architecture only: any hub that serves it will do.
        assert.deepStrictEqual(stackViolations(verifiedHub, [...pools("e2-standard-4", "n2-standard-8"), upstream]), []);
        assert.deepStrictEqual(stackViolations(verifiedHub, [...pools("t2a-standard-4"), upstream]), []);
        // A kept default pool (e2-medium unless named) adds amd64 nodes.
        const keptDefault = resource(GKE_CLUSTER, { removeDefaultNodePool: false, nodeConfig: {} });
        assert.strictEqual(stackViolations(verifiedHub, [keptDefault, ...pools("t2a-standard-4").slice(1), upstream]).length, 1);
        // Without pools in the stack, the architectures an Istio release requires (Kubernetes' required node
        // affinity on kubernetes.io/arch) tell the cluster's.
        const requiring = (...archs: string[]) => release("istiod", { ...withHub("docker.io/istio"), affinity: { nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: archs }] }] },
        } } });
        assert.strictEqual(stackViolations(verifiedHub, [requiring("amd64", "arm64")]).length, 1);
        assert.deepStrictEqual(stackViolations(verifiedHub, [requiring("amd64")]), []);
        // Where the charts take an image from elsewhere than global.hub (istio/istio@1.30.3: istiod's
        // templates/deployment.yaml and the cni and ztunnel daemonsets read `image` when it holds a "/", else
        // `hub | default global.hub`; files/injection-template.yaml reads global.proxy.image when it holds a "/").
        const single = "registry.example.com/amd64only";
        const overridden: [string, Record<string, any>, string][] = [
            ["istiod", { ...withHub(HUB), hub: single }, "the istiod image"],
            ["istiod", { ...withHub(HUB), image: `${single}/pilot:1.30.3` }, "the istiod image"],
            ["istiod", { global: { hub: HUB, tag: "1.30.3", proxy: { image: `${single}/proxyv2:1.30.3` } } }, "the injected sidecar"],
            ["istiod", { global: { hub: HUB, tag: "1.30.3", proxy_init: { image: `${single}/proxyv2@sha256:${"a".repeat(64)}` } } }, "the injected init container"],
            ["cni", { ...withHub(HUB), hub: single }, "the cni image"],
            ["ztunnel", { ...withHub(HUB), image: `${single}/ztunnel:1.30.3` }, "the ztunnel image"],
        ];
        for (const [chart, values, what] of overridden) {
            const found = stackViolations(verifiedHub, [...mixed, build, release(chart, values)]);
            assert.deepStrictEqual(found.map((m) => /pulls (.*) from "([^"]+)"/.exec(m)!.slice(1)), [[what, single]], JSON.stringify(values));
        }
        // An image name without a "/" takes the hub as before.
        assert.deepStrictEqual(stackViolations(verifiedHub, [...mixed, build, release("istiod", { ...withHub(HUB), image: "pilot" })]), []);
        // Pools a cluster declares inline count towards its architectures.
        const inlineMixed = resource(GKE_CLUSTER, { removeDefaultNodePool: false, nodeConfig: { machineType: "e2-standard-4" }, nodePools: [{ nodeConfig: { machineType: "t2a-standard-4" } }] });
        assert.strictEqual(stackViolations(verifiedHub, [inlineMixed, upstream]).length, 1);
        // A hub the cloud has not computed yet cannot be judged in this preview.
        assert.deepStrictEqual(stackViolations(verifiedHub, [...mixed, release("istiod", withHub("[unknown]"))]), []);
    });

    it("says, in a first preview, which Helm releases it cannot see, rather than pass them in silence", () => {
        cover(istioUnjudgedAtPreview);
        const unseen = resource(HELM_RELEASE, {}, "mesh-istiod-1-30-3");
        assert.deepStrictEqual(stackViolations(istioUnjudgedAtPreview, [unseen, release("istiod", withHub(HUB))]).map((m) => m.split(" (")[0]),
            ["this preview shows nothing of mesh-istiod-1-30-3"]);
        assert.strictEqual(istioUnjudgedAtPreview.enforcementLevel, "advisory");
    });
});
