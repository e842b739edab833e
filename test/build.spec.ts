import * as assert from "assert";
import { plan as planStack, planError as planStackError, Overrides, planningWith, PlanView } from "./harness";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { buildResultParameters } from "../scripts/plan/mocks/build";

const ISTIO_SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const PROXY_SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const TOOLS_SHA = "aa11bb22cc33dd44ee55ff6677889900aabbccdd";
const ASG = "aws:autoscaling/group:Group";
const ASSOCIATION = "aws:ssm/association:Association";
const DOCUMENT = "aws:ssm/document:Document";

/** The build script's environment as the document exports it. */
function scriptEnv(view: PlanView): Record<string, string> {
    const content = JSON.parse(view.get(DOCUMENT, "build-build").inputs.content as string);
    const lines: string[] = content.mainSteps[0].inputs.runCommand;
    return Object.fromEntries(lines.map((l) => /^export (ARMFARM_\w+)='(.*)'$/.exec(l)).filter((m) => m !== null)
        .map((m) => [m![1], m![2]]));
}

const prebuilt = { "armfarm:buildMode": "prebuilt-envoy", "armfarm:buildIstioSha": ISTIO_SHA, "armfarm:buildIstioRelease": undefined };
const fromSource = { ...prebuilt, "armfarm:buildMode": "from-source", "armfarm:buildProxySha": PROXY_SHA, "armfarm:buildToolsSha": TOOLS_SHA, "armfarm:farmRootVolumeGiB": 500 };

/**
 * Most specs look at the build alone: the farm and the build, published to the farm's ECR hub, default variant.
 * The dev stack's own wiring (publishing to the cluster's Artifact Registry for its mesh) is specced below.
 */
const BUILD_ALONE: Overrides = {
    "armfarm:parts": ["farm", "build"], "armfarm:buildPublishTo": "ecr", "armfarm:buildVariant": "default", "armfarm:buildImages": undefined,
};
const { plan, planError } = planningWith(BUILD_ALONE);

