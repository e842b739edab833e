/**
 * Waits for one build run until the build itself has recorded its result, and shows its progress meanwhile:
 * the host's state, its registration with Systems Manager, then each step as the build script logs it, with the
 * time since the wait began.
 *
 * Why not the association's own wait: an association whose tag target matches no instance yet reports Success
 * within seconds, and the AWS provider's create returns on that Success (hashicorp/terraform-provider-aws
 * internal/service/ssm/association.go: `waitAssociationCreated` waits on Pending and returns on Success; the
 * provider's own `TestAccSSMAssociation_withOutputLocation_waitForSuccessTimeout` targets a tag no instance has;
 * issue #31175). A build's host takes minutes to boot and register, so that wait ends before the build starts.
 * This wait follows the run's hosts instead, and returns only with a result one of them recorded.
 */
import { ASSOCIATION_END_STATES, BuildApi, GroupsNotFoundError, HostInstance, RecordedResult } from "./api";
import { BuildFailedError, BuildResult, failedBuild, parseResult } from "./result";

export interface WaitSettings {
    /** The run id: the build's log lines carry `armfarm-build-<runId>`. */
    runId: string;
    /** The association that runs the build on the run's hosts. */
    associationId: string;
    /** The run's groups: the one that launches its host first, then its on-demand standby (spot runs). */
    groups: string[];
    /**
     * Every group the wait ends when it ends: the run's groups and any other host of the run (from-source's x86
     * envoy host, whose build goes on otherwise after a failed or timed-out wait). Default: `groups`.
     */
    endGroups?: string[];
    /** Where the run's hosts record their results: `<resultPath>/<instance id>`. */
    resultPath: string;
    /** The ARN of an instance of this account and region, but for its id: `arn:aws:ec2:<region>:<account>:instance/`. */
    instanceArnPrefix: string;
    logGroupName: string;
    /** How long a host may take to launch, boot and register before the build starts. */
    hostReadySeconds: number;
    /** The build's own bound. */
    buildSeconds: number;
    /** Where the full log is, for messages. */
    logLocation: string;
    /** Seconds between polls. Default 15. */
    pollSeconds?: number;
    /** Seconds of silence after which the wait says what it is still waiting for. Default 300. */
    heartbeatSeconds?: number;
}

export interface WaitIo {
    /** Milliseconds since the epoch. */
    now(): number;
    sleep(ms: number): Promise<void>;
    /** One line of progress for the person running `pulumi up`. */
    progress(line: string): void;
}

/** The margin on top of the host's and the build's own bounds before the wait gives up. */
export const WAIT_MARGIN_SECONDS = 600;

/** Polls in a row that AWS may fail (throttling, a network blip) before the wait gives up. */
const MAX_FAILED_POLLS = 8;

/** Association states after which the agent runs nothing more on that host. */
const ENDED = new Set<string>(ASSOCIATION_END_STATES);

/** Log messages worth a line of progress: run and step starts, what is left to publish, and the result (istio-build.sh `log`). */
const NOTABLE = /^(run |step |to publish:|every image|result:|host setup)/;

/** An Auto Scaling activity that launched an instance. Source: DescribeScalingActivities, `Description`. */
const LAUNCHED = /^Launching a new EC2 instance: (i-[0-9a-f]{8,17})\b/;

