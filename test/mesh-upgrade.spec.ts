/**
 * Upgrades the way istio.io's Helm canary upgrade does them (docs/setup/upgrade/helm): the new revision installs
 * beside the old one; the revision tags and base's `defaultRevision` move in a later step the stack names. The
 * tags' webhooks follow that page's "Stable revision labels": the istiod chart's revision-tags template rendered
 * for the revision a tag points to, as an object no Helm release owns, repointed in place.
 */
import * as assert from "assert";
import { Overrides, planningWith, PlanView } from "./harness";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { diffPlans } from "../scripts/plan/diff";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";
const { plan, planError } = planningWith({
    "armfarm:parts": ["farm", "cluster", "mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3",
    "armfarm:meshRevisionTags": ["default", "prod-stable"],
});

const values = (view: PlanView, name: string) => view.get(RELEASE, name).inputs.values as Record<string, any>;
const tagOf = (view: PlanView, tag: string) => view.ofType(WEBHOOK).find((w) => (w.inputs.metadata as any).labels["istio.io/tag"] === tag)!;
/** The istiod Service a tag's webhooks call, and so the revision the tag points to. */
const tagTarget = (view: PlanView, tag: string) => [...new Set((tagOf(view, tag).inputs.webhooks as any[]).map((w) => w.clientConfig.service.name))];

/** "key Op v1,v2" → a label selector requirement, as the template writes them. */
const req = (text: string) => {
    const [key, operator, vals] = text.split(" ");
    return vals ? { key, operator, values: vals.split(",") } : { key, operator };
};

// The stages of an upgrade from 1.30.3 to 1.31.0, and a rollback, in config.
const S0: Overrides = {};
const S1: Overrides = { "armfarm:meshIstioVersion": "1.31.0", "armfarm:meshTag": "1.31.0", "armfarm:meshKeepVersions": ["1.30.3"] };
const S2: Overrides = { ...S1, "armfarm:meshDefaultVersion": "1.31.0" };
const S3: Overrides = { "armfarm:meshIstioVersion": "1.31.0", "armfarm:meshTag": "1.31.0" };
const BACK: Overrides = { ...S1, "armfarm:meshDefaultVersion": "1.30.3" };

describe("IstioMesh upgrades", () => {
    let stages: Record<string, PlanView>;
    before(async () => {
        stages = { S0: await plan(S0), S1: await plan(S1), S2: await plan(S2), S3: await plan(S3), BACK: await plan(BACK) };
    });

    describe("the revision tags' webhooks", () => {
        it("are the revision-tags template of istio/istio@1.30.3, rendered for the default revision", () => {
            // manifests/charts/istio-control/istio-discovery/templates/revision-tags-mwc.yaml with the chart's defaults
            // (istiodRemote.injectionPath /inject, reinvocationPolicy Never, enableNamespacesByDefault false).
            const tag = tagOf(stages.S0, "default");
            const meta = tag.inputs.metadata as any;
            assert.strictEqual(meta.name, "istio-revision-tag-default", "istiod finds the default tag by this name (pkg/revisions/tag_watcher.go)");
            assert.deepStrictEqual([meta.labels["istio.io/tag"], meta.labels["istio.io/rev"]], ["default", "1-30-3"]);
            const expected = [
                ["rev.namespace.", ["istio.io/rev In default", "istio-injection DoesNotExist"], ["sidecar.istio.io/inject NotIn false"]],
                ["rev.object.", ["istio.io/rev DoesNotExist", "istio-injection DoesNotExist"], ["sidecar.istio.io/inject NotIn false", "istio.io/rev In default"]],
                ["namespace.", ["istio-injection In enabled"], ["sidecar.istio.io/inject NotIn false"]],
                ["object.", ["istio-injection DoesNotExist", "istio.io/rev DoesNotExist"], ["sidecar.istio.io/inject In true", "istio.io/rev DoesNotExist"]],
            ] as const;
            const webhooks = tag.inputs.webhooks as any[];
            assert.deepStrictEqual(webhooks.map((w) => w.name), expected.map(([prefix]) => `${prefix}sidecar-injector.istio.io`));
            expected.forEach(([, ns, obj], i) => {
                assert.deepStrictEqual(webhooks[i].namespaceSelector, { matchExpressions: ns.map(req) }, webhooks[i].name);
                assert.deepStrictEqual(webhooks[i].objectSelector, { matchExpressions: obj.map(req) }, webhooks[i].name);
            });
            for (const w of webhooks) {
                assert.deepStrictEqual(w.clientConfig, { service: { name: "istiod-1-30-3", namespace: "istio-system", path: "/inject", port: 443 } });
                assert.deepStrictEqual(w.rules, [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }]);
                assert.deepStrictEqual([w.failurePolicy, w.reinvocationPolicy, w.sideEffects, w.admissionReviewVersions], ["Fail", "Never", "None", ["v1"]]);
                // istiod patches its CA in (pkg/webhooks/webhookpatch.go); a field Pulumi does not set is never a diff.
                assert.strictEqual(w.clientConfig.caBundle, undefined);
            }
            // Another tag gets the revision selectors only.
            const prod = tagOf(stages.S0, "prod-stable");
            assert.deepStrictEqual((prod.inputs.webhooks as any[]).map((w) => w.name), ["rev.namespace.sidecar-injector.istio.io", "rev.object.sidecar-injector.istio.io"]);
            assert.deepStrictEqual((prod.inputs.webhooks as any[])[0].namespaceSelector.matchExpressions[0], req("istio.io/rev In prod-stable"));
        });

        it("belong to no Helm release: every istiod renders no tag, and the tags wait for every istiod", () => {
            for (const view of Object.values(stages)) {
                for (const r of view.ofType(RELEASE).filter((x) => x.inputs.chart === "istiod")) {
                    assert.deepStrictEqual(values(view, r.name).revisionTags, [], r.name);
                    for (const tag of view.ofType(WEBHOOK)) assert.ok(tag.options.dependsOn.includes(r.urn), `${tag.name} waits for ${r.name}`);
                }
            }
        });
    });

    it("installs a new version beside the old one without moving the default revision, a tag or the gateway", () => {
        const [before, after] = [stages.S0, stages.S1];
        const diff = diffPlans(before.plan, after.plan);
        assert.deepStrictEqual([diff.added.map((r) => r.name), diff.removed.map((r) => r.name)], [["mesh-istiod-1-31-0"], []]);
        // Nothing of the tags or the gateway changes, and base keeps its defaultRevision: only its chart moves,
        // as istio.io's canary upgrade upgrades base first.
        assert.deepStrictEqual(diff.changed.map((c) => c.name).sort(), ["mesh-base", "mesh-cni"]);
        const base = diff.changed.find((c) => c.name === "mesh-base")!;
        assert.deepStrictEqual(base.changes.map((c) => [c.path, c.old, c.new]), [["version", "1.30.3", "1.31.0"]]);
        assert.strictEqual(values(after, "mesh-base").defaultRevision, "1-30-3");
        for (const tag of ["default", "prod-stable"]) assert.deepStrictEqual(tagTarget(after, tag), ["istiod-1-30-3"]);
        assert.deepStrictEqual([after.get(RELEASE, "mesh-gateway").inputs.version, values(after, "mesh-gateway").revision], ["1.30.3", "1-30-3"]);
        assert.deepStrictEqual([after.outputs.meshRevision, after.outputs.meshDefaultRevision, after.outputs.meshRevisions], ["1-31-0", "1-30-3", ["1-31-0", "1-30-3"]]);
    });

    it("moves the tags, the default revision and the gateway when meshDefaultVersion names the new version, in place", () => {
        const diff = diffPlans(stages.S1.plan, stages.S2.plan);
        assert.deepStrictEqual([diff.added, diff.removed], [[], []]);
        for (const tag of ["default", "prod-stable"]) {
            const change = diff.changed.find((c) => c.urn === tagOf(stages.S1, tag).urn)!;
            assert.deepStrictEqual(change.replaceReasons, [], `${tag} is updated, not replaced`);
            assert.ok(change.changes.some((c) => c.path === 'metadata.labels["istio.io/rev"]' && c.old === "1-30-3" && c.new === "1-31-0"));
            assert.deepStrictEqual(tagTarget(stages.S2, tag), ["istiod-1-31-0"]);
        }
        assert.strictEqual(values(stages.S2, "mesh-base").defaultRevision, "1-31-0");
        assert.deepStrictEqual([stages.S2.get(RELEASE, "mesh-gateway").inputs.version, values(stages.S2, "mesh-gateway").revision], ["1.31.0", "1-31-0"]);
        // Rolling back is the same step the other way, while the old revision still runs.
        assert.deepStrictEqual(tagTarget(stages.BACK, "default"), ["istiod-1-30-3"]);
        assert.strictEqual(values(stages.BACK, "mesh-base").defaultRevision, "1-30-3");
    });

    it("never leaves a tag without its webhook: through install, move, removal of the old revision and rollback", () => {
        const sequence = [["S0", "S1"], ["S1", "S2"], ["S2", "S3"], ["S1", "BACK"], ["BACK", "S1"]];
        for (const [from, to] of sequence) {
            const diff = diffPlans(stages[from].plan, stages[to].plan);
            for (const tag of ["default", "prod-stable"]) {
                const urn = tagOf(stages[from], tag).urn;
                assert.strictEqual(tagOf(stages[to], tag).urn, urn, `${from}→${to}: ${tag} is the same object`);
                assert.ok(!diff.removed.some((r) => r.urn === urn), `${from}→${to}: ${tag} is deleted`);
                assert.deepStrictEqual(diff.changed.find((c) => c.urn === urn)?.replaceReasons ?? [], [], `${from}→${to}: ${tag} is replaced`);
                // It points to a revision that runs in that stage.
                const [service] = tagTarget(stages[to], tag);
                assert.ok(stages[to].ofType(RELEASE).some((r) => `istiod-${values(stages[to], r.name).revision}` === service && r.inputs.chart === "istiod"),
                    `${to}: ${tag} points to ${service}, which does not run`);
            }
        }
    });

    describe("config", () => {
        it("refuses a default version the mesh does not run, and asks for one when several are kept", async () => {
            assert.match(await planError({ ...S1, "armfarm:meshDefaultVersion": "1.29.4" }),
                /armfarm:meshDefaultVersion: "1.29.4" is not a version the mesh runs; use one of 1.31.0, 1.30.3/);
            assert.match(await planError({ ...S1, "armfarm:meshKeepVersions": ["1.30.3", "1.29.4"] }),
                /armfarm:meshDefaultVersion: is not set, and 2 earlier versions are kept; name the one/);
            assert.match(await planError({ ...S3, "armfarm:meshDefaultVersion": "1.30.3" }), /armfarm:meshDefaultVersion: "1.30.3" is not a version the mesh runs/);
        });

        it("refuses a tag named like a running revision, keeping the installed version, or a version twice", async () => {
            assert.match(await planError({ ...S1, "armfarm:meshRevisionTags": ["1-30-3"] }),
                /armfarm:meshRevisionTags: "1-30-3" is the revision of a version the mesh runs/);
            assert.match(await planError({ "armfarm:meshKeepVersions": ["1.30.3"] }), /armfarm:meshKeepVersions: "1.30.3" is armfarm:meshIstioVersion itself/);
            assert.match(await planError({ ...S1, "armfarm:meshKeepVersions": ["1.30.3", "1.30.3=x"] }), /armfarm:meshKeepVersions: "1.30.3" is listed twice/);
        });

        it("verifies the kept revision's images too", async () => {
            const message = await planError(S1, {
                mocks: { invokes: { [MANIFESTS]: (i) => manifestsFor(String(i.name), String(i.name).includes("1.30.3") ? ["linux/amd64"] : undefined) } },
            });
            assert.match(message, /docker\.io\/istio\/(pilot|proxyv2):1\.30\.3-distroless has no linux\/arm64 image/);
        });
    });
});
