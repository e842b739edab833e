/**
 * A fake AWS for the build's wait: Auto Scaling groups, Systems Manager (registration, the association's state
 * on each host, Parameter Store with tags), and CloudWatch Logs, on a clock the test moves. It answers as those
 * APIs do, failures included:
 * - a group's host appears some time after launch, Pending then InService, and a launch that fails leaves a
 *   Failed activity with Auto Scaling's own message (Amazon EC2 Auto Scaling User Guide, "Troubleshoot
 *   instance launch failures": "There is no Spot capacity available that matches your request. Launching EC2
 *   instance failed.");
 * - DescribeInstanceInformation lists a host only once its agent has registered;
 * - the association's overview says Success with no target from the start, before any host exists: what
 *   DescribeAssociation answers and what the AWS provider's create returns on (terraform-provider-aws
 *   internal/service/ssm/association.go `statusAssociation`; issue #31175);
 * - the association's state on a host (DescribeInstanceAssociationsStatus) is Pending, then Success or Failed
 *   once the script ended;
 * - a recorded result is a parameter under the run's path named by the host, tagged by whoever created it.
 */
import { AssociationRun, BuildApi, HostInstance, LogLine, RecordedResult, ScalingActivity } from "../components/aws/build-wait/api";

export const ARN_PREFIX = "arn:aws:ec2:us-east-1:123456789012:instance/";
export const RESULT_PATH = "/armfarm/builds/build/abc123def456";
export const ASSOCIATION_ID = "8dfe3659-4309-493a-8755-0123456789ab";

/** What one host does, by minutes after the wait began. */
export interface HostPlan {
    id: string;
    group: string;
    /** Launched (Pending) at this minute. */
    launchAt: number;
    inServiceAt: number;
    /** The agent registers (Online) at this minute; never when undefined. */
    registerAt?: number;
    /** The build starts and logs steps at these minutes. */
    steps?: { at: number; name: string; command: string }[];
    /** The script ends at this minute, recording `result` (undefined: it records nothing). */
    endAt?: number;
    result?: Record<string, unknown>;
    /** The host goes away (a spot interruption) at this minute. */
    goneAt?: number;
}

export class FakeBuildWorld implements BuildApi {
    /** Minutes since the wait began. */
    minute = 0;
    readonly calls: string[] = [];
    readonly ended: string[] = [];
    readonly parameters: { name: string; value: string; tags: Record<string, string>; at: number }[] = [];
    readonly failedLaunches: { group: string; at: number; message: string }[] = [];
    /** Polls at these minutes throw, as a throttled API does. */
    readonly throttledAt = new Set<number>();
    /** The minute the run's desired capacity dropped to 0. */
    private desiredZeroAt?: number;

    constructor(readonly hosts: HostPlan[], readonly start = Date.UTC(2026, 10, 25, 10, 0, 0)) {}

    /** The clock the wait runs on. */
    io(progress: string[]) {
        return {
            now: () => this.start + this.minute * 60_000,
            sleep: async (ms: number) => { this.minute += ms / 60_000; },
            progress: (line: string) => progress.push(line),
        };
    }

    /** DescribeAssociation's `Overview`, as the provider's create reads it: Success, with no host yet. */
    associationOverview() {
        return { status: "Success", detailedStatus: "Success", associationStatusAggregatedCount: {} };
    }

    private alive(h: HostPlan): boolean {
        return this.minute >= h.launchAt && (h.goneAt === undefined || this.minute < h.goneAt) && this.minute < (this.desiredZeroAt ?? Infinity);
    }

    private throttle(call: string) {
        this.calls.push(call);
        if (this.throttledAt.has(Math.round(this.minute * 4) / 4)) {
            const err = new Error("Rate exceeded");
            err.name = "ThrottlingException";
            throw err;
        }
    }

    async hostInstances(groups: readonly string[]): Promise<HostInstance[]> {
        this.throttle("hostInstances");
        return this.hosts.filter((h) => groups.includes(h.group) && this.alive(h)).map((h) => ({
            instanceId: h.id, group: h.group, lifecycleState: this.minute >= h.inServiceAt ? "InService" : "Pending",
            instanceType: "m6g.4xlarge", zone: "us-east-1a",
        }));
    }

