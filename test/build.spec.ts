import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { plan as planStack, planError as planStackError, Overrides, planningWith, PlanView, PROJECT_DIR, scriptEnv, waitSettings } from "./harness";
import { AGENT_PARAMETER_REFERENCE, buildDocumentContent } from "../components/aws/build-document";
import { stableHex } from "../scripts/plan/mocks/fake";
import { manifestsFor } from "../scripts/plan/mocks/registry";
import { waitOutput } from "../scripts/plan/mocks/build";

const ISTIO_SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const PROXY_SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const TOOLS_SHA = "aa11bb22cc33dd44ee55ff6677889900aabbccdd";
const ASG = "aws:autoscaling/group:Group";
const ASSOCIATION = "aws:ssm/association:Association";
const DOCUMENT = "aws:ssm/document:Document";
const WAIT = "command:local:Command";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const ACCOUNT = "123456789012";


/** The run id: 12 hex digits of the stack's scope and the key (with -a<n> for a later attempt). */
const runOf = (view: PlanView) => view.outputs.buildRunId as string;

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
    it("wires the dev stack's build to the farm: a host group from its launch template over its subnets, targeted by run tag", async () => {
        const view = await plan();
        const group = view.get(ASG, "build-host");
        const key = view.outputs.buildKey as string;
        assert.match(key, /^[0-9a-f]{64}$/);
        assert.strictEqual(group.inputs.name, `armfarm-dev-build-${runOf(view)}`);
        assert.deepStrictEqual([group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity], [0, 1, 1]);
        assert.deepStrictEqual(group.options.ignoreChanges, ["desiredCapacity"]);
        const spec = (group.inputs.mixedInstancesPolicy as any).launchTemplate.launchTemplateSpecification;
        assert.deepStrictEqual(spec, { launchTemplateId: view.outputs.farmLaunchTemplateId, version: "1" });
        assert.deepStrictEqual(group.inputs.vpcZoneIdentifiers, view.outputs.farmSubnetIds);
        const runTag = (group.inputs.tags as any[]).find((t) => t.key === "armfarm:build-run");
        assert.deepStrictEqual(runTag, { key: "armfarm:build-run", value: runOf(view), propagateAtLaunch: true });
        const association = view.get(ASSOCIATION, "build-build");
        const { tags, ...runs } = association.inputs as Record<string, any>;
        assert.deepStrictEqual(runs, {
            associationName: `armfarm-dev-build-${runOf(view)}`, name: `armfarm-dev-build-${runOf(view)}`,
            targets: [{ key: "tag:armfarm:build-run", values: [runOf(view)] }], maxConcurrency: "1", maxErrors: "0",
        });
        assert.strictEqual(tags["armfarm:build"], "armfarm-dev-build");
        assert.strictEqual(view.outputs.hub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio");
        assert.strictEqual(view.outputs.tag, "1.30.3");
        assert.deepStrictEqual(Object.keys(view.outputs.imageDigests as object).sort(), ["install-cni", "pilot", "proxyv2", "ztunnel"]);
        assert.match(view.outputs.buildLogLocation as string, new RegExp(`aws logs tail /armfarm-dev/farm .*armfarm-build-${runOf(view)}`));
    });

    describe("the wait: pulumi up holds until the build recorded its result", () => {
        it("does not trust the association's own wait, which returns before any host exists", async () => {
            // terraform-provider-aws internal/service/ssm/association.go: create waits only with
            // wait_for_success_timeout_seconds, and returns on an Overview of Success, which an association whose
            // tag matches no instance yet reports (issue #31175).
            const association = (await plan()).get(ASSOCIATION, "build-build");
            assert.strictEqual(association.inputs.waitForSuccessTimeoutSeconds, undefined);
        });

        it("runs the wait once per run on the deployer's machine, streaming its progress, after the association and the hosts", async () => {
            const view = await plan();
            const wait = view.get(WAIT, "build-wait");
            assert.strictEqual(wait.inputs.create, "node --require sucrase/register/ts components/aws/build-wait/main.ts");
            assert.deepStrictEqual([wait.inputs.logging, wait.inputs.addPreviousOutputInEnv, wait.inputs.triggers], ["stderr", false, [runOf(view)]]);
            for (const dep of [view.get(ASSOCIATION, "build-build"), view.get(ASG, "build-host"), view.get(ASG, "build-host-on-demand")]) {
                assert.ok(wait.options.dependsOn.includes(dep.urn), `the wait comes after ${dep.name}`);
            }
            assert.deepStrictEqual(wait.options.ignoreChanges, ["create", "environment"]);
        });

        it("hands the wait the run's association, groups, result path, log group and bounds", async () => {
            const view = await plan();
            const run = runOf(view);
            const { associationId, ...settings } = waitSettings(view);
            assert.deepStrictEqual(settings, {
                region: "us-east-1", runId: run,
                groups: [`armfarm-dev-build-${run}`, `armfarm-dev-build-${run}-on-demand`],
                endGroups: [`armfarm-dev-build-${run}`, `armfarm-dev-build-${run}-on-demand`],
                resultPath: `/armfarm-dev/farm/builds/armfarm-dev-build/${run}`, instanceArnPrefix: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/`,
                logGroupName: "/armfarm-dev/farm", hostReadySeconds: 20 * 60, buildSeconds: 30 * 60,
                logLocation: view.outputs.buildLogLocation,
            });
            // The association's id, as AWS gives it (the plan's mock answers a UUID).
            assert.match(associationId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        });

        it("reads the registry only after the wait has the build's result", async () => {
            const events: string[] = [];
            await plan({}, { mocks: {
                resources: { [WAIT]: (name, inputs) => {
                    events.push("wait");
                    return { stdout: waitOutput(JSON.parse(inputs.environment.ARMFARM_BUILD_WAIT).runId), stderr: "" };
                } },
                invokes: { "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) => { events.push("registry"); return manifestsFor(String(i.name)); } },
            } });
            assert.deepStrictEqual(events, ["wait", "registry", "registry", "registry", "registry"]);
        });

        it("takes the duration, each step's and the binaries' machines from the result the wait printed", async () => {
            const binaries = { pilot: { "linux/arm64": { "pilot-discovery": "AArch64" } } };
            const steps = { "fetch-istio": 12, "istio-images": 1800 };
            const view = await plan({}, { mocks: { resources: { [WAIT]: () => ({ stdout: waitOutput("x", { durationSeconds: 1234, binaries, steps }), stderr: "" }) } } });
            assert.strictEqual(view.outputs.buildDurationSeconds, 1234);
            assert.deepStrictEqual(view.outputs.buildBinaryMachines, binaries);
            assert.deepStrictEqual(view.outputs.buildStepSeconds, steps);
        });

        it("fails when the wait printed no successful result", async () => {
            const message = await planError({}, { mocks: { resources: { [WAIT]: () => ({ stdout: waitOutput("x", { status: "failed", message: "step mirror-pilot failed" }), stderr: "" }) } } });
            assert.match(message, /the build's wait printed no successful result/);
        });
    });

    describe("the run's SSM document", () => {
        const script = fs.readFileSync(path.join(PROJECT_DIR, "components/build/istio-build.sh"), "utf8");

        it("writes the repository's build script verbatim, exports the environment, and exits with the script's status", async () => {
            const view = await plan();
            const doc = JSON.parse(view.get(DOCUMENT, "build-build").inputs.content as string);
            assert.deepStrictEqual([doc.schemaVersion, doc.mainSteps.length, doc.mainSteps[0].action], ["2.2", 1, "aws:runShellScript"]);
            const lines: string[] = doc.mainSteps[0].inputs.runCommand;
            const env = scriptEnv(view);
            assert.deepStrictEqual(lines, [
                "install -d -m 0755 /usr/local/lib/armfarm",
                "cat > /usr/local/lib/armfarm/istio-build.sh <<'ARMFARM_BUILD_SCRIPT'",
                ...script.replace(/\n$/, "").split("\n"),
                "ARMFARM_BUILD_SCRIPT",
                ...Object.keys(env).sort().map((k) => `export ${k}='${env[k]}'`),
                // The step's status is the script's, which has recorded its result before it exits.
                "exec bash /usr/local/lib/armfarm/istio-build.sh",
            ]);
            assert.ok(!script.split("\n").includes("ARMFARM_BUILD_SCRIPT"), "the here-document's end marker is not a line of the script");
            assert.strictEqual(doc.mainSteps[0].inputs.timeoutSeconds, String((30 + 20) * 60 + 600));
        });

        // The agent resolves `{{ssm:...}}` in a step's inputs before the step runs and fails the association when
        // the parameter does not exist (aws/amazon-ssm-agent@3.3.1142.0 agent/framework/docparser/parameterstore/
        // parameterstore.go, `\{\{ *ssm:[/\w.:-]+ *\}\}`): the document carries no such text, the script's
        // comments included, and the guard knows the agent's own examples.
        it("carries no Parameter Store reference the agent would resolve, in any mode", async () => {
            const agentPattern = /\{\{ *ssm(-secure)?:[/\w.:-]+ *\}\}/;
            for (const view of [await plan(), await plan(prebuilt), await plan(fromSource)]) {
                for (const doc of view.ofType(DOCUMENT)) assert.doesNotMatch(doc.inputs.content as string, agentPattern, doc.name);
            }
            for (const example of ["{{ssm:parameter-name}}", "{{ ssm-secure:param }}", "{{ssm:/armfarm/x.y}}"]) {
                assert.match(example, AGENT_PARAMETER_REFERENCE, example);
            }
            assert.doesNotMatch("docker buildx imagetools inspect --format '{{json .Image}}'", AGENT_PARAMETER_REFERENCE);
        });

        it("refuses every character that could leave its single quotes or start a command", () => {
            for (const c of ["'", "\"", "$", "`", ";", "&", "|", "\n", "\\", "(", ")", "<", ">", "*", "?", "!", "#", "~", "{", "}", "[", "]"]) {
                assert.throws(() => buildDocumentContent({ ARMFARM_TAG: `1.30.3${c}x` }, 3600), /holds a character the document does not pass/, JSON.stringify(c));
            }
            assert.doesNotThrow(() => buildDocumentContent({ ARMFARM_IMAGES: "pilot proxyv2", ARMFARM_HUB: "a.b/c_d-e:1", ARMFARM_X: "k=v,w+1@z" }, 3600));
        });

        it("refuses a step timeout the agent would replace with one hour", () => {
            assert.throws(() => buildDocumentContent({}, 172801), /outside the 5 to 172800 seconds the agent honours/);
            assert.throws(() => buildDocumentContent({}, 4), /outside the 5 to 172800 seconds/);
            assert.doesNotThrow(() => buildDocumentContent({}, 172800));
        });
    });

    it("reports each platform's digest as the registry gives it, platform by platform, and no attestation entry", async () => {
        const view = await plan();
        const answer = manifestsFor(`${view.outputs.hub}/proxyv2:1.30.3`).manifests;
        const digest = (os: string, arch: string) => answer.find((m) => m.os === os && m.architecture === arch)!.sha256Digest;
        assert.deepStrictEqual((view.outputs.imageDigests as any).proxyv2, { "linux/amd64": digest("linux", "amd64"), "linux/arm64": digest("linux", "arm64") });
        assert.notStrictEqual(digest("linux", "amd64"), digest("linux", "arm64"));
    });

    it("bounds the run: the build phase, and the document's step by the boot wait and a margin on top", async () => {
        const step = (view: PlanView) => JSON.parse(view.get(DOCUMENT, "build-build").inputs.content as string).mainSteps[0].inputs.timeoutSeconds;
        const mirror = await plan();
        assert.strictEqual(scriptEnv(mirror).ARMFARM_TIMEOUT_SECONDS, String(30 * 60));
        assert.strictEqual(step(mirror), String((30 + 20) * 60 + 600));
        const set = await plan({ ...prebuilt, "armfarm:buildTimeoutMinutes": 45 });
        assert.strictEqual(scriptEnv(set).ARMFARM_TIMEOUT_SECONDS, String(45 * 60));
        assert.strictEqual(waitSettings(set).buildSeconds, 45 * 60);
        // Six hours for from-source, the bound of istio/proxy's own release jobs (istio/test-infra
        // istio.proxy.release-1.30.gen.yaml, `timeout: 6h0m0s`).
        assert.strictEqual(scriptEnv(await plan(fromSource)).ARMFARM_TIMEOUT_SECONDS, String(360 * 60));
        // The agent replaces a step timeout above 172800 s with 3600 (aws/amazon-ssm-agent@3.3.1142.0
        // agent/plugins/pluginutil/pluginutil.go): the longest build keeps its step within it.
        const longest = await plan({ ...fromSource, "armfarm:buildTimeoutMinutes": 2850 });
        assert.strictEqual(step(longest), "172800");
        assert.match(await planError({ ...fromSource, "armfarm:buildTimeoutMinutes": 2851 }),
            /armfarm:buildTimeoutMinutes: "2851" is not accepted; expected an integer from 0 to 2850/);
    });

    it("fixes a run's document when the run starts: a later edit never restarts the build that is running", async () => {
        const base = await plan();
        const edited = await plan({ "armfarm:buildTimeoutMinutes": 45 });
        assert.strictEqual(edited.outputs.buildKey, base.outputs.buildKey);
        for (const view of [base, edited]) assert.deepStrictEqual(view.get(DOCUMENT, "build-build").options.ignoreChanges, ["content"]);
        // The association's inputs are the run's alone: an updated association runs again at once (Systems
        // Manager API Reference, UpdateAssociation).
        assert.deepStrictEqual(edited.get(ASSOCIATION, "build-build").inputs, base.get(ASSOCIATION, "build-build").inputs);
        assert.deepStrictEqual(edited.get(WAIT, "build-wait").options.ignoreChanges, ["create", "environment"]);
    });

    it("lets hosts end no group: the run's end rule ends the host whose association ended", async () => {
        const view = await plan({ "armfarm:farmSpot": false });
        const run = runOf(view);
        assert.strictEqual(view.ofType(POLICY).filter((p) => p.name === "build-host").length, 0, "no per-run rights on the shared host role");
        const rule = view.get("aws:cloudwatch/eventRule:EventRule", "build-run-end");
        assert.strictEqual(rule.inputs.name, `armfarm-dev-build-${run}-end`);
        // AWS Systems Manager User Guide, "Amazon EventBridge event examples for Systems Manager".
        assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern as string), {
            source: ["aws.ssm"], "detail-type": ["EC2 State Manager Instance Association State Change"],
            // The agent's final states of an association run (aws/amazon-ssm-agent@3.3.1142.0
            // agent/association/processor/processor.go): a step that timed out ends the host too.
            detail: { "association-id": [waitSettings(view).associationId], status: ["Success", "Failed", "TimedOut", "Skipped"] },
        });
        const target = view.get("aws:cloudwatch/eventTarget:EventTarget", "build-run-end");
        assert.strictEqual(target.inputs.arn, `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/armfarm-dev-build-${run}-end:$DEFAULT`);
        assert.deepStrictEqual(target.inputs.inputTransformer, { inputPaths: { instance: "$.detail.instance-id" }, inputTemplate: "{\"InstanceId\":[<instance>]}" });
        const runbook = JSON.parse(view.get(DOCUMENT, "build-run-end").inputs.content as string);
        assert.deepStrictEqual(runbook.mainSteps, [{ name: "endHost", action: "aws:executeAwsApi",
            inputs: { Service: "autoscaling", Api: "TerminateInstanceInAutoScalingGroup", InstanceId: "{{ InstanceId }}", ShouldDecrementDesiredCapacity: true } }]);
        assert.strictEqual(runbook.assumeRole, `arn:aws:iam::${ACCOUNT}:role/armfarm-dev-build-${run}-automation`);
        const automation = JSON.parse(view.get(POLICY, "build-run-automation").inputs.policy as string);
        assert.deepStrictEqual(automation.Statement, [{ Sid: "EndThisRunsHosts", Effect: "Allow", Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: [`arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/armfarm-dev-build-${run}`] }]);
    });

    it("trusts its service roles only from this account and for this run's rules and executions", async () => {
        const view = await plan();
        const run = runOf(view);
        const trust = (name: string) => JSON.parse(view.get("aws:iam/role:Role", name).inputs.assumeRolePolicy as string).Statement;
        assert.deepStrictEqual(trust("build-run-automation"), [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": [`arn:aws:ssm:us-east-1:${ACCOUNT}:automation-execution/*`] } } }]);
        assert.deepStrictEqual(trust("build-run-events"), [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": [
                `arn:aws:events:us-east-1:${ACCOUNT}:rule/armfarm-dev-build-${run}-end`, `arn:aws:events:us-east-1:${ACCOUNT}:rule/armfarm-dev-build-${run}-spot-refused`,
            ] } } }]);
        const events = JSON.parse(view.get(POLICY, "build-run-events").inputs.policy as string);
        assert.deepStrictEqual(events.Statement.map((st: any) => [st.Action, st.Resource, st.Condition]), [
            [["ssm:StartAutomationExecution"], [`arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/armfarm-dev-build-${run}-end:*`,
                `arn:aws:ssm:us-east-1:${ACCOUNT}:automation-definition/armfarm-dev-build-${run}-spot-fallback:*`], undefined],
            [["iam:PassRole"], [`arn:aws:iam::${ACCOUNT}:role/armfarm-dev-build-${run}-automation`], { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } }],
        ]);
    });

    it("launches no host before its end rule, its fallback and every role policy they and the host need are in place", async () => {
        const view = await plan();
        for (const groupName of ["build-host", "build-host-on-demand"]) {
            const deps = view.get(ASG, groupName).options.dependsOn;
            for (const [type, name] of [
                ["aws:cloudwatch/eventTarget:EventTarget", "build-run-end"], ["aws:cloudwatch/eventTarget:EventTarget", "build-spot-refused"],
                ["aws:cloudwatch/eventRule:EventRule", "build-run-end"], ["aws:cloudwatch/eventRule:EventRule", "build-spot-refused"],
                [POLICY, "build-run-automation"], [POLICY, "build-run-events"], [POLICY, "farm-host"],
                ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "farm-host-ssm"], [ASSOCIATION, "build-build"],
            ]) {
                assert.ok(deps.includes(view.get(type, name).urn), `${groupName} waits for ${name}`);
            }
        }
    });

    describe("the script's parameters", () => {
        it("mirror: the release and the upstream hub, no sources", async () => {
            const env = scriptEnv(await plan());
            assert.strictEqual(env.ARMFARM_BUILD_MODE, "mirror");
            assert.strictEqual(env.ARMFARM_ISTIO_RELEASE, "1.30.3");
            assert.strictEqual(env.ARMFARM_UPSTREAM_HUB, "docker.io/istio");
            assert.strictEqual(env.ARMFARM_ARCHITECTURES, "linux/amd64,linux/arm64");
            assert.strictEqual(env.ARMFARM_IMAGES, "pilot proxyv2 install-cni ztunnel");
            assert.strictEqual(env.ARMFARM_HUB, "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio");
            assert.strictEqual(env.ARMFARM_ISTIO_SHA, undefined);
        });

        it("prebuilt-envoy: the istio/istio commit; envoy where the tree's own bin/init.sh finds it, so no base URL", async () => {
            const view = await plan(prebuilt);
            const env = scriptEnv(view);
            assert.strictEqual(env.ARMFARM_BUILD_MODE, "prebuilt-envoy");
            assert.strictEqual(env.ARMFARM_ISTIO_SHA, ISTIO_SHA);
            assert.strictEqual(env.ARMFARM_ENVOY_BASE_URL, undefined);
            assert.strictEqual(env.ARMFARM_TAG, `git-${ISTIO_SHA.slice(0, 12)}`);
            assert.strictEqual(env.ARMFARM_PROXY_SHA, undefined);
            assert.strictEqual(view.outputs.tag, `git-${ISTIO_SHA.slice(0, 12)}`);
        });

        it("names the main binaries of each image, as the 1.30.3 Dockerfiles copy them, for the ELF check", async () => {
            assert.strictEqual(scriptEnv(await plan()).ARMFARM_IMAGE_BINARIES,
                "pilot=/usr/local/bin/pilot-discovery proxyv2=/usr/local/bin/pilot-agent,/usr/local/bin/envoy " +
                "install-cni=/usr/local/bin/install-cni,/opt/cni/bin/istio-cni ztunnel=/usr/local/bin/ztunnel");
        });

        it("records the result under the run's path, tagged with the host's ARN of this account and region", async () => {
            const view = await plan();
            const env = scriptEnv(view);
            assert.strictEqual(env.ARMFARM_RESULT_PATH, `/armfarm-dev/farm/builds/armfarm-dev-build/${runOf(view)}`);
            assert.strictEqual(env.ARMFARM_INSTANCE_ARN_PREFIX, `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/`);
            assert.strictEqual(env.ARMFARM_ASG_NAME, undefined, "the host ends no group");
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
                const runId = runOf(view);
                assert.strictEqual(view.get(ASG, "build-host").inputs.name, `armfarm-dev-build-${runId}`);
                assert.strictEqual(view.get(ASSOCIATION, "build-build").inputs.associationName, `armfarm-dev-build-${runId}`);
            }
            const release = await plan({ "armfarm:buildIstioRelease": "1.29.0" });
            assert.notStrictEqual(release.outputs.buildKey, (await plan()).outputs.buildKey);
        });

        // Istio's make pushes to `dev-<run>-<epoch seconds>-<tag>` and distroless images add `-distroless`
        // (istio-build.sh, istio_docker_push), within a Docker tag's 128 characters.
        it("refuses a buildTag too long for the staging tag and the distroless suffix to fit Docker's 128", async () => {
            const room = 128 - "dev-0123456789ab-a999-1764000000-".length - "-distroless".length;
            const longest = "t".repeat(room);
            assert.strictEqual((await plan({ "armfarm:buildTag": longest })).outputs.tag, longest);
            assert.match(await planError({ "armfarm:buildTag": `${longest}x` }),
                new RegExp(`armfarm:buildTag: "t{${room}}x" has ${room + 1} characters; .* use at most ${room}`));
        });

        // The farm's ECR lifecycle expires tags starting dev- or pr- 30 days after their push (farm.spec.ts holds
        // the exact policy): a published tag there would vanish under a running mesh.
        it("refuses a buildTag with a prefix the farm's lifecycle expires", async () => {
            for (const tag of ["dev-1.30.3", "pr-1234"]) {
                assert.match(await planError({ "armfarm:buildTag": tag }), new RegExp(`armfarm:buildTag: "${tag}" starts with "${tag.split("-")[0]}-", a prefix the farm's ECR lifecycle keeps for staging tags and expires 30 days after their push`));
            }
            assert.strictEqual((await plan({ "armfarm:buildTag": "1.30.3-dev-1" })).outputs.tag, "1.30.3-dev-1");
        });

        it("does not change with the host type or the timeout; an attempt re-runs under the same key", async () => {
            const base = await plan();
            const other = await plan({ "armfarm:farmInstanceType": "c7g.8xlarge", "armfarm:buildTimeoutMinutes": 45 });
            assert.strictEqual(other.outputs.buildKey, base.outputs.buildKey);
            const again = await plan({ "armfarm:buildAttempt": 2 });
            assert.strictEqual(again.outputs.buildKey, base.outputs.buildKey);
            const runId = `${runOf(base)}-a2`;
            assert.strictEqual(again.get(ASG, "build-host").inputs.name, `armfarm-dev-build-${runId}`);
            assert.deepStrictEqual(again.get(ASSOCIATION, "build-build").inputs.targets, [{ key: "tag:armfarm:build-run", values: [runId] }]);
        });

        it("from-source: the default tag changes with every source that changes the images, so a new proxy is built, not verified", async () => {
            const base = await plan(fromSource);
            assert.strictEqual(base.outputs.tag, `git-${ISTIO_SHA.slice(0, 12)}-proxy-${PROXY_SHA.slice(0, 12)}-tools-${TOOLS_SHA.slice(0, 12)}`);
            for (const change of [{ "armfarm:buildProxySha": "ffffffffffffffffffffffffffffffffffffffff" }, { "armfarm:buildToolsSha": "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" }]) {
                const view = await plan({ ...fromSource, ...change });
                assert.notStrictEqual(view.outputs.tag, base.outputs.tag, JSON.stringify(change));
                assert.notStrictEqual(view.outputs.buildKey, base.outputs.buildKey);
            }
        });
    });

    it("fails when the registry's index lacks a platform, naming the image and the platform", async () => {
        const message = await planError({}, { mocks: { invokes: {
            "docker:index/getRegistryImageManifests:getRegistryImageManifests": (i) =>
                manifestsFor(String(i.name), String(i.name).includes("/proxyv2:") ? ["linux/amd64"] : undefined),
        } } });
        assert.match(message, /istio\/proxyv2:1\.30\.3 has no linux\/arm64 image \(its index lists linux\/amd64\)/);
    });

    it("is absent without the build part, and its unset keys are no error then", async () => {
        // The base's own build keys go too: a key of a part the stack leaves out is an error (config/parts.ts).
        const view = await plan({ "armfarm:parts": ["farm"], "armfarm:buildIstioRelease": undefined, "armfarm:buildPublishTo": undefined, "armfarm:buildVariant": undefined });
        assert.deepStrictEqual(view.ofType("armfarm:aws:IstioImageBuild"), []);
        assert.strictEqual(view.outputs.buildKey, undefined);
    });

    describe("config errors, before anything is registered", () => {
        it("a SHA that is not 40 hex characters", async () => {
            assert.match(await planError({ ...prebuilt, "armfarm:buildIstioSha": "1a2b3c" }),
                /armfarm:buildIstioSha: "1a2b3c" is not accepted; expected a full git commit SHA of 40 lowercase hex characters/);
        });
        it("a building mode without its SHAs; the tools commit is optional", async () => {
            const message = await planError({ "armfarm:buildMode": "from-source", "armfarm:farmRootVolumeGiB": 500 });
            assert.match(message, /armfarm:buildIstioSha: is not set; buildMode "from-source" builds istio\/istio/);
            assert.match(message, /armfarm:buildProxySha: is not set/);
            assert.doesNotMatch(message, /buildToolsSha/);
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
        it("from-source on hosts whose volume, memory or bound cannot hold an envoy build", async () => {
            assert.match(await planError({ ...fromSource, "armfarm:farmRootVolumeGiB": 200 }),
                /armfarm:farmRootVolumeGiB: 200 GiB is too small for buildMode "from-source".*at least 250/);
            // istio/proxy's own arm64 release job asks for 16G (istio.proxy.release-1.30.gen.yaml).
            assert.match(await planError({ ...fromSource, "armfarm:farmInstanceType": "c6g.xlarge" }),
                /armfarm:farmInstanceType: "c6g\.xlarge" has 8 GiB, too little to compile envoy for buildMode "from-source"; use a type with at least 16 GiB/);
            assert.match(await planError({ ...fromSource, "armfarm:farmInstanceType": "c6g.xlarge", "armfarm:farmAmd64InstanceType": "m6i.large" }),
                /armfarm:farmAmd64InstanceType: "m6i\.large" has 8 GiB/);
            assert.match(await planError({ ...fromSource, "armfarm:farmInstanceType": "c6g.xlarge" }),
                /armfarm:farmAmd64InstanceType: "c6i\.xlarge" \(the x86 type of armfarm:farmInstanceType\) has 8 GiB/);
            assert.match(await planError({ ...fromSource, "armfarm:buildTimeoutMinutes": 30 }),
                /armfarm:buildTimeoutMinutes: 30 minutes cannot hold a from-source build, which compiles envoy; use at least 45/);
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
            assert.match(dev.outputs.hub as string, /^us-central1-docker\.pkg\.dev\/armfarm-dev\/armfarm-dev-istio$/);
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
            assert.ok(asked.includes("us-central1-docker.pkg.dev/armfarm-dev/armfarm-dev-istio/pilot:1.30.3-distroless"), asked.join(", "));
            assert.ok(!asked.some((ref) => ref.includes(".dkr.ecr.")), "nothing is read from ECR");
        });

        it("refuses Artifact Registry without the cluster, and ECR for a mesh on the stack's own GKE cluster", async () => {
            assert.match(await planStackError({ "armfarm:parts": ["farm", "build"] }),
                /armfarm:buildPublishTo: "artifact-registry" publishes to a cluster's hub, but the stack has no cluster; name one with armfarm:buildHubStack/);
            assert.match(await planStackError({ "armfarm:buildPublishTo": "ecr" }),
                /armfarm:buildPublishTo: "ecr" puts the mesh's images in ECR, which the GKE nodes cannot pull from without credentials; use "artifact-registry"/);
            assert.match(await planStackError({ "armfarm:buildPublishTo": "gcr" }), /armfarm:buildPublishTo: "gcr" is not accepted; use one of ecr, artifact-registry/);
        });
    });

    describe("from source: envoy natively on a Graviton host and an x86 host of the same run", () => {
        let view: PlanView;
        before(async () => {
            view = await plan({ ...fromSource, "armfarm:buildToolsSha": undefined });
        });

        it("launches one on-demand x86 host from the farm's amd64 template, tagged as the run's envoy-amd64 host", () => {
            const run = runOf(view);
            const group = view.get(ASG, "build-host-envoy-amd64");
            assert.strictEqual(group.inputs.name, `armfarm-dev-build-${run}-envoy-amd64`);
            assert.deepStrictEqual([group.inputs.minSize, group.inputs.maxSize, group.inputs.desiredCapacity], [0, 1, 1]);
            const policy = group.inputs.mixedInstancesPolicy as any;
            assert.deepStrictEqual(policy.launchTemplate.launchTemplateSpecification,
                { launchTemplateId: `lt-${stableHex(17, "farm-hosts-amd64")}`, version: "1" });
            assert.deepStrictEqual(policy.launchTemplate.overrides, [{ instanceType: "m6i.4xlarge" }]);
            assert.strictEqual(policy.instancesDistribution.onDemandPercentageAboveBaseCapacity, 100);
            const tag = (key: string) => (group.inputs.tags as any[]).find((t) => t.key === key)?.value;
            assert.deepStrictEqual([tag("armfarm:build-run"), tag("armfarm:role")], [`${run}-envoy-amd64`, "envoy-amd64-host"]);
            // The plan's offerings have m6i in every zone: every farm subnet.
            assert.deepStrictEqual(group.inputs.vpcZoneIdentifiers, view.outputs.farmSubnetIds);
        });

        it("runs the same script there in mode envoy-amd64, through an association of its own on that tag", () => {
            const run = runOf(view);
            const doc = JSON.parse(view.get(DOCUMENT, "build-build-envoy-amd64").inputs.content as string);
            const lines: string[] = doc.mainSteps[0].inputs.runCommand;
            assert.ok(lines.includes("export ARMFARM_BUILD_MODE='envoy-amd64'"));
            assert.deepStrictEqual(lines.filter((l) => !l.startsWith("export ")),
                (JSON.parse(view.get(DOCUMENT, "build-build").inputs.content as string).mainSteps[0].inputs.runCommand as string[]).filter((l) => !l.startsWith("export ")));
            assert.deepStrictEqual(view.get(ASSOCIATION, "build-build-envoy-amd64").inputs.targets, [{ key: "tag:armfarm:build-run", values: [`${run}-envoy-amd64`] }]);
            const env = scriptEnv(view);
            assert.strictEqual(env.ARMFARM_CACHE_BUCKET, `armfarm-dev-farm-cache-${stableHex(26, "farm-cache")}`);
            assert.strictEqual(env.ARMFARM_TOOLS_SHA, undefined, "without buildToolsSha, the images the trees pin");
        });

        it("ends either host when its association ends, and moves only the Graviton host on spot", () => {
            const run = runOf(view);
            const pattern = JSON.parse(view.get("aws:cloudwatch/eventRule:EventRule", "build-run-end").inputs.eventPattern as string);
            assert.strictEqual(pattern.detail["association-id"].length, 2);
            const automation = JSON.parse(view.get(POLICY, "build-run-automation").inputs.policy as string);
            const arn = (g: string) => `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/${g}`;
            assert.deepStrictEqual(automation.Statement, [
                { Sid: "EndThisRunsHosts", Effect: "Allow", Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"],
                    Resource: [arn(`armfarm-dev-build-${run}`), arn(`armfarm-dev-build-${run}-on-demand`), arn(`armfarm-dev-build-${run}-envoy-amd64`)] },
                { Sid: "MoveThisRun", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"],
                    Resource: [arn(`armfarm-dev-build-${run}`), arn(`armfarm-dev-build-${run}-on-demand`)] },
            ]);
        });

        it("waits for the Graviton host's result, after both hosts' groups exist", () => {
            const wait = view.get(WAIT, "build-wait");
            assert.ok(wait.options.dependsOn.includes(view.get(ASG, "build-host-envoy-amd64").urn));
            assert.ok(!waitSettings(view).groups.some((g: string) => g.endsWith("-envoy-amd64")), "the result is the Graviton host's");
            // A failed or timed-out wait ends the x86 host too, which would otherwise compile on for hours.
            const amd64Group = view.get(ASG, "build-host-envoy-amd64").inputs.name;
            assert.deepStrictEqual(waitSettings(view).endGroups, [...waitSettings(view).groups, amd64Group]);
            assert.ok(view.get(ASG, "build-host-envoy-amd64").options.dependsOn.includes(view.get("aws:cloudwatch/eventTarget:EventTarget", "build-run-end").urn));
        });

        it("launches no x86 host when the build publishes arm64 only, nor in the other modes", async () => {
            const prebuiltView = await plan(prebuilt);
            const armOnly = await plan({ ...fromSource, "armfarm:buildArchitectures": ["linux/arm64"] });
            assert.throws(() => armOnly.get(ASG, "build-host-envoy-amd64"));
            assert.throws(() => prebuiltView.get(ASG, "build-host-envoy-amd64"));
        });
    });

    describe("spot with on-demand fallback", () => {
        let spot: PlanView;
        before(async () => {
            spot = await plan({ "armfarm:farmSpot": true });
        });

        it("stands an on-demand group of the same run by, with no host, on the farm's own type", () => {
            const key = runOf(spot);
            const standby = spot.get(ASG, "build-host-on-demand");
            assert.strictEqual(standby.inputs.name, `armfarm-dev-build-${key}-on-demand`);
            assert.deepStrictEqual([standby.inputs.minSize, standby.inputs.maxSize, standby.inputs.desiredCapacity], [0, 1, 0]);
            const policy = standby.inputs.mixedInstancesPolicy as any;
            assert.strictEqual(policy.instancesDistribution.onDemandPercentageAboveBaseCapacity, 100);
            assert.deepStrictEqual(policy.launchTemplate.overrides, [{ instanceType: "m6g.4xlarge" }]);
            assert.deepStrictEqual((standby.inputs.tags as any[]).find((t) => t.key === "armfarm:build-run"),
                { key: "armfarm:build-run", value: key, propagateAtLaunch: true }, "the association finds either host by the run tag");
            assert.deepStrictEqual(standby.options.ignoreChanges, ["desiredCapacity"]);
        });

        it("starts the fallback runbook only when the spot group is refused for want of spot capacity", () => {
            const key = runOf(spot);
            const rule = spot.get("aws:cloudwatch/eventRule:EventRule", "build-spot-refused");
            // Amazon EC2 Auto Scaling User Guide, "Troubleshoot instance launch failures": the messages of a spot
            // request that cannot be filled. Other failures (a zone or type not offered, a quota, an instance
            // profile not yet visible) are not a spot shortage, and on-demand would fail alike.
            assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern as string), {
                source: ["aws.autoscaling"], "detail-type": ["EC2 Instance Launch Unsuccessful"],
                detail: {
                    AutoScalingGroupName: [`armfarm-dev-build-${key}`],
                    StatusMessage: [
                        { wildcard: "*There is no Spot capacity available that matches your request*" },
                        { wildcard: "*Spot request price of * is lower than the minimum required Spot request fulfillment price*" },
                    ],
                },
            });
            const target = spot.get("aws:cloudwatch/eventTarget:EventTarget", "build-spot-refused");
            // Without an input, EventBridge passes the whole event as the runbook's parameters, which it refuses.
            assert.strictEqual(target.inputs.input, "{}");
            assert.strictEqual(target.inputs.arn, `arn:aws:ssm:us-east-1:123456789012:automation-definition/armfarm-dev-build-${key}-spot-fallback:$DEFAULT`);
            const runbook = JSON.parse(spot.get(DOCUMENT, "build-run-fallback").inputs.content as string);
            assert.deepStrictEqual(runbook.mainSteps.map((step: any) => [step.action, step.inputs.Api, step.inputs.AutoScalingGroupName, step.inputs.DesiredCapacity]), [
                ["aws:executeAwsApi", "SetDesiredCapacity", `armfarm-dev-build-${key}-on-demand`, 1],
                ["aws:executeAwsApi", "SetDesiredCapacity", `armfarm-dev-build-${key}`, 0],
            ]);
        });

        it("a wildcard pattern matches Auto Scaling's spot messages and not its other launch failures", () => {
            // EventBridge wildcards: `*` matches any run of characters (EventBridge User Guide, "Comparison operators").
            const patterns = (JSON.parse(spot.get("aws:cloudwatch/eventRule:EventRule", "build-spot-refused").inputs.eventPattern as string)
                .detail.StatusMessage as { wildcard: string }[]).map((p) => new RegExp(`^${p.wildcard.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s"));
            const matches = (message: string) => patterns.some((p) => p.test(message));
            assert.ok(matches("Could not launch Spot Instances. There is no Spot capacity available that matches your request. Launching EC2 instance failed."));
            assert.ok(matches("Your Spot request price of 0.015 is lower than the minimum required Spot request fulfillment price of 0.0735. Launching EC2 instance failed."));
            for (const other of [
                "Your requested instance type (m6g.4xlarge) is not supported in your requested Availability Zone (us-east-1e). Launching EC2 instance failed.",
                "5 instance(s) are already running. Launching EC2 instance failed.",
                "Value (farm-host) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name. Launching EC2 instance failed.",
            ]) assert.ok(!matches(other), other);
        });

        it("is in place, with every policy it needs, before the spot group launches anything", () => {
            const deps = spot.get(ASG, "build-host").options.dependsOn;
            for (const [type, name] of [["aws:cloudwatch/eventTarget:EventTarget", "build-spot-refused"], [POLICY, "build-run-automation"], [POLICY, "build-run-events"]]) {
                assert.ok(deps.includes(spot.get(type, name).urn), name);
            }
        });

        it("lets the runbooks move and end only this run's groups, and lets EventBridge start only this run's runbooks", () => {
            const key = runOf(spot);
            const groups = [`armfarm-dev-build-${key}`, `armfarm-dev-build-${key}-on-demand`]
                .map((name) => `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${name}`);
            const automation = JSON.parse(spot.get(POLICY, "build-run-automation").inputs.policy as string);
            assert.deepStrictEqual(automation.Statement, [
                { Sid: "EndThisRunsHosts", Effect: "Allow", Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"], Resource: groups },
                { Sid: "MoveThisRun", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: groups },
            ]);
        });

        it("is not there without spot, where only the end rule stands", async () => {
            const onDemand = await plan({ "armfarm:farmSpot": false });
            assert.deepStrictEqual(onDemand.ofType("aws:cloudwatch/eventRule:EventRule").map((r) => r.name), ["build-run-end"]);
            assert.throws(() => onDemand.get(ASG, "build-host-on-demand"));
            assert.throws(() => onDemand.get(DOCUMENT, "build-run-fallback"));
        });
    });
});
