/**
 * The build's wait against a fake AWS that answers as the real APIs do (test/fake-build-world.ts), on a clock
 * the fake moves: it holds until one of the run's own hosts has recorded the build's result, and shows progress.
 */
import * as assert from "assert";
import { waitForBuild, WaitSettings, elapsed } from "../components/aws/build-wait/wait";
import { readSettings } from "../components/aws/build-wait/main";
import { awsBuildApi, WaitClients } from "../components/aws/build-wait/aws";
import { BuildFailedError } from "../components/aws/build-wait/result";
import { GroupsNotFoundError } from "../components/aws/build-wait/api";
import { ARN_PREFIX, ASSOCIATION_ID, FakeBuildWorld, HostPlan, RESULT_PATH } from "./fake-build-world";

const GROUP = "armfarm-build-abc123def456";
const STANDBY = "armfarm-build-abc123def456-on-demand";
const SETTINGS: WaitSettings = {
    runId: "abc123def456", associationId: ASSOCIATION_ID, groups: [GROUP, STANDBY], resultPath: RESULT_PATH,
    instanceArnPrefix: ARN_PREFIX, logGroupName: "/armfarm/farm", hostReadySeconds: 20 * 60, buildSeconds: 30 * 60,
    logLocation: "CloudWatch Logs group /armfarm/farm, lines tagged armfarm-build-abc123def456",
};
const SUCCEEDED = { status: "succeeded", message: "published", durationSeconds: 540, logTail: "" };

/** A host that boots in 3 minutes, registers at 5, builds two steps and records `result` at `endAt`. */
function host(id: string, over: Partial<HostPlan> = {}): HostPlan {
    return {
        id, group: GROUP, launchAt: 1, inServiceAt: 3, registerAt: 5,
        steps: [{ at: 6, name: "registry-login", command: "registry_login" }, { at: 7, name: "mirror-pilot", command: "docker buildx imagetools create --tag x y" }],
        endAt: 15, result: SUCCEEDED, ...over,
    };
}

async function run(world: FakeBuildWorld, settings: WaitSettings = SETTINGS) {
    const progress: string[] = [];
    try {
        const result = await waitForBuild(world, settings, world.io(progress));
        return { result, progress, minute: world.minute };
    } catch (error) {
        return { error: error as Error, progress, minute: world.minute };
    }
}