    /** The run's groups want a host until the run is ended, or unless the test says they were ended before. */
    endedBefore = false;

    async desiredCapacity(groups: readonly string[]): Promise<number> {
        this.throttle("desiredCapacity");
        return this.endedBefore || this.desiredZeroAt !== undefined ? 0 : groups.length > 0 ? 1 : 0;
    }

    async scalingActivities(group: string): Promise<ScalingActivity[]> {
        this.throttle("scalingActivities");
        const launches = this.hosts.filter((h) => h.group === group && this.minute >= h.launchAt).map((h) => ({
            statusCode: "Successful", description: `Launching a new EC2 instance: ${h.id}`, startTime: new Date(this.start + h.launchAt * 60_000),
        }));
        const failures = this.failedLaunches.filter((f) => f.group === group && this.minute >= f.at).map((f) => ({
            statusCode: "Failed", description: "Launching a new EC2 instance.  Status Reason: " + f.message, statusMessage: f.message,
            startTime: new Date(this.start + f.at * 60_000),
        }));
        return [...launches, ...failures].sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
    }

    async agentStatus(instanceId: string): Promise<string | undefined> {
        this.throttle("agentStatus");
        const h = this.hosts.find((x) => x.id === instanceId);
        return h && this.alive(h) && h.registerAt !== undefined && this.minute >= h.registerAt ? "Online" : undefined;
    }

    async associationRun(instanceId: string, associationId: string): Promise<AssociationRun | undefined> {
        this.throttle("associationRun");
        const h = this.hosts.find((x) => x.id === instanceId);
        if (!h || associationId !== ASSOCIATION_ID || h.registerAt === undefined || this.minute < h.registerAt) return undefined;
        if (h.endAt !== undefined && this.minute >= h.endAt) {
            const ok = (h.result?.status ?? "failed") === "succeeded";
            return { status: ok ? "Success" : "Failed", detailedStatus: ok ? "Success" : "Failed", executionSummary: `1 out of 1 plugin processed, ${ok ? "1 success, 0 failed" : "0 success, 1 failed"}, 0 timedout, 0 skipped. ` };
        }
        return { status: "Pending", detailedStatus: "InProgress", executionSummary: "" };
    }

    async recordedResults(path: string): Promise<RecordedResult[]> {
        this.throttle("recordedResults");
        for (const h of this.hosts) {
            if (h.endAt !== undefined && this.minute >= h.endAt && h.result && !this.parameters.some((p) => p.name === `${RESULT_PATH}/${h.id}`)) {
                this.parameters.push({ name: `${RESULT_PATH}/${h.id}`, value: JSON.stringify({ instanceId: h.id, ...h.result }), tags: { "armfarm:host": `${ARN_PREFIX}${h.id}` }, at: h.endAt });
            }
        }
        return this.parameters.filter((p) => p.name.startsWith(`${path}/`) && this.minute >= p.at).map((p) => ({
            instanceId: p.name.slice(p.name.lastIndexOf("/") + 1), value: p.value, hostTag: p.tags["armfarm:host"], lastModified: new Date(this.start + p.at * 60_000),
        }));
    }

    async logLines(_group: string, pattern: string, sinceMs: number): Promise<LogLine[]> {
        this.throttle("logLines");
        const run = pattern.replace(/"/g, "");
        const lines: LogLine[] = [];
        for (const h of this.hosts) {
            for (const step of h.steps ?? []) {
                const timestamp = this.start + step.at * 60_000;
                if (this.minute < step.at || timestamp < sinceMs) continue;
                const time = new Date(timestamp).toISOString().replace(/\.\d+Z$/, "Z");
                lines.push({ eventId: `${h.id}-${step.at}`, timestamp, message: `${time} ${run} step ${step.name}: ${step.command}` });
                lines.push({ eventId: `${h.id}-${step.at}-out`, timestamp, message: `${time} ${run} ${step.name}: tool output that is not shown` });
            }
        }
        return lines.sort((a, b) => a.timestamp - b.timestamp);
    }

    async endRun(groups: readonly string[]): Promise<void> {
        this.calls.push("endRun");
        this.ended.push(...groups);
        this.desiredZeroAt = this.minute;
    }
}
