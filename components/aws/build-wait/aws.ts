/**
 * The build's wait, answered by AWS itself through the AWS SDK, with the credentials of whoever runs
 * `pulumi up` (the SDK's default chain: environment, AWS_PROFILE, SSO, web identity), in the farm's region.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
    DescribeInstanceAssociationsStatusCommand, DescribeInstanceInformationCommand, GetParametersByPathCommand, ListTagsForResourceCommand, SSMClient,
} from "@aws-sdk/client-ssm";
import { AssociationRun, BuildApi, GroupsNotFoundError, HostInstance, LogLine, RecordedResult, ScalingActivity } from "./api";
import { RESULT_HOST_TAG } from "./result";

/** Log pages read per poll at most; the rest comes with the next poll. */
const MAX_LOG_PAGES = 10;

/** The clients the wait sends its requests with (a spec gives its own). */
export interface WaitClients {
    autoscaling: Pick<AutoScalingClient, "send">;
    ssm: Pick<SSMClient, "send">;
    logs: Pick<CloudWatchLogsClient, "send">;
}

export function awsClients(region: string): WaitClients {
    const common = { region, maxAttempts: 5 };
    return { autoscaling: new AutoScalingClient(common), ssm: new SSMClient(common), logs: new CloudWatchLogsClient(common) };
}

export function awsBuildApi({ autoscaling, ssm, logs }: WaitClients): BuildApi {
    return {
        async hostInstances(groups: readonly string[]): Promise<HostInstance[]> {
            const out = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...groups] }));
            const found = new Set((out.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName));
            const missing = groups.filter((g) => !found.has(g));
            if (missing.length > 0) throw new GroupsNotFoundError(missing);
            return (out.AutoScalingGroups ?? []).flatMap((g) => (g.Instances ?? []).map((i) => ({
                instanceId: i.InstanceId ?? "", group: g.AutoScalingGroupName ?? "", lifecycleState: i.LifecycleState ?? "",
                instanceType: i.InstanceType, zone: i.AvailabilityZone,
            })));
        },
        async desiredCapacity(groups: readonly string[]): Promise<number> {
            const out = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...groups] }));
            return (out.AutoScalingGroups ?? []).reduce((n, g) => n + (g.DesiredCapacity ?? 0), 0);
        },
        async scalingActivities(group: string): Promise<ScalingActivity[]> {
            const out = await autoscaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: group, MaxRecords: 20 }));
            return (out.Activities ?? []).map((a) => ({
                statusCode: a.StatusCode ?? "", description: a.Description ?? "", statusMessage: a.StatusMessage, startTime: a.StartTime ?? new Date(0),
            }));
        },
        async agentStatus(instanceId: string): Promise<string | undefined> {
            const out = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [instanceId] }] }));
            return out.InstanceInformationList?.[0]?.PingStatus;
        },
        async associationRun(instanceId: string, associationId: string): Promise<AssociationRun | undefined> {
            const out = await ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: instanceId }));
            const info = out.InstanceAssociationStatusInfos?.find((i) => i.AssociationId === associationId);
            return info && { status: info.Status ?? "", detailedStatus: info.DetailedStatus ?? "", executionSummary: info.ExecutionSummary ?? "" };
        },
        async recordedResults(path: string): Promise<RecordedResult[]> {
            const results: RecordedResult[] = [];
            let token: string | undefined;
            do {
                const out = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: false, NextToken: token }));
                for (const p of out.Parameters ?? []) {
                    const name = p.Name ?? "";
                    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: name }));
                    results.push({
                        instanceId: name.slice(name.lastIndexOf("/") + 1), value: p.Value ?? "",
                        hostTag: tags.TagList?.find((t) => t.Key === RESULT_HOST_TAG)?.Value, lastModified: p.LastModifiedDate ?? new Date(0),
                    });
                }
                token = out.NextToken;
            } while (token);
            return results;
        },
        async logLines(logGroupName: string, filterPattern: string, sinceMs: number): Promise<LogLine[]> {
            const lines: LogLine[] = [];
            let token: string | undefined;
            for (let page = 0; page < MAX_LOG_PAGES; page++) {
                const out = await logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern, startTime: sinceMs, nextToken: token }));
                for (const e of out.events ?? []) lines.push({ eventId: e.eventId ?? "", timestamp: e.timestamp ?? 0, message: e.message ?? "" });
                token = out.nextToken;
                if (!token) break;
            }
            return lines.sort((a, b) => a.timestamp - b.timestamp);
        },
        async endRun(groups: readonly string[]): Promise<void> {
            for (const group of groups) {
                await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: group, DesiredCapacity: 0 }));
            }
        },
    };
}
