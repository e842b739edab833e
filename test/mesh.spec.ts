import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { dependsOnTransitively, plan as planStack, planError as planStackError, Overrides, planningWith, PlanView } from "./harness";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { meshPullsFromBuild } from "../config";
import { HubTarget } from "../config/hub-target";
import { waitOutput } from "../scripts/plan/mocks/build";
import { PlannedResource } from "../scripts/plan/engine";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const PEER_AUTH = "kubernetes:security.istio.io/v1:PeerAuthentication";
const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";
const ARM64_TOLERATION = { key: "kubernetes.io/arch", operator: "Equal", value: "arm64", effect: "NoSchedule" };
const CHARTS = "https://istio-release.storage.googleapis.com/charts";

// The gateway chart's own values schema (istio 1.30.3), kept as test data: see test/data/istio-1.30.3/README.md.
const gatewaySchema = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "istio-1.30.3", "gateway-values.schema.json"), "utf8"));

/**
 * Most specs look at the mesh with a hub of the team's own (docker.io/istio, as `meshHub`/`meshTag` name it);
 * the dev stack's wiring to its own build and cluster is specced in "on the stack's own build".
 */
const OWN_HUB: Overrides = { "armfarm:parts": ["farm", "cluster", "mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3" };
const { plan, planError } = planningWith(OWN_HUB);

const values = (r: PlannedResource) => r.inputs.values as Record<string, any>;
const release = (view: PlanView, name: string) => view.get(RELEASE, name);
const depends = (view: PlanView, name: string) => release(view, name).options.dependsOn;
/** The stack's node pools and its webhook firewall rule, by URN. */
const nodesReady = (view: PlanView) => [...view.ofType("gcp:container/nodePool:NodePool"), ...view.ofType("gcp:compute/firewall:Firewall")].map((r) => r.urn).sort();

describe("IstioMesh", () => {
    let dev: PlanView;
    before(async () => {
        dev = await plan();
    });

    describe("releases and their order", () => {
        it("installs base, cni, istiod and gateway from Istio's chart repository at the configured version", () => {
            const found = dev.ofType(RELEASE).map((r) => [r.name, r.inputs.chart, r.inputs.version, r.inputs.name, r.inputs.namespace]);
            assert.deepStrictEqual(found, [
                ["mesh-base", "base", "1.30.3", "istio-base", "istio-system"],
                ["mesh-cni", "cni", "1.30.3", "istio-cni", "kube-system"],
                ["mesh-gateway", "gateway", "1.30.3", "istio-ingressgateway", "istio-ingress"],
                ["mesh-istiod-1-30-3", "istiod", "1.30.3", "istiod-1-30-3", "istio-system"],
            ]);
            for (const r of dev.ofType(RELEASE)) {
                assert.deepStrictEqual(r.inputs.repositoryOpts, { repo: CHARTS }, r.name);
                assert.strictEqual(r.inputs.atomic, true, `${r.name} rolls back a failed install`);
                assert.strictEqual(r.inputs.skipAwait, false, `${r.name} waits for readiness`);
            }
        });

        it("orders base → cni → istiod → gateway and the mTLS policy after istiod", () => {
            const urn = (name: string) => release(dev, name).urn;
            const nodes = nodesReady(dev);
            const meshDeps = (deps: string[]) => deps.filter((d) => !nodes.includes(d));
            assert.deepStrictEqual(meshDeps(depends(dev, "mesh-base")), []);
            assert.deepStrictEqual(meshDeps(depends(dev, "mesh-cni")), [urn("mesh-base")]);
            assert.deepStrictEqual(meshDeps(depends(dev, "mesh-istiod-1-30-3")), [urn("mesh-base"), urn("mesh-cni")].sort());
            assert.deepStrictEqual(meshDeps(depends(dev, "mesh-gateway")), [urn("mesh-istiod-1-30-3")]);
            assert.deepStrictEqual(meshDeps(dev.get(PEER_AUTH, "mesh-mtls").options.dependsOn), [urn("mesh-istiod-1-30-3")]);
        });

        it("installs nothing before the node pools it schedules onto and the firewall rule for istiod's webhooks exist", async () => {
            // istiod and the gateway run on the pools' nodes, and their pods are injected through istiod's webhook
            // on tcp:15017: a release that starts first races pool creation against Helm's timeout.
            const nodes = nodesReady(dev);
            assert.deepStrictEqual(nodes.map((u) => dev.byUrn(u).name).sort(), ["cluster-amd64", "cluster-arm64", "cluster-mesh-webhooks"]);
            for (const r of [...dev.ofType(RELEASE), dev.get(PEER_AUTH, "mesh-mtls")]) {
                for (const u of nodes) assert.ok(r.options.dependsOn.includes(u), `${r.name} does not wait for ${dev.byUrn(u).name}`);
            }
            // A cluster made elsewhere: nothing of a pool to wait for.
            const alone = await plan({ "armfarm:parts": ["mesh"] });
            assert.deepStrictEqual(alone.ofType("gcp:container/nodePool:NodePool"), []);
            assert.deepStrictEqual(depends(alone, "mesh-base"), []);
        });
    });

    describe("hub override", () => {
        it("gives istiod, the injected sidecars and init containers the hub, tag and variant", () => {
            const v = values(release(dev, "mesh-istiod-1-30-3"));
            assert.strictEqual(v.global.hub, "docker.io/istio");
            assert.strictEqual(v.global.tag, "1.30.3");
            assert.strictEqual(v.global.variant, "distroless");
            assert.deepStrictEqual(v.global.proxy, { image: "proxyv2" });
            assert.deepStrictEqual(v.global.proxy_init, { image: "proxyv2" });
            assert.strictEqual(v.image, "pilot");
        });

        it("gives the CNI agent the same hub, tag and variant, with the GKE profile", () => {
            const v = values(release(dev, "mesh-cni"));
            assert.deepStrictEqual(v.global, { hub: "docker.io/istio", tag: "1.30.3", variant: "distroless", platform: "gke" });
        });

        it("leaves the CNI bin directory to the chart's GKE detection, which a helm.v3.Release feeds the server version", () => {
            // istio/istio@1.30.3:manifests/charts/istio-cni/files/profile-platform-gke.yaml sets cni.cniBinDir ""
            // on purpose; templates/daemonset.yaml then takes /home/kubernetes/bin when the server's GitVersion
            // contains -gke. templates/zzy_descope_legacy.yaml copies cni.* over the top-level keys, so a top-level
            // cniBinDir would be overwritten by the profile's "" anyway. The release is a helm.v3.Release, which
            // installs against the cluster and so sees the server version (helm/helm@v3.20.2 pkg/action/action.go).
            const cni = release(dev, "mesh-cni");
            assert.strictEqual(cni.type, "kubernetes:helm.sh/v3:Release");
            const v = values(cni);
            assert.strictEqual(v.global.platform, "gke");
            assert.deepStrictEqual([v.cniBinDir, v.cni?.cniBinDir], [undefined, undefined]);
        });

        it("follows meshHub, meshTag and meshVariant, and exports the references each workload pulls", async () => {
            const hub = "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio";
            const view = await plan({ "armfarm:meshHub": hub, "armfarm:meshTag": "1.30.3-arm.1", "armfarm:meshVariant": "none", "armfarm:meshCni": false });
            const v = values(release(view, "mesh-istiod-1-30-3"));
            assert.deepStrictEqual([v.global.hub, v.global.tag, v.global.variant], [hub, "1.30.3-arm.1", ""]);
            assert.deepStrictEqual(view.outputs.meshImages, {
                istiod: `${hub}/pilot:1.30.3-arm.1`, sidecar: `${hub}/proxyv2:1.30.3-arm.1`,
                init: `${hub}/proxyv2:1.30.3-arm.1`, gateway: `${hub}/proxyv2:1.30.3-arm.1`,
            });
            assert.deepStrictEqual(view.ofType(RELEASE).map((r) => r.name).includes("mesh-cni"), false);
        });
    });

    describe("mixed-arch scheduling and availability", () => {
        for (const chart of ["istiod-1-30-3", "gateway"]) {
            it(`${chart}: tolerates the arm64 taint, may use both architectures, spreads over zones and architectures`, () => {
                const v = values(release(dev, `mesh-${chart}`));
                assert.deepStrictEqual(v.tolerations, [ARM64_TOLERATION]);
                assert.deepStrictEqual(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
                    [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }]);
                assert.deepStrictEqual(v.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]), [
                    ["topology.kubernetes.io/zone", 1, "ScheduleAnyway"],
                    ["kubernetes.io/arch", 1, "ScheduleAnyway"],
                ]);
            });
        }

        it("spreads each workload by its own pod labels", () => {
            const selector = (name: string) => values(release(dev, name)).topologySpreadConstraints[0].labelSelector.matchLabels;
            assert.deepStrictEqual(selector("mesh-istiod-1-30-3"), { app: "istiod", "istio.io/rev": "1-30-3" });
            assert.deepStrictEqual(selector("mesh-gateway"), { app: "istio-ingressgateway", istio: "ingressgateway" });
        });

        /**
         * The pods a Deployment starts with, as the 1.30.3 templates render them: `replicas:` only while the
         * chart's autoscaler is off (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/
         * deployment.yaml, `if not .Values.autoscaleEnabled`; manifests/charts/gateway/templates/deployment.yaml,
         * `if not .Values.autoscaling.enabled`), else none, which Kubernetes reads as one pod.
         */
        const startsWith = (autoscalerOn: unknown, replicaCount: unknown) => (autoscalerOn === false && replicaCount ? replicaCount : 1);

        it("starts istiod with 2 pods: the autoscaler off, so its template renders replicaCount; a PDB and resource requests", () => {
            const v = values(release(dev, "mesh-istiod-1-30-3"));
            assert.strictEqual(startsWith(v.autoscaleEnabled, v.replicaCount), 2);
            assert.deepStrictEqual([v.autoscaleMin, v.autoscaleMax], [undefined, undefined], "no HPA for Helm to fight over replicas");
            assert.deepStrictEqual(v.global.defaultPodDisruptionBudget, { enabled: true });
            assert.deepStrictEqual(v.pdb, { minAvailable: 1 });
            assert.deepStrictEqual(v.resources.requests, { cpu: "500m", memory: "2048Mi" });
        });

        it("starts the gateway with 2 pods likewise, with a PDB and resource requests", () => {
            const v = values(release(dev, "mesh-gateway"));
            assert.strictEqual(startsWith(v.autoscaling.enabled, v.replicaCount), 2);
            assert.deepStrictEqual(v.autoscaling, { enabled: false });
            // The gateway chart renders its PDB with the autoscaler off only when replicaCount > 1 (poddisruptionbudget.yaml).
            assert.ok(v.replicaCount > 1);
            assert.deepStrictEqual(v.podDisruptionBudget, { minAvailable: 1 });
            assert.deepStrictEqual(v.resources.requests, { cpu: "100m", memory: "128Mi" });
        });

        it("runs the CNI agent on every node: its tolerations match any NoSchedule and NoExecute taint", () => {
            const v = values(release(dev, "mesh-cni"));
            assert.deepStrictEqual(v.tolerations.filter((t: any) => !t.key), [
                { effect: "NoSchedule", operator: "Exists" }, { effect: "NoExecute", operator: "Exists" },
            ]);
        });

        it("pins the control plane to one architecture on request, without the arch spread", async () => {
            const view = await plan({ "armfarm:meshControlPlaneArch": "arm64", "armfarm:meshReplicas": 3 });
            for (const name of ["mesh-istiod-1-30-3", "mesh-gateway"]) {
                const v = values(release(view, name));
                assert.deepStrictEqual(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values, ["arm64"]);
                assert.deepStrictEqual(v.tolerations, [ARM64_TOLERATION]);
                assert.deepStrictEqual(v.topologySpreadConstraints.map((c: any) => c.topologyKey), ["topology.kubernetes.io/zone"]);
            }
            assert.deepStrictEqual([values(release(view, "mesh-gateway")).replicaCount, values(release(view, "mesh-istiod-1-30-3")).replicaCount], [3, 3]);
            const amd = values(release(await plan({ "armfarm:meshControlPlaneArch": "amd64" }), "mesh-istiod-1-30-3"));
            assert.deepStrictEqual(amd.tolerations, []);
        });
    });

    describe("values each chart accepts", () => {
        const ajv = new Ajv({ strict: false, allErrors: true });
        const validate = ajv.compile(gatewaySchema);

        it("passes the gateway chart only keys its schema accepts", () => {
            const v = values(release(dev, "mesh-gateway"));
            assert.ok(validate(v), ajv.errorsText(validate.errors));
        });

        it("would notice a key the gateway chart refuses", () => {
            const v = values(release(dev, "mesh-gateway"));
            assert.strictEqual(validate({ ...v, pilotTolerations: [] }), false);
        });

        it("leaves the validators' failurePolicy to the charts and istiod: Ignore on install, until istiod serves", () => {
            // istio/istio@1.30.3:manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml
            // (and the istiod chart's validatingwebhookconfiguration.yaml): with base.validationFailurePolicy unset,
            // an install renders `failurePolicy: Ignore` and an upgrade leaves the field out; istiod patches in
            // Fail once it serves. Rendering Fail would refuse every Istio write until istiod is ready. No diff
            // follows istiod's patch: helm.v3.Release diffs its inputs, not the rendered objects.
            for (const name of ["mesh-base", "mesh-istiod-1-30-3"]) {
                assert.strictEqual(values(release(dev, name)).base?.validationFailurePolicy, undefined, name);
            }
            assert.strictEqual(values(release(dev, "mesh-base")).defaultRevision, "1-30-3");
        });
    });

    describe("preflight", () => {
        const amd64Only = { invokes: { [MANIFESTS]: (i: Record<string, any>) => manifestsFor(String(i.name), ["linux/amd64"]) } };

        it("fails naming the image and the missing platform when the hub lacks arm64", async () => {
            const message = await planError({}, { mocks: amd64Only });
            assert.match(message, /docker\.io\/istio\/(install-cni|pilot|proxyv2):1\.30\.3-distroless has no linux\/arm64 image/);
            assert.match(message, /exec format error/);
        });

        it("touches no release when it fails", async () => {
            const registered: string[] = [];
            await planError({}, {
                mocks: {
                    ...amd64Only,
                    resources: { [RELEASE]: (name) => { registered.push(name); return {}; } },
                },
            });
            assert.deepStrictEqual(registered, []);
        });

        it("checks the tag with the variant suffix, for every image the mesh pulls", async () => {
            const asked: string[] = [];
            await plan({}, { mocks: { invokes: { [MANIFESTS]: (i) => { asked.push(String(i.name)); return manifestsFor(String(i.name)); } } } });
            assert.deepStrictEqual([...new Set(asked)].sort(), ["install-cni", "pilot", "proxyv2"].map((x) => `docker.io/istio/${x}:1.30.3-distroless`));
        });

        it("asks only for the architectures the cluster has", async () => {
            const view = await plan({ "armfarm:parts": ["mesh"], "armfarm:meshNodeArchitectures": ["amd64"] }, { mocks: amd64Only });
            assert.deepStrictEqual(values(release(view, "mesh-istiod-1-30-3")).tolerations, []);
        });

        it("installs on the stack's own cluster, through its provider, for its pools' architectures", async () => {
            const provider = dev.get("pulumi:providers:kubernetes", "cluster-k8s");
            for (const r of dev.ofType("kubernetes:helm.sh/v3:Release")) {
                assert.strictEqual(r.options.provider, provider.urn, `${r.name} goes to the cluster's provider`);
            }
            // The cluster has both pools, so config's meshNodeArchitectures does not narrow the preflight.
            const message = await planError({ "armfarm:meshNodeArchitectures": ["amd64"] }, { mocks: amd64Only });
            assert.match(message, /has no linux\/arm64 image/);
        });
    });

    describe("mTLS", () => {
        it("applies a mesh-wide STRICT PeerAuthentication in the root namespace", () => {
            const pa = dev.get(PEER_AUTH, "mesh-mtls");
            assert.deepStrictEqual(pa.inputs.metadata, { name: "default", namespace: "istio-system", labels: { "app.kubernetes.io/managed-by": "pulumi" } });
            assert.deepStrictEqual(pa.inputs.spec, { mtls: { mode: "STRICT" } });
        });

        it("is PERMISSIVE only when config asks", async () => {
            const view = await plan({ "armfarm:meshMtlsMode": "PERMISSIVE" });
            assert.deepStrictEqual(view.get(PEER_AUTH, "mesh-mtls").inputs.spec, { mtls: { mode: "PERMISSIVE" } });
            assert.match(await planError({ "armfarm:meshMtlsMode": "DISABLE" }), /armfarm:meshMtlsMode: "DISABLE" is not accepted; use one of STRICT, PERMISSIVE/);
        });
    });

    describe("config", () => {
        it("requires meshHub and meshTag when there is no build to take them from", async () => {
            const message = await planError({ "armfarm:parts": ["mesh"], "armfarm:meshHub": undefined, "armfarm:meshTag": undefined });
            assert.match(message, /armfarm:meshHub: is not set; .* is required without the build part/);
            assert.match(message, /armfarm:meshTag: is not set; .* is required without the build part/);
        });

        it("requires meshHub and meshTag without the build part", async () => {
            const message = await planStackError({ "armfarm:parts": ["cluster", "mesh"] });
            assert.match(message, /armfarm:meshHub: is not set; .* is required without the build part/);
            assert.match(message, /armfarm:meshTag: is not set; .* is required without the build part/);
        });

        it("refuses a variant, image list or release the stack's build does not publish", async () => {
            const message = await planStackError({
                "armfarm:meshVariant": "none", "armfarm:buildImages": ["pilot", "proxyv2"], "armfarm:meshIstioVersion": "1.30.2",
            });
            assert.match(message, /armfarm:meshVariant: "none" pulls images that armfarm:buildVariant "distroless" does not publish; use "distroless"/);
            assert.match(message, /armfarm:buildImages: \["pilot","proxyv2"\] lacks install-cni, which the mesh pulls/);
            assert.match(message, /armfarm:meshIstioVersion: "1.30.2" differs from armfarm:buildIstioRelease "1.30.3"/);
        });

        it("refuses versions without arm64 images, bad hubs, and impossible placements in one error", async () => {
            const message = await planError({
                "armfarm:meshIstioVersion": "1.14.6", "armfarm:meshHub": "https://docker.io/istio",
                "armfarm:meshNodeArchitectures": ["amd64"], "armfarm:meshControlPlaneArch": "arm64",
                "armfarm:meshReplicas": 1,
            });
            assert.match(message, /armfarm:meshIstioVersion: "1.14.6" publishes no arm64 images; use Istio 1.15 or later/);
            assert.match(message, /armfarm:meshHub: "https:\/\/docker.io\/istio" is not accepted/);
            assert.match(message, /armfarm:meshControlPlaneArch: "arm64" is not among armfarm:meshNodeArchitectures \["amd64"\]/);
            assert.match(message, /armfarm:meshReplicas: "1" is not accepted; expected an integer from 2/);
        });

        it("installs nothing of the mesh when the stack leaves it out", async () => {
            const view = await plan({ "armfarm:parts": ["farm"], "armfarm:meshHub": undefined, "armfarm:meshTag": undefined });
            assert.deepStrictEqual(view.ofType(RELEASE), []);
            assert.strictEqual(view.outputs.meshRevision, undefined);
        });
    });

    it("exports the revision, the gateway's service and the images", () => {
        assert.strictEqual(dev.outputs.meshRevision, "1-30-3");
        assert.deepStrictEqual(dev.outputs.meshRevisionTags, ["default"]);
        const service = dev.outputs.meshGatewayService as Record<string, string>;
        assert.deepStrictEqual([service.namespace, service.name, service.type], ["istio-ingress", "istio-ingressgateway", "LoadBalancer"]);
        assert.match(service.address, /^203\.0\.113\.\d+$/);
        assert.strictEqual((dev.outputs.meshImages as Record<string, string>).sidecar, "docker.io/istio/proxyv2:1.30.3-distroless");
    });

    describe("on the stack's own build (the dev stack)", () => {
        let stack: PlanView;
        before(async () => {
            stack = await planStack();
        });

        it("pulls what the build published and verified: its hub, its tag, its variant", () => {
            const istiod = values(release(stack, "mesh-istiod-1-30-3"));
            assert.strictEqual(istiod.global.hub, stack.outputs.hub);
            assert.strictEqual(istiod.global.tag, stack.outputs.tag);
            assert.strictEqual(istiod.global.variant, stack.outputs.variant);
            assert.strictEqual((stack.outputs.meshImages as Record<string, string>).sidecar, `${stack.outputs.hub}/proxyv2:1.30.3-distroless`);
        });

        it("touches no release before the build's wait has the build's result", () => {
            const wait = stack.get("command:local:Command", "build-wait");
            for (const r of stack.ofType(RELEASE)) {
                assert.ok(dependsOnTransitively(stack, r, wait.urn), `${r.name} waits for the build`);
            }
        });

        it("reads the registry for its preflight only after the build's wait, also with meshHub and meshTag set", async () => {
            for (const overrides of [{}, { "armfarm:meshHub": "us-central1-docker.pkg.dev/armfarm-dev/istio", "armfarm:meshTag": "1.30.3" }]) {
                const events: string[] = [];
                const view = await planStack(overrides, { mocks: {
                    resources: { "command:local:Command": (name, inputs) => {
                        events.push("wait");
                        return { stdout: waitOutput(JSON.parse(inputs.environment.ARMFARM_BUILD_WAIT).runId), stderr: "" };
                    } },
                    invokes: { "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) => { events.push(`read ${i.name}`); return manifestsFor(String(i.name)); } },
                } });
                assert.strictEqual(events[0], "wait", JSON.stringify(overrides));
                assert.ok(events.filter((e) => e.startsWith("read ")).length >= 4);
                const wait = view.get("command:local:Command", "build-wait");
                assert.ok(dependsOnTransitively(view, release(view, "mesh-base"), wait.urn), JSON.stringify(overrides));
            }
        });

        it("waits for the build only when the build may publish what the mesh pulls", async () => {
            const events: string[] = [];
            const view = await planStack({ "armfarm:meshHub": "registry.example.com/istio", "armfarm:meshTag": "1.30.3" }, { mocks: {
                resources: { "command:local:Command": (name, inputs) => {
                    events.push("wait");
                    return { stdout: waitOutput(JSON.parse(inputs.environment.ARMFARM_BUILD_WAIT).runId), stderr: "" };
                } },
                invokes: { "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) => { events.push(`read ${i.name}`); return manifestsFor(String(i.name)); } },
            } });
            assert.match(events[0], /^read registry\.example\.com\/istio\//, "a hub the build does not publish is read at once");
            assert.ok(!dependsOnTransitively(view, release(view, "mesh-base"), view.get("command:local:Command", "build-wait").urn));
            const dev = { tag: "1.30.3" };
            const cases: [Parameters<typeof meshPullsFromBuild>[0], HubTarget, boolean][] = [
                [{ hub: undefined, tag: "1.30.3" }, { kind: "farm" }, true],
                [{ hub: "registry.example.com/istio", tag: undefined }, { kind: "farm" }, true],
                [{ hub: "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio", tag: "1.30.3" }, { kind: "farm" }, true],
                [{ hub: "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio", tag: "1.29.0" }, { kind: "farm" }, false],
                [{ hub: "registry.example.com/istio", tag: "1.30.3" }, { kind: "farm" }, false],
                [{ hub: "us-central1-docker.pkg.dev/armfarm-dev/istio", tag: "1.30.3" }, { kind: "cluster" }, true],
                [{ hub: "docker.io/istio", tag: "1.30.3" }, { kind: "cluster" }, false],
                [{ hub: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/mesh", tag: "1.30.3" }, { kind: "ecr", hub: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/mesh" }, true],
                [{ hub: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/other", tag: "1.30.3" }, { kind: "ecr", hub: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/mesh" }, false],
            ];
            for (const [mesh, hub, expected] of cases) assert.strictEqual(meshPullsFromBuild(mesh, dev, hub), expected, JSON.stringify([mesh, hub]));
        });
    });
});