export function elapsed(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    const two = (n: number) => String(n).padStart(2, "0");
    return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

const live = (h: HostInstance) => !/^Terminat/.test(h.lifecycleState);

/**
 * Resolves with the build's result once one of the run's hosts has recorded it; rejects with a BuildFailedError
 * when the build failed, ended without a result, or did not finish in time. The run's hosts are ended in every
 * case (the run's end rule does so too, for a wait that was interrupted).
 */
export async function waitForBuild(api: BuildApi, s: WaitSettings, io: WaitIo): Promise<BuildResult> {
    const start = io.now();
    const deadline = start + (s.hostReadySeconds + s.buildSeconds + WAIT_MARGIN_SECONDS) * 1000;
    const poll = (s.pollSeconds ?? 15) * 1000;
    const heartbeat = (s.heartbeatSeconds ?? 300) * 1000;
    let lastSaid = start;
    const say = (line: string) => {
        io.progress(`[${elapsed(io.now() - start)}] ${line}`);
        lastSaid = io.now();
    };
    const said = new Map<string, string>();
    /** Says `line` when what `key` stands for has a new value. */
    const sayOnChange = (key: string, value: string, line: string) => {
        if (said.get(key) === value) return;
        said.set(key, value);
        say(line);
    };
    const logs = new LogFollower(api, s.logGroupName, `"armfarm-build-${s.runId}"`, start - 60_000);
    const runHosts = new Set<string>();
    let building: string | undefined;
    let endedWithoutResult: { host: string; since: number } | undefined;
    let waitingFor = `a host in ${s.groups[0]}`;

    say(`build run ${s.runId}: waiting for its host; the build itself may take up to ${Math.round(s.buildSeconds / 60)} min`);
    let failures = 0;
    for (;;) {
        try {
            const done = await pollOnce();
            if (done) return done;
            failures = 0;
        } catch (err) {
            if (err instanceof BuildFailedError || err instanceof GroupsNotFoundError || ++failures > MAX_FAILED_POLLS) throw err;
            say(`AWS did not answer (${err instanceof Error ? err.message : String(err)}); asking again`);
        }
        if (io.now() - lastSaid >= heartbeat) say(`still waiting for ${waitingFor}`);
        await io.sleep(poll);
    }

    /** One look at the run; returns its result once there is one, throws when the run has failed. */
    async function pollOnce(): Promise<BuildResult | undefined> {
        const hosts = await api.hostInstances(s.groups);
        for (const h of hosts) runHosts.add(h.instanceId);
        for (const group of s.groups) {
            for (const a of await api.scalingActivities(group)) {
                const launched = LAUNCHED.exec(a.description);
                if (launched) runHosts.add(launched[1]);
            }
        }
        for (const line of await logs.next()) say(line);

        const recorded = await runResult(api, s, runHosts);
        if (recorded) return await finish(api, s, recorded, say);


        const host = hosts.find(live);
        if (!host && runHosts.size > 0 && await api.desiredCapacity(s.groups) === 0) {
            // The run's hosts were ended (by its end rule, or by a wait that gave up) without a result: no group
            // will launch another, and waiting would last until the bound.
            throw new BuildFailedError(`the Istio image build's hosts (${[...runHosts].join(", ")}) were ended without a result, ` +
                "and the run launches no other; raise armfarm:buildAttempt (IstioImageBuild attempt) to run the build again", "", s.logLocation);
        }
        if (building && building !== host?.instanceId) {
            say(`host ${building} went away before its build recorded a result (a spot interruption?); ` +
                (host ? `the build runs again on ${host.instanceId}` : "its group launches another, on which the build runs again"));
            building = undefined;
        }
        if (!host) {
            waitingFor = `a host in ${s.groups.join(" or ")}`;
            for (const group of s.groups) {
                const failed = (await api.scalingActivities(group)).find((a) => a.statusCode === "Failed");
                if (failed) sayOnChange(`activity-${group}`, String(failed.startTime.getTime()), `${group} could not launch a host: ${failed.statusMessage ?? failed.description}`);
            }
        } else {
            const where = [host.instanceType, host.zone].filter(Boolean).join(" in ");
            sayOnChange(`host-${host.instanceId}`, host.lifecycleState, `host ${host.instanceId}${where ? ` (${where})` : ""} is ${host.lifecycleState}`);
            waitingFor = `host ${host.instanceId} to boot and register with Systems Manager`;
            if (await api.agentStatus(host.instanceId) === "Online") {
                sayOnChange(`agent-${host.instanceId}`, "Online", `host ${host.instanceId} is Online in Systems Manager; the build's association runs on it`);
                waitingFor = `the build to start on ${host.instanceId}`;
                const run = await api.associationRun(host.instanceId, s.associationId);
                if (run && ENDED.has(run.status)) {
                    // The script records its result before it exits; give Parameter Store one more poll to show it.
                    if (endedWithoutResult?.host !== host.instanceId) endedWithoutResult = { host: host.instanceId, since: io.now() };
                    else if (io.now() - endedWithoutResult.since >= poll) {
                        await endRun(api, s, say);
                        throw new BuildFailedError(`the Istio image build recorded no result: its association ended ${run.status} on ` +
                            `${host.instanceId} (${run.detailedStatus}; ${run.executionSummary})`, "", s.logLocation);
                    }
                } else if (run) {
                    building = host.instanceId;
                    sayOnChange("building", host.instanceId, `the build is running on ${host.instanceId}`);
                    waitingFor = logs.lastStep ? `step ${logs.lastStep} of the build` : "the build's first step";
                }
            }
        }

        if (io.now() >= deadline) {
            await endRun(api, s, say);
            const minutes = Math.round((deadline - start) / 60000);
            throw new BuildFailedError(building
                ? `the Istio image build did not finish within ${minutes} minutes (still waiting for ${waitingFor}); its host was ended`
                : `no host ran the Istio image build within ${minutes} minutes (still waiting for ${waitingFor}); ` +
                  `${await activitySummary(api, s)}; the run's hosts were ended`, "", s.logLocation);
        }
        return undefined;
    }
}

/**
 * The newest result recorded by one of the run's own hosts. A result counts only when the host named in its
 * path created it: its `armfarm:host` tag, which the host role may set to its own instance ARN only, must be
 * that host's ARN. A host of another run cannot write one that passes.
 */
async function runResult(api: BuildApi, s: WaitSettings, runHosts: Set<string>): Promise<{ result: BuildResult; recorded: RecordedResult } | undefined> {
    const results = (await api.recordedResults(s.resultPath))
        .filter((r) => runHosts.has(r.instanceId) && r.hostTag === `${s.instanceArnPrefix}${r.instanceId}`)
        .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
    for (const recorded of results) {
        const result = parseResult(recorded.value);
        if (result) return { result, recorded };
    }
    return undefined;
}

/** Ends the run's hosts, says the result, and returns it or throws its failure. */
async function finish(api: BuildApi, s: WaitSettings, found: { result: BuildResult; recorded: RecordedResult },
    say: (line: string) => void): Promise<BuildResult> {
    const { result } = found;
    await endRun(api, s, say);
    say(`result: ${result.status}: ${result.message} (${result.durationSeconds}s on ${found.recorded.instanceId})`);
    if (result.status !== "succeeded") throw failedBuild(result, s.logLocation);
    return result;
}

async function endRun(api: BuildApi, s: WaitSettings, say: (line: string) => void): Promise<void> {
    try {
        await api.endRun(s.endGroups ?? s.groups);
    } catch (err) {
        say(`could not end the run's hosts (${err instanceof Error ? err.message : String(err)}); the run's end rule ends them when the build ends`);
    }
}

async function activitySummary(api: BuildApi, s: WaitSettings): Promise<string> {
    const latest: string[] = [];
    for (const group of s.groups) {
        const a = (await api.scalingActivities(group))[0];
        latest.push(a ? `${group}: ${a.statusCode}: ${a.statusMessage ?? a.description}` : `${group}: no scaling activity`);
    }
    return `the groups' latest activities: ${latest.join("; ")}`;
}

/** Follows the run's lines in the farm's log group and picks those worth a line of progress. */
class LogFollower {
    private since: number;
    private readonly seen = new Set<string>();
    /** The last step the script announced. */
    lastStep?: string;

    constructor(private readonly api: BuildApi, private readonly group: string, private readonly pattern: string, since: number) {
        this.since = since;
    }

    async next(): Promise<string[]> {
        const lines = await this.api.logLines(this.group, this.pattern, this.since);
        const out: string[] = [];
        for (const line of lines) {
            if (this.seen.has(line.eventId)) continue;
            this.seen.add(line.eventId);
            this.since = Math.max(this.since, line.timestamp);
            // `<time> armfarm-build-<run> <message>`, as istio-build.sh's `log` writes it.
            const message = line.message.replace(/^\S+ armfarm-build-\S+ /, "");
            if (!NOTABLE.test(message)) continue;
            const step = /^step ([\w.-]+):/.exec(message);
            if (step) this.lastStep = step[1];
            out.push(message.length > 200 ? `${message.slice(0, 197)}...` : message);
        }
        return out;
    }
}