describe("the build's wait (against a fake AWS)", () => {
    it("holds while the association already says Success with no host, until the host recorded its result", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223")]);
        // What the AWS provider's create returned on, before any host existed.
        assert.deepStrictEqual(world.associationOverview().status, "Success");
        const { result, error, minute, progress } = await run(world);
        assert.ifError(error);
        assert.strictEqual(result!.status, "succeeded");
        assert.strictEqual(result!.instanceId, "i-0aaa1111bbbb22223");
        assert.ok(minute >= 15, `returned at minute ${minute}, before the result was recorded at 15`);
        assert.ok(minute < 16, `returned at minute ${minute}, a poll after the result`);
        assert.deepStrictEqual(world.ended, [GROUP, STANDBY], "the wait ends the run's hosts once it has the result");
        assert.ok(progress.every((l) => /^\[\d\d:\d\d\] /.test(l)), progress.join("\n"));
    });

    it("shows the host's state, its registration, then each step as the script logs it, with elapsed time", async () => {
        const { progress } = await run(new FakeBuildWorld([host("i-0aaa1111bbbb22223")]));
        const text = progress.join("\n");
        assert.match(text, /^\[00:00\] build run abc123def456: waiting for its host; the build itself may take up to 30 min$/m);
        assert.match(text, /^\[01:00\] host i-0aaa1111bbbb22223 \(m6g\.4xlarge in us-east-1a\) is Pending$/m);
        assert.match(text, /^\[03:00\] host i-0aaa1111bbbb22223 \(m6g\.4xlarge in us-east-1a\) is InService$/m);
        assert.match(text, /^\[05:00\] host i-0aaa1111bbbb22223 is Online in Systems Manager; the build's association runs on it$/m);
        assert.match(text, /^\[06:00\] step registry-login: registry_login$/m);
        assert.match(text, /^\[07:00\] step mirror-pilot: docker buildx imagetools create --tag x y$/m);
        assert.match(text, /^\[15:00\] result: succeeded: published \(540s on i-0aaa1111bbbb22223\)$/m);
        assert.doesNotMatch(text, /tool output that is not shown/, "a step's own output stays in the log group");
    });

    it("says what it still waits for after five quiet minutes", async () => {
        const { progress } = await run(new FakeBuildWorld([host("i-0aaa1111bbbb22223", {
            steps: [{ at: 6, name: "istio-images", command: "make docker.push" }], endAt: 20,
        })]));
        assert.ok(progress.includes("[11:00] still waiting for step istio-images of the build"), progress.join("\n"));
    });

    it("fails a failed build with its step, the log tail and where the rest is, and ends the host", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223", {
            result: { status: "failed", message: "step mirror-pilot failed with exit status 1", durationSeconds: 80,
                logTail: "armfarm-build-abc123def456 mirror-pilot: ERROR: docker.io/istio/pilot:1.30.3: not found" },
        })]);
        const { error } = await run(world);
        assert.ok(error instanceof BuildFailedError, String(error));
        assert.match(error!.message, /^the Istio image build failed: step mirror-pilot failed with exit status 1\.\n/);
        assert.match(error!.message, /Last lines of its log:\n {4}armfarm-build-abc123def456 mirror-pilot: ERROR: docker\.io\/istio\/pilot:1\.30\.3: not found/);
        assert.match(error!.message, /Full log: CloudWatch Logs group \/armfarm\/farm, lines tagged armfarm-build-abc123def456 \(host i-0aaa1111bbbb22223, stream i-0aaa1111bbbb22223\/armfarm\)$/);
        assert.deepStrictEqual(world.ended, [GROUP, STANDBY]);
    });

    it("takes a result only from one of the run's own hosts, written by that host", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223", { endAt: 20 })]);
        // A host of another run writes under this run's path, in its own name, at minute 8.
        world.parameters.push({ name: `${RESULT_PATH}/i-0fff9999eeee88887`, value: JSON.stringify({ ...SUCCEEDED, instanceId: "i-0fff9999eeee88887" }),
            tags: { "armfarm:host": `${ARN_PREFIX}i-0fff9999eeee88887` }, at: 8 });
        // And one in this run's host's name, which its tag shows it did not write.
        world.parameters.push({ name: `${RESULT_PATH}/i-0aaa1111bbbb22223`, value: JSON.stringify({ ...SUCCEEDED, message: "forged" }),
            tags: { "armfarm:host": `${ARN_PREFIX}i-0fff9999eeee88887` }, at: 9 });
        const { result, error, minute } = await run(world);
        assert.ok(minute >= 20, `took a result at minute ${minute}, before the run's host recorded one`);
        assert.match(String(error), /recorded no result/);
        assert.strictEqual(result, undefined, "the run's host could not record over the forged parameter");
    });

    it("says which launch failed and why, and gives up after its bound with the groups' activities, ending the run", async () => {
        const world = new FakeBuildWorld([]);
        const message = "There is no Spot capacity available that matches your request. Launching EC2 instance failed.";
        world.failedLaunches.push({ group: GROUP, at: 1, message });
        const { error, progress, minute } = await run(world);
        assert.match(progress.join("\n"), new RegExp(`^\\[01:00\\] ${GROUP} could not launch a host: ${message.replace(/\./g, "\\.")}$`, "m"));
        assert.ok(error instanceof BuildFailedError);
        assert.match(error!.message, /^no host ran the Istio image build within 60 minutes \(still waiting for a host in armfarm-build-abc123def456 or armfarm-build-abc123def456-on-demand\); /);
        assert.match(error!.message, new RegExp(`${GROUP}: Failed: There is no Spot capacity`));
        assert.ok(minute >= 60 && minute < 61, `gave up at minute ${minute}`);
        assert.deepStrictEqual(world.ended, [GROUP, STANDBY]);
    });

    it("ends every group of the run it is given, not only those it follows: from-source's x86 envoy host too", async () => {
        const amd64 = "armfarm-build-abc123def456-envoy-amd64";
        const failing = new FakeBuildWorld([host("i-0aaa1111bbbb22223", { result: { ...SUCCEEDED, status: "failed", message: "step envoy-arm64 failed" } })]);
        const { error } = await run(failing, { ...SETTINGS, endGroups: [GROUP, STANDBY, amd64] });
        assert.ok(error instanceof BuildFailedError);
        assert.deepStrictEqual(failing.ended, [GROUP, STANDBY, amd64]);
        const late = new FakeBuildWorld([]);
        await run(late, { ...SETTINGS, endGroups: [GROUP, STANDBY, amd64] });
        assert.deepStrictEqual(late.ended, [GROUP, STANDBY, amd64], "a wait that gave up ends the x86 host as well");
    });

    it("fails when the association ended on the host without a result", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223", { result: undefined })]);
        const { error } = await run(world);
        assert.match(error!.message, /^the Istio image build recorded no result: its association ended Failed on i-0aaa1111bbbb22223 \(Failed; 1 out of 1 plugin processed, 0 success, 1 failed/);
    });

    it("follows the build to the host that replaces an interrupted one", async () => {
        const world = new FakeBuildWorld([
            host("i-0aaa1111bbbb22223", { goneAt: 9, result: undefined, endAt: undefined }),
            host("i-0ccc3333dddd44445", { group: STANDBY, launchAt: 10, inServiceAt: 11, registerAt: 12, steps: [], endAt: 25 }),
        ]);
        const { result, progress } = await run(world);
        assert.strictEqual(result?.instanceId, "i-0ccc3333dddd44445");
        assert.match(progress.join("\n"), /host i-0aaa1111bbbb22223 went away before its build recorded a result \(a spot interruption\?\)/);
    });

    it("picks up a run that already finished, from the group's activity history, at once", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223", { launchAt: -40, inServiceAt: -38, registerAt: -36, endAt: -20, goneAt: -19 })]);
        const { result, minute } = await run(world);
        assert.strictEqual(result?.message, "published");
        assert.strictEqual(minute, 0);
    });

    it("fails at once on a run whose hosts were ended without a result, rather than wait out its bound", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223", { launchAt: -40, inServiceAt: -38, registerAt: -36, endAt: undefined, result: undefined, goneAt: -19 })]);
        world.endedBefore = true;
        const { error, minute } = await run(world);
        assert.strictEqual(minute, 0);
        assert.match(error!.message, /^the Istio image build's hosts \(i-0aaa1111bbbb22223\) were ended without a result, and the run launches no other; raise armfarm:buildAttempt/);
    });

    it("asks again when AWS throttles a poll", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223")]);
        world.throttledAt.add(2);
        const { result, progress } = await run(world);
        assert.strictEqual(result?.status, "succeeded");
        assert.ok(progress.includes("[02:00] AWS did not answer (Rate exceeded); asking again"), progress.join("\n"));
    });

    it("gives up on a build that outlives its bound, and ends its host", async () => {
        const world = new FakeBuildWorld([host("i-0aaa1111bbbb22223", { endAt: 500 })]);
        const { error, minute } = await run(world);
        assert.match(error!.message, /^the Istio image build did not finish within 60 minutes \(still waiting for step mirror-pilot of the build\); its host was ended/);
        assert.ok(minute >= 60 && minute < 61);
        assert.deepStrictEqual(world.ended, [GROUP, STANDBY]);
    });

    it("formats elapsed time as mm:ss, and h:mm:ss past an hour", () => {
        assert.deepStrictEqual([elapsed(0), elapsed(61_000), elapsed(3_599_000), elapsed(3_723_000)], ["00:00", "01:01", "59:59", "1:02:03"]);
    });

    it("refuses settings it cannot wait with, naming what is missing", () => {
        assert.throws(() => readSettings(undefined), /ARMFARM_BUILD_WAIT is not set/);
        assert.throws(() => readSettings(JSON.stringify({ region: "us-east-1", runId: "x" })), /ARMFARM_BUILD_WAIT lacks associationId, groups, resultPath/);
    });
});

