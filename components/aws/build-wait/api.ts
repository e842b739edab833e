/**
 * What the build's wait asks of AWS, as plain data: the run's hosts (Auto Scaling), their registration with
 * Systems Manager and the state of the build's association on them, the results they recorded, and the build's
 * log lines. `aws.ts` answers it with the AWS SDK; the specs answer it with a fake that behaves as those APIs do.
 */

/**
 * The states in which the agent leaves an association run on a host for good. Source:
 * aws/amazon-ssm-agent@3.3.1142.0 agent/association/processor/processor.go ("Association should only update status
 * when it's Failed, Success, TimedOut, or Skipped as Final status").
 */
export const ASSOCIATION_END_STATES = ["Success", "Failed", "TimedOut", "Skipped"] as const;

/** A host of one of the run's groups. Source: Auto Scaling API, DescribeAutoScalingGroups (`Instances`). */
export interface HostInstance {
    instanceId: string;
    group: string;
    /** Pending, Pending:Wait, InService, Terminating, ... (the group's `LifecycleState`). */
    lifecycleState: string;
    instanceType?: string;
    zone?: string;
}

/** One scaling activity of a group, newest first. Source: Auto Scaling API, DescribeScalingActivities. */
export interface ScalingActivity {
    /** Successful, Failed, Cancelled, InProgress, WaitingForSpotInstanceId, ... */
    statusCode: string;
    /** `Launching a new EC2 instance: i-0123...`, `Terminating EC2 instance: i-0123...`, ... */
    description: string;
    statusMessage?: string;
    startTime: Date;
}

/**
 * The state of the build's association on one host. Source: Systems Manager API,
 * DescribeInstanceAssociationsStatus (`InstanceAssociationStatusInfos`: `Status` Pending, Success or Failed,
 * `DetailedStatus`, `ExecutionSummary`). The agent runs associations itself (amazon-ssm-agent
 * agent/association/processor/processor.go), not as Run Command commands, so there is no command output to read.
 */
export interface AssociationRun {
    status: string;
    detailedStatus: string;
    executionSummary: string;
}

/**
 * A result a host recorded: a Parameter Store parameter under the run's path, named by the host's instance id,
 * with the `armfarm:host` tag its creator had to give it (its own instance ARN; istio-build.sh `record_result`).
 * Source: Systems Manager API, GetParametersByPath and ListTagsForResource.
 */
export interface RecordedResult {
    instanceId: string;
    value: string;
    /** The `armfarm:host` tag, or undefined when the parameter has none. */
    hostTag?: string;
    lastModified: Date;
}

/** A line of the farm's log group. Source: CloudWatch Logs API, FilterLogEvents (`events`). */
export interface LogLine {
    eventId: string;
    timestamp: number;
    message: string;
}

/**
 * The run's groups, asked for by name, are not there. DescribeAutoScalingGroups answers names it does not know by
 * leaving them out, not with an error (Auto Scaling API, DescribeAutoScalingGroups: "If you omit this property,
 * all Auto Scaling groups are described"; a name matches or is absent). The wait starts only after the groups
 * were created, so their absence means the wait asks another account or region than the AWS provider did.
 */
export class GroupsNotFoundError extends Error {
    constructor(readonly missing: readonly string[]) {
        super(`the run's Auto Scaling groups ${missing.join(", ")} are not found with the wait's AWS credentials, though the ` +
            "AWS provider created them: those credentials are of another account or region. The wait uses the AWS SDK's " +
            "default credentials (the environment, AWS_PROFILE, SSO, web identity) and the stack's aws:profile, not " +
            "aws:assumeRoles or keys set in stack config; give the provider's identity in the environment as well, such as " +
            "AWS_PROFILE naming a profile with that role_arn");
        this.name = "GroupsNotFoundError";
    }
}

export interface BuildApi {
    /** The hosts the given groups hold now; throws GroupsNotFoundError when a group is not there. */
    hostInstances(groups: readonly string[]): Promise<HostInstance[]>;
    /** The desired capacity of the given groups, together. */
    desiredCapacity(groups: readonly string[]): Promise<number>;
    /** The latest scaling activities of a group, newest first (Auto Scaling keeps six weeks of them). */
    scalingActivities(group: string): Promise<ScalingActivity[]>;
    /** The host's `PingStatus` in Systems Manager (Online, ConnectionLost, Inactive), or undefined while it is not registered. */
    agentStatus(instanceId: string): Promise<string | undefined>;
    /** The association's state on the host, or undefined while it has not been applied there. */
    associationRun(instanceId: string, associationId: string): Promise<AssociationRun | undefined>;
    /** The results recorded under `path` (one parameter per host). */
    recordedResults(path: string): Promise<RecordedResult[]>;
    /** Log lines matching `filterPattern` since `sinceMs` (inclusive), oldest first. */
    logLines(logGroupName: string, filterPattern: string, sinceMs: number): Promise<LogLine[]>;
    /** Drops the groups' desired capacity to 0, ending their hosts. */
    endRun(groups: readonly string[]): Promise<void>;
}