describe("IstioImageBuild", () => {
    it("wires the dev stack's build to the farm: a host group from its launch template, targeted by run tag", async () => {
        const view = await plan();
        const group = view.get(ASG, "build-host");
        const key = view.outputs.buildKey as string;
        assert.match(key, /^[0-9a-f]{64}$/);
        assert.strictEqual(group.inputs.name, `armfarm-build-${key.slice(0, 12)}`);
        assert.deepStrictEqual([group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity], [0, 1, 1]);
        assert.deepStrictEqual(group.options.ignoreChanges, ["desiredCapacity"]);
        const spec = (group.inputs.mixedInstancesPolicy as any).launchTemplate.launchTemplateSpecification;
        assert.deepStrictEqual(spec, { launchTemplateId: view.outputs.farmLaunchTemplateId, version: "1" });
        assert.match((group.inputs.vpcZoneIdentifiers as string[])[0], /^subnet-[0-9a-f]{17}$/);
        const runTag = (group.inputs.tags as any[]).find((t) => t.key === "armfarm:build-run");
        assert.deepStrictEqual(runTag, { key: "armfarm:build-run", value: key.slice(0, 12), propagateAtLaunch: true });
        const association = view.get(ASSOCIATION, "build-build");
        assert.deepStrictEqual(association.inputs.targets, [{ key: "tag:armfarm:build-run", values: [key.slice(0, 12)] }]);
        assert.ok(association.options.dependsOn.includes(group.urn));
        assert.deepStrictEqual(association.options.replaceOnChanges, ["associationName", "targets"]);
        assert.strictEqual(view.outputs.hub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio");
        assert.strictEqual(view.outputs.tag, "1.30.3");
        assert.deepStrictEqual(Object.keys(view.outputs.imageDigests as object).sort(), ["install-cni", "pilot", "proxyv2", "ztunnel"]);
        assert.match(view.outputs.buildLogLocation as string, new RegExp(`aws logs tail /armfarm/farm .*armfarm-build-${key.slice(0, 12)}`));
        assert.strictEqual(typeof view.outputs.buildDurationSeconds, "number");
    });

    it("launches spot hosts across same-size Graviton generations, and on-demand ones without spot", async () => {
        const spot = (await plan()).get(ASG, "build-host").inputs.mixedInstancesPolicy as any;
        assert.deepStrictEqual(spot.launchTemplate.overrides.map((o: any) => o.instanceType), ["m6g.4xlarge", "m7g.4xlarge", "m8g.4xlarge"]);
        assert.strictEqual(spot.instancesDistribution.onDemandPercentageAboveBaseCapacity, 0);
        assert.strictEqual(spot.instancesDistribution.spotAllocationStrategy, "price-capacity-optimized");
        const onDemand = (await plan({ "armfarm:farmSpot": false })).get(ASG, "build-host").inputs.mixedInstancesPolicy as any;
        assert.deepStrictEqual(onDemand.launchTemplate.overrides.map((o: any) => o.instanceType), ["m6g.4xlarge"]);
        assert.strictEqual(onDemand.instancesDistribution.onDemandPercentageAboveBaseCapacity, 100);
    });

    it("lets the host end only its own group and record only its own result", async () => {
        const view = await plan();
        const runId = (view.outputs.buildKey as string).slice(0, 12);
        const policy = JSON.parse(view.get("aws:iam/rolePolicy:RolePolicy", "build-host").inputs.policy as string);
        assert.deepStrictEqual(policy.Statement.map((s: any) => s.Action), [["autoscaling:TerminateInstanceInAutoScalingGroup"], ["ssm:PutParameter"]]);
        const groupArn = (group: string) => new RegExp(`^arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName/${group}$`);
        // The dev farm runs on spot: the host may be in the run's spot group or its on-demand standby.
        const [spotGroup, standby] = policy.Statement[0].Resource as string[];
        assert.match(spotGroup, groupArn(`armfarm-build-${runId}`));
        assert.match(standby, groupArn(`armfarm-build-${runId}-on-demand`));
        assert.strictEqual(policy.Statement[1].Resource, `arn:aws:ssm:us-east-1:123456789012:parameter/armfarm/builds/build/${runId}/*`);
    });

    describe("the script's parameters", () => {
        it("mirror: the release and the upstream hub, no sources", async () => {
            const env = scriptEnv(await plan());
            assert.strictEqual(env.ARMFARM_BUILD_MODE, "mirror");
            assert.strictEqual(env.ARMFARM_ISTIO_RELEASE, "1.30.3");
            assert.strictEqual(env.ARMFARM_UPSTREAM_HUB, "docker.io/istio");
            assert.strictEqual(env.ARMFARM_ARCHITECTURES, "linux/amd64,linux/arm64");
            assert.strictEqual(env.ARMFARM_IMAGES, "pilot proxyv2 install-cni ztunnel");
            assert.strictEqual(env.ARMFARM_HUB, "123456789012.dkr.ecr.us-east-1.amazonaws.com/istio");
            assert.strictEqual(env.ARMFARM_ISTIO_SHA, undefined);
        });

        it("prebuilt-envoy: the istio/istio commit and Istio's envoy bucket", async () => {
            const view = await plan(prebuilt);
            const env = scriptEnv(view);
            assert.strictEqual(env.ARMFARM_BUILD_MODE, "prebuilt-envoy");
            assert.strictEqual(env.ARMFARM_ISTIO_SHA, ISTIO_SHA);
            assert.strictEqual(env.ARMFARM_ENVOY_BASE_URL, "https://storage.googleapis.com/istio-build/proxy");
            assert.strictEqual(env.ARMFARM_TAG, `git-${ISTIO_SHA.slice(0, 12)}`);
            assert.strictEqual(env.ARMFARM_PROXY_SHA, undefined);
            assert.strictEqual(view.outputs.tag, `git-${ISTIO_SHA.slice(0, 12)}`);
        });

        it("from-source: the three commits", async () => {
            const env = scriptEnv(await plan(fromSource));
            assert.deepStrictEqual([env.ARMFARM_BUILD_MODE, env.ARMFARM_ISTIO_SHA, env.ARMFARM_PROXY_SHA, env.ARMFARM_TOOLS_SHA],
                ["from-source", ISTIO_SHA, PROXY_SHA, TOOLS_SHA]);
        });

        it("distroless: verifies <tag>-distroless, as Istio's global.variant pulls it", async () => {
            const asked: string[] = [];
            const view = await plan({ "armfarm:buildVariant": "distroless" }, { mocks: { invokes: {
                "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) => { asked.push(String(i.name)); return manifestsFor(String(i.name)); },
            } } });
            assert.strictEqual(scriptEnv(view).ARMFARM_VARIANT, "distroless");
            assert.ok(asked.length === 4 && asked.every((n) => n.endsWith(":1.30.3-distroless")), asked.join(", "));
            assert.strictEqual(view.outputs.tag, "1.30.3");
        });
    });

    describe("the re-run key", () => {
        it("is the same for the same build, whatever the order of lists", async () => {
            const a = await plan({ "armfarm:buildImages": ["pilot", "proxyv2"] });
            const b = await plan({ "armfarm:buildImages": ["proxyv2", "pilot"], "armfarm:buildArchitectures": ["linux/arm64", "linux/amd64"] });
            assert.strictEqual(a.outputs.buildKey, b.outputs.buildKey);
        });

        it("changes with the source, release, mode, architectures, variant, images and tag, renaming host and association", async () => {
            const base = await plan(prebuilt);
            const key = base.outputs.buildKey;
            for (const change of [
                { "armfarm:buildIstioSha": "ffffffffffffffffffffffffffffffffffffffff" },
                { "armfarm:buildArchitectures": ["linux/arm64"] },
                { "armfarm:buildVariant": "distroless" },
                { "armfarm:buildImages": ["pilot"] },
                { "armfarm:buildTag": "1.30.3-patched" },
                { ...fromSource },
            ]) {
                const view = await plan({ ...prebuilt, ...change });
                assert.notStrictEqual(view.outputs.buildKey, key, JSON.stringify(change));
                const runId = (view.outputs.buildKey as string).slice(0, 12);
                assert.strictEqual(view.get(ASG, "build-host").inputs.name, `armfarm-build-${runId}`);
                assert.strictEqual(view.get(ASSOCIATION, "build-build").inputs.associationName, `armfarm-build-${runId}`);
            }
            const release = await plan({ "armfarm:buildIstioRelease": "1.29.0" });
            assert.notStrictEqual(release.outputs.buildKey, (await plan()).outputs.buildKey);
        });

        it("does not change with the host type or the timeout; an attempt re-runs under the same key", async () => {
            const base = await plan();
            const other = await plan({ "armfarm:farmInstanceType": "c7g.8xlarge", "armfarm:buildTimeoutMinutes": 45 });
            assert.strictEqual(other.outputs.buildKey, base.outputs.buildKey);
            const again = await plan({ "armfarm:buildAttempt": 2 });
            assert.strictEqual(again.outputs.buildKey, base.outputs.buildKey);
            const runId = `${(base.outputs.buildKey as string).slice(0, 12)}-a2`;
            assert.strictEqual(again.get(ASG, "build-host").inputs.name, `armfarm-build-${runId}`);
            assert.deepStrictEqual(again.get(ASSOCIATION, "build-build").inputs.targets, [{ key: "tag:armfarm:build-run", values: [runId] }]);
        });
    });

    it("bounds the build by its timeout, and waits for the host's boot on top", async () => {
        const mirror = await plan();
        assert.strictEqual(scriptEnv(mirror).ARMFARM_TIMEOUT_SECONDS, String(30 * 60));
        assert.strictEqual(mirror.get(ASSOCIATION, "build-build").inputs.waitForSuccessTimeoutSeconds, (30 + 20 + 15) * 60);
        const set = await plan({ ...prebuilt, "armfarm:buildTimeoutMinutes": 45 });
        assert.strictEqual(scriptEnv(set).ARMFARM_TIMEOUT_SECONDS, String(45 * 60));
        assert.strictEqual(set.get(ASSOCIATION, "build-build").inputs.waitForSuccessTimeoutSeconds, (45 + 20 + 15) * 60);
        assert.strictEqual(scriptEnv(await plan(fromSource)).ARMFARM_TIMEOUT_SECONDS, String(1440 * 60));
    });

    it("fails when the registry's index lacks a platform, naming the image and the platform", async () => {
        const message = await planError({}, { mocks: { invokes: {
            "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) =>
                manifestsFor(String(i.name), String(i.name).includes("/proxyv2:") ? ["linux/amd64"] : undefined),
        } } });
        assert.match(message, /istio\/proxyv2:1\.30\.3 has no linux\/arm64 image \(its index lists linux\/amd64\)/);
    });

    it("fails a failed build with its step, the tail of its log and where the rest is", async () => {
        const message = await planError({}, { mocks: { invokes: {
            "aws:ssm/getParametersByPath:getParametersByPath": (i) => buildResultParameters(String(i.path),
                { status: "failed", message: "step mirror-pilot failed with exit status 1", instanceId: "i-0abc" },
                "armfarm-build-x mirror-pilot: ERROR: docker.io/istio/pilot:1.30.3: not found"),
        } } });
        assert.match(message, /the Istio image build failed: step mirror-pilot failed with exit status 1/);
        assert.match(message, /Last lines of its log:\n {4}armfarm-build-x mirror-pilot: ERROR: docker.io\/istio\/pilot:1.30.3: not found/);
        assert.match(message, /Full log: CloudWatch Logs group \/armfarm\/farm.*aws logs tail .*\(host i-0abc, stream i-0abc\/armfarm\)/);
    });

    it("is absent without the build part, and its unset keys are no error then", async () => {
        const view = await plan({ "armfarm:parts": ["farm"], "armfarm:buildIstioRelease": undefined });
        assert.deepStrictEqual(view.ofType("armfarm:aws:IstioImageBuild"), []);
        assert.strictEqual(view.outputs.buildKey, undefined);
    });

    describe("config errors, before anything is registered", () => {
        it("a SHA that is not 40 hex characters", async () => {
            assert.match(await planError({ ...prebuilt, "armfarm:buildIstioSha": "1a2b3c" }),
                /armfarm:buildIstioSha: "1a2b3c" is not accepted; expected a full git commit SHA of 40 lowercase hex characters/);
        });
        it("a building mode without its SHAs", async () => {
            const message = await planError({ "armfarm:buildMode": "from-source", "armfarm:farmRootVolumeGiB": 500 });
            assert.match(message, /armfarm:buildIstioSha: is not set; buildMode "from-source" builds istio\/istio/);
            assert.match(message, /armfarm:buildProxySha: is not set/);
            assert.match(message, /armfarm:buildToolsSha: is not set/);
        });
        it("an image the farm has no repository for", async () => {
            assert.match(await planError({ "armfarm:buildImages": ["pilot", "istioctl"] }),
                /armfarm:buildImages: "istioctl" is not one of the farm's repositories; use images from armfarm:farmRepositories \(pilot, proxyv2, install-cni, ztunnel\)/);
        });
        it("mirror of a release before 1.15", async () => {
            assert.match(await planError({ "armfarm:buildIstioRelease": "1.14.6" }),
                /armfarm:buildIstioRelease: "1.14.6" is older than 1.15, the first release published for linux\/arm64/);
        });
        it("an empty or unknown architecture list", async () => {
            assert.match(await planError({ "armfarm:buildArchitectures": [] }), /armfarm:buildArchitectures: \[\] is not accepted; expected at least 1 item/);
            assert.match(await planError({ "armfarm:buildArchitectures": ["linux/s390x"] }), /"linux\/s390x" is not accepted; use items from linux\/amd64, linux\/arm64/);
        });
        it("from-source on the farm's minimum root volume", async () => {
            assert.match(await planError({ ...fromSource, "armfarm:farmRootVolumeGiB": 200 }),
                /armfarm:farmRootVolumeGiB: 200 GiB is too small for buildMode "from-source".*at least 400/);
        });
        it("an unknown mode", async () => {
            assert.match(await planError({ "armfarm:buildMode": "cross" }), /armfarm:buildMode: "cross" is not accepted; use one of mirror, prebuilt-envoy, from-source/);
        });
    });

    describe("publishing to the cluster's Artifact Registry (the dev stack)", () => {
        let dev: PlanView;
        before(async () => {
            dev = await planStack();
        });

        it("publishes under the cluster's hub and says so in its outputs", () => {
            assert.strictEqual(dev.outputs.hub, dev.outputs.clusterHub);
            assert.match(dev.outputs.hub as string, /^us-central1-docker\.pkg\.dev\/armfarm-dev\/istio$/);
        });

        it("hands the script the registry host and the federation it exchanges the host role through, no key", () => {
            const env = scriptEnv(dev);
            assert.strictEqual(env.ARMFARM_HUB, dev.outputs.clusterHub);
            assert.strictEqual(env.ARMFARM_REGISTRY, "us-central1-docker.pkg.dev");
            assert.strictEqual(env.ARMFARM_GCP_WORKLOAD_IDENTITY_PROVIDER, dev.outputs.clusterFederationProvider);
            assert.strictEqual(env.ARMFARM_GCP_SERVICE_ACCOUNT, dev.outputs.clusterPushServiceAccount);
            assert.ok(!Object.keys(env).some((k) => /KEY_JSON|PRIVATE|SECRET|PASSWORD/.test(k)));
        });

        it("verifies the images where it published them", async () => {
            const asked: string[] = [];
            await planStack({}, { mocks: { invokes: { "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) => {
                asked.push(String(i.name));
                return manifestsFor(String(i.name));
            } } } });
            assert.ok(asked.includes("us-central1-docker.pkg.dev/armfarm-dev/istio/pilot:1.30.3-distroless"), asked.join(", "));
            assert.ok(!asked.some((ref) => ref.includes(".dkr.ecr.")), "nothing is read from ECR");
        });

        it("refuses Artifact Registry without the cluster, and ECR for a mesh on the stack's own GKE cluster", async () => {
            assert.match(await planStackError({ "armfarm:parts": ["farm", "build"] }),
                /armfarm:buildPublishTo: "artifact-registry" publishes to the cluster's hub, but armfarm:parts \["farm","build"\] has no "cluster"/);
            assert.match(await planStackError({ "armfarm:buildPublishTo": "ecr" }),
                /armfarm:buildPublishTo: "ecr" puts the mesh's images in ECR, which the GKE nodes cannot pull from without credentials; use "artifact-registry"/);
            assert.match(await planStackError({ "armfarm:buildPublishTo": "gcr" }), /armfarm:buildPublishTo: "gcr" is not accepted; use one of ecr, artifact-registry/);
        });
    });

    describe("spot with on-demand fallback", () => {
        let spot: PlanView;
        before(async () => {
            spot = await plan({ "armfarm:farmSpot": true });
        });

        it("stands an on-demand group of the same run by, with no host, on the farm's own type", () => {
            const key = (spot.outputs.buildKey as string).slice(0, 12);
            const standby = spot.get(ASG, "build-host-on-demand");
            assert.strictEqual(standby.inputs.name, `armfarm-build-${key}-on-demand`);
            assert.deepStrictEqual([standby.inputs.minSize, standby.inputs.maxSize, standby.inputs.desiredCapacity], [0, 1, 0]);
            const policy = standby.inputs.mixedInstancesPolicy as any;
            assert.strictEqual(policy.instancesDistribution.onDemandPercentageAboveBaseCapacity, 100);
            assert.deepStrictEqual(policy.launchTemplate.overrides, [{ instanceType: "m6g.4xlarge" }]);
            assert.deepStrictEqual((standby.inputs.tags as any[]).find((t) => t.key === "armfarm:build-run"),
                { key: "armfarm:build-run", value: key, propagateAtLaunch: true }, "the association finds either host by the run tag");
            assert.deepStrictEqual(standby.options.ignoreChanges, ["desiredCapacity"]);
        });

        it("starts the fallback runbook when the spot group reports a failed launch", () => {
            const key = (spot.outputs.buildKey as string).slice(0, 12);
            const rule = spot.get("aws:cloudwatch/eventRule:EventRule", "build-spot-refused");
            assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern as string), {
                source: ["aws.autoscaling"], "detail-type": ["EC2 Instance Launch Unsuccessful"],
                detail: { AutoScalingGroupName: [`armfarm-build-${key}`] },
            });
            const target = spot.get("aws:cloudwatch/eventTarget:EventTarget", "build-spot-refused");
            assert.strictEqual(target.inputs.arn, `arn:aws:ssm:us-east-1:123456789012:automation-definition/armfarm-build-${key}-spot-fallback:$DEFAULT`);
            const runbook = JSON.parse(spot.get(DOCUMENT, "build-fallback").inputs.content as string);
            assert.deepStrictEqual(runbook.mainSteps.map((step: any) => [step.action, step.inputs.Api, step.inputs.AutoScalingGroupName, step.inputs.DesiredCapacity]), [
                ["aws:executeAwsApi", "SetDesiredCapacity", `armfarm-build-${key}-on-demand`, 1],
                ["aws:executeAwsApi", "SetDesiredCapacity", `armfarm-build-${key}`, 0],
            ]);
        });

        it("is in place before the spot group launches anything", () => {
            const target = spot.get("aws:cloudwatch/eventTarget:EventTarget", "build-spot-refused");
            assert.ok(spot.get(ASG, "build-host").options.dependsOn.includes(target.urn));
        });

        it("lets the runbook move only this run's groups, and lets EventBridge start only this runbook", () => {
            const key = (spot.outputs.buildKey as string).slice(0, 12);
            const group = (name: string) => `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${name}`;
            const automation = JSON.parse(spot.get("aws:iam/rolePolicy:RolePolicy", "build-fallback-automation").inputs.policy as string);
            assert.deepStrictEqual(automation.Statement, [{ Sid: "MoveThisRun", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"],
                Resource: [group(`armfarm-build-${key}`), group(`armfarm-build-${key}-on-demand`)] }]);
            const events = JSON.parse(spot.get("aws:iam/rolePolicy:RolePolicy", "build-fallback-events").inputs.policy as string);
            assert.deepStrictEqual(events.Statement.map((st: any) => [st.Action, st.Resource]), [
                [["ssm:StartAutomationExecution"], [`arn:aws:ssm:us-east-1:123456789012:automation-definition/armfarm-build-${key}-spot-fallback:*`]],
                [["iam:PassRole"], ["arn:aws:iam::123456789012:role/build-fallback-automation"]],
            ]);
            const host = JSON.parse(spot.get("aws:iam/rolePolicy:RolePolicy", "build-host").inputs.policy as string);
            assert.strictEqual(host.Statement.find((st: any) => st.Sid === "EndOwnHost").Resource.length, 2, "a host on either group can end itself");
        });

        it("is not there without spot", async () => {
            const onDemand = await plan({ "armfarm:farmSpot": false });
            assert.deepStrictEqual(onDemand.ofType("aws:cloudwatch/eventRule:EventRule"), []);
            assert.throws(() => onDemand.get(ASG, "build-host-on-demand"));
        });
    });
});