describe("the build's wait, asking AWS through the SDK", () => {
    /** Clients that record each request by its command's name and answer with what AWS would. */
    function clients(answers: Record<string, (input: any) => unknown>) {
        const sent: [string, any][] = [];
        const send = async (command: { constructor: { name: string }; input: unknown }) => {
            const name = command.constructor.name;
            sent.push([name, command.input]);
            const answer = answers[name];
            if (!answer) throw new Error(`no answer for ${name}`);
            return answer(command.input);
        };
        return { sent, api: awsBuildApi({ autoscaling: { send }, ssm: { send }, logs: { send } } as unknown as WaitClients) };
    }

    it("reads the groups' hosts and launches as DescribeAutoScalingGroups and DescribeScalingActivities give them", async () => {
        const { api, sent } = clients({
            DescribeAutoScalingGroupsCommand: () => ({ AutoScalingGroups: [{ AutoScalingGroupName: STANDBY, DesiredCapacity: 1, Instances: [] }, { AutoScalingGroupName: GROUP, DesiredCapacity: 0, Instances: [
                { InstanceId: "i-0aaa1111bbbb22223", LifecycleState: "InService", InstanceType: "m7g.4xlarge", AvailabilityZone: "us-east-1b" },
            ] }] }),
            DescribeScalingActivitiesCommand: () => ({ Activities: [{ StatusCode: "Failed", Description: "Launching a new EC2 instance.  Status Reason: x", StatusMessage: "x", StartTime: new Date(5) }] }),
        });
        assert.deepStrictEqual(await api.hostInstances([GROUP, STANDBY]), [
            { instanceId: "i-0aaa1111bbbb22223", group: GROUP, lifecycleState: "InService", instanceType: "m7g.4xlarge", zone: "us-east-1b" }]);
        assert.strictEqual(await api.desiredCapacity([GROUP, STANDBY]), 1);
        assert.deepStrictEqual(await api.scalingActivities(GROUP), [{ statusCode: "Failed", description: "Launching a new EC2 instance.  Status Reason: x", statusMessage: "x", startTime: new Date(5) }]);
        assert.deepStrictEqual(sent, [
            ["DescribeAutoScalingGroupsCommand", { AutoScalingGroupNames: [GROUP, STANDBY] }],
            ["DescribeAutoScalingGroupsCommand", { AutoScalingGroupNames: [GROUP, STANDBY] }],
            ["DescribeScalingActivitiesCommand", { AutoScalingGroupName: GROUP, MaxRecords: 20 }],
        ]);
    });

    // DescribeAutoScalingGroups leaves out the names it does not know, without an error; the wait starts after the
    // groups exist, so a missing one means the wait's credentials are of another account or region.
    it("fails at once, naming the cause, when its credentials do not see the run's groups", async () => {
        const { api, sent } = clients({ DescribeAutoScalingGroupsCommand: () => ({ AutoScalingGroups: [{ AutoScalingGroupName: STANDBY, Instances: [] }] }) });
        await assert.rejects(api.hostInstances([GROUP, STANDBY]), (err: Error) => err instanceof GroupsNotFoundError &&
            err.message.startsWith(`the run's Auto Scaling groups ${GROUP} are not found with the wait's AWS credentials`) && /aws:assumeRoles/.test(err.message));
        const world = new FakeBuildWorld([]);
        const progress: string[] = [];
        await assert.rejects(waitForBuild(api, SETTINGS, world.io(progress)), GroupsNotFoundError);
        assert.strictEqual(world.minute, 0, "no retries: waiting longer would not help");
        assert.strictEqual(sent.length, 2);
    });

    it("reads registration and the association's state on the host by the association's id", async () => {
        const { api, sent } = clients({
            DescribeInstanceInformationCommand: () => ({ InstanceInformationList: [{ InstanceId: "i-0aaa1111bbbb22223", PingStatus: "Online" }] }),
            DescribeInstanceAssociationsStatusCommand: () => ({ InstanceAssociationStatusInfos: [
                { AssociationId: "other", Status: "Success" },
                { AssociationId: ASSOCIATION_ID, Status: "Failed", DetailedStatus: "Failed", ExecutionSummary: "1 out of 1 plugin processed, 0 success, 1 failed" },
            ] }),
        });
        assert.strictEqual(await api.agentStatus("i-0aaa1111bbbb22223"), "Online");
        assert.deepStrictEqual(await api.associationRun("i-0aaa1111bbbb22223", ASSOCIATION_ID),
            { status: "Failed", detailedStatus: "Failed", executionSummary: "1 out of 1 plugin processed, 0 success, 1 failed" });
        assert.deepStrictEqual(sent, [
            ["DescribeInstanceInformationCommand", { Filters: [{ Key: "InstanceIds", Values: ["i-0aaa1111bbbb22223"] }] }],
            ["DescribeInstanceAssociationsStatusCommand", { InstanceId: "i-0aaa1111bbbb22223" }],
        ]);
    });

    it("reads every page of results with the tag each one carries", async () => {
        const { api, sent } = clients({
            GetParametersByPathCommand: (input) => input.NextToken
                ? { Parameters: [{ Name: `${RESULT_PATH}/i-0bbb`, Value: "{}", LastModifiedDate: new Date(2) }] }
                : { Parameters: [{ Name: `${RESULT_PATH}/i-0aaa`, Value: "{\"a\":1}", LastModifiedDate: new Date(1) }], NextToken: "t1" },
            ListTagsForResourceCommand: (input) => ({ TagList: input.ResourceId.endsWith("i-0aaa") ? [{ Key: "armfarm:host", Value: `${ARN_PREFIX}i-0aaa` }] : [] }),
        });
        assert.deepStrictEqual(await api.recordedResults(RESULT_PATH), [
            { instanceId: "i-0aaa", value: "{\"a\":1}", hostTag: `${ARN_PREFIX}i-0aaa`, lastModified: new Date(1) },
            { instanceId: "i-0bbb", value: "{}", hostTag: undefined, lastModified: new Date(2) },
        ]);
        assert.deepStrictEqual(sent.map(([name, input]) => [name, input]), [
            ["GetParametersByPathCommand", { Path: RESULT_PATH, Recursive: false, NextToken: undefined }],
            ["ListTagsForResourceCommand", { ResourceType: "Parameter", ResourceId: `${RESULT_PATH}/i-0aaa` }],
            ["GetParametersByPathCommand", { Path: RESULT_PATH, Recursive: false, NextToken: "t1" }],
            ["ListTagsForResourceCommand", { ResourceType: "Parameter", ResourceId: `${RESULT_PATH}/i-0bbb` }],
        ]);
    });

    it("filters the log group by the run's tag from a time on, and ends the run by dropping each group to 0", async () => {
        const { api, sent } = clients({
            FilterLogEventsCommand: () => ({ events: [{ eventId: "e2", timestamp: 20, message: "b" }, { eventId: "e1", timestamp: 10, message: "a" }] }),
            SetDesiredCapacityCommand: () => ({}),
        });
        assert.deepStrictEqual((await api.logLines("/armfarm/farm", "\"armfarm-build-abc123def456\"", 5)).map((l) => l.message), ["a", "b"]);
        await api.endRun([GROUP, STANDBY]);
        assert.deepStrictEqual(sent, [
            ["FilterLogEventsCommand", { logGroupName: "/armfarm/farm", filterPattern: "\"armfarm-build-abc123def456\"", startTime: 5, nextToken: undefined }],
            ["SetDesiredCapacityCommand", { AutoScalingGroupName: GROUP, DesiredCapacity: 0 }],
            ["SetDesiredCapacityCommand", { AutoScalingGroupName: STANDBY, DesiredCapacity: 0 }],
        ]);
    });
});
