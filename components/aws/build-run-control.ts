/**
 * What moves one build run's hosts, so that no host holds rights over any run: EventBridge rules that start
 * SSM Automation runbooks, under roles scoped to this run alone.
 * - The end: when the build's association ends on a host (Success or Failed), a runbook terminates that host
 *   and lowers its group's capacity, so nothing replaces it. It runs whether or not anyone still waits.
 * - The spot fallback (spot runs): when the spot group cannot get spot capacity, a runbook gives the run's
 *   on-demand group its host and stops the spot group's retries.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AwsContext } from "./context";
import { ASSOCIATION_END_STATES } from "./build-wait/api";

/** The names of one run's groups: the one that launches its host, and the on-demand standby of a spot run. */
export interface RunGroups {
    spot: string;
    onDemand: string;
    /** From-source's x86 envoy host. */
    amd64: string;
}

/**
 * The event the agent's state change for one association on one host raises. Source: AWS Systems Manager User
 * Guide, "Amazon EventBridge event examples for Systems Manager" (awsdocs/aws-systems-manager-user-guide
 * doc_source/monitoring-systems-manager-event-examples.md): detail-type "EC2 State Manager Instance Association
 * State Change", with `association-id`, `instance-id` and `status` in its detail.
 */
export function associationEndedPattern(associationIds: string[]): string {
    return JSON.stringify({
        source: ["aws.ssm"],
        "detail-type": ["EC2 State Manager Instance Association State Change"],
        detail: { "association-id": associationIds, status: [...ASSOCIATION_END_STATES] },
    });
}

/**
 * Auto Scaling's messages for a spot request it cannot fill. Source: Amazon EC2 Auto Scaling User Guide,
 * "Troubleshoot Amazon EC2 Auto Scaling: EC2 instance launch failures" (awsdocs/amazon-ec2-auto-scaling-user-guide
 * doc_source/ts-as-instancelaunchfailure.md): "There is no Spot capacity available that matches your request."
 * and "Your Spot request price of ... is lower than the minimum required Spot request fulfillment price of ...".
 * Other failures (an unsupported zone or type, a quota, an instance profile not yet visible) are not a shortage
 * of spot capacity, and on-demand would fail the same way.
 */
export const SPOT_CAPACITY_MESSAGES: readonly string[] = [
    "*There is no Spot capacity available that matches your request*",
    "*Spot request price of * is lower than the minimum required Spot request fulfillment price*",
];

/**
 * The event Auto Scaling sends when the run's spot group fails to launch for want of spot capacity. Source:
 * Amazon EC2 Auto Scaling User Guide, "Amazon EventBridge events for Auto Scaling" (`EC2 Instance Launch
 * Unsuccessful`, whose detail carries `AutoScalingGroupName` and `StatusMessage`); EventBridge content filtering
 * matches a string field with `wildcard` patterns on an event bus (EventBridge User Guide, "Comparison
 * operators").
 */
export function spotRefusedPattern(groupName: string): string {
    return JSON.stringify({
        source: ["aws.autoscaling"],
        "detail-type": ["EC2 Instance Launch Unsuccessful"],
        detail: { AutoScalingGroupName: [groupName], StatusMessage: SPOT_CAPACITY_MESSAGES.map((wildcard) => ({ wildcard })) },
    });
}

/** The runbook (Automation schema 0.3) that ends a host whose build has ended, and keeps it from being replaced. */
export function endRunbook(automationRoleArn: string): string {
    return JSON.stringify({
        schemaVersion: "0.3",
        description: "armfarm: the build on this host has ended; terminate the host and lower its group's capacity",
        assumeRole: automationRoleArn,
        parameters: { InstanceId: { type: "String", description: "The build host whose association ended" } },
        mainSteps: [{
            name: "endHost",
            action: "aws:executeAwsApi",
            inputs: { Service: "autoscaling", Api: "TerminateInstanceInAutoScalingGroup", InstanceId: "{{ InstanceId }}", ShouldDecrementDesiredCapacity: true },
        }],
    }, null, 2);
}

/** The runbook (Automation schema 0.3) that moves a spot run's host to on-demand: one host there, none on spot. */
export function fallbackRunbook(args: { groups: RunGroups; automationRoleArn: string }): string {
    const setCapacity = (stepName: string, group: string, capacity: number) => ({
        name: stepName,
        action: "aws:executeAwsApi",
        inputs: { Service: "autoscaling", Api: "SetDesiredCapacity", AutoScalingGroupName: group, DesiredCapacity: capacity },
    });
    return JSON.stringify({
        schemaVersion: "0.3",
        description: "armfarm: a build's spot host could not launch; launch it on demand instead",
        assumeRole: args.automationRoleArn,
        mainSteps: [setCapacity("launchOnDemand", args.groups.onDemand, 1), setCapacity("stopSpot", args.groups.spot, 0)],
    }, null, 2);
}

/**
 * A service role whose trust is limited to this account and to the given source ARNs, against the confused
 * deputy. Sources: AWS Systems Manager User Guide, "Cross-service confused deputy prevention" (Automation:
 * `aws:SourceAccount` and `aws:SourceArn` of `automation-execution/*`); Amazon EventBridge User Guide,
 * "Cross-service confused deputy prevention" ("the value of aws:SourceArn must be the rule ARN").
 */
export function serviceTrustPolicy(service: string, account: string, sourceArns: string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": sourceArns } },
        }],
    });
}

export interface RunControl {
    /** What a run's groups must wait for: the rules, their targets and every role policy they use. */
    ready: pulumi.Resource[];
}

/**
 * The run's end rule (always) and spot fallback (spot runs), with their roles. Groups are named, not passed as
 * resources, so the groups can be created after all of this: no launch or end goes unheard.
 */
export function createRunControl(name: string, args: {
    runId: string;
    /** The stem of the run's names (build-data.ts, `runStem`). */
    stem: string;
    groups: RunGroups;
    spot: boolean;
    /** From-source: the run also has an x86 envoy host. */
    envoyAmd64: boolean;
    associationIds: pulumi.Output<string>[];
    context: AwsContext;
    tags: Record<string, string>;
}, opts: pulumi.CustomResourceOptions): RunControl {
    const { partition, region, accountId: account } = args.context;
    const prefix = args.stem;
    const arn = (service: string, resource: pulumi.Input<string>) => pulumi.interpolate`arn:${partition}:${service}:${region}:${account}:${resource}`;
    // A group's ARN holds a generated id; IAM matches it by name.
    const groupArn = (group: string) => arn("autoscaling", `autoScalingGroup:*:autoScalingGroupName/${group}`);
    const groups = [args.groups.spot, ...(args.spot ? [args.groups.onDemand] : []), ...(args.envoyAmd64 ? [args.groups.amd64] : [])];
    const rules = { end: `${prefix}-end`, spotRefused: `${prefix}-spot-refused` };
    const ruleNames = args.spot ? [rules.end, rules.spotRefused] : [rules.end];

    const automationRole = new aws.iam.Role(`${name}-run-automation`, {
        name: `${prefix}-automation`,
        description: `armfarm: ends the hosts of build run ${args.runId}${args.spot ? " and moves it to on-demand" : ""}`,
        assumeRolePolicy: pulumi.all([account, arn("ssm", "automation-execution/*")]).apply(([a, execution]) =>
            serviceTrustPolicy("ssm.amazonaws.com", a, [execution])),
        tags: args.tags,
    }, opts);
    const automationPolicy = new aws.iam.RolePolicy(`${name}-run-automation`, {
        role: automationRole.id,
        policy: pulumi.all(groups.map(groupArn)).apply((arns) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "EndThisRunsHosts", Effect: "Allow", Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"], Resource: arns },
                // The fallback moves only the Graviton host between its spot and on-demand groups.
                ...(args.spot ? [{ Sid: "MoveThisRun", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: arns.slice(0, 2) }] : []),
            ],
        })),
    }, opts);

    const runbooks = {
        end: new aws.ssm.Document(`${name}-run-end`, {
            name: `${prefix}-end`,
            documentType: "Automation",
            documentFormat: "JSON",
            content: automationRole.arn.apply(endRunbook),
            tags: args.tags,
        }, opts),
        fallback: args.spot ? new aws.ssm.Document(`${name}-run-fallback`, {
            name: `${prefix}-spot-fallback`,
            documentType: "Automation",
            documentFormat: "JSON",
            content: automationRole.arn.apply((automationRoleArn) => fallbackRunbook({ groups: args.groups, automationRoleArn })),
            tags: args.tags,
        }, opts) : undefined,
    };
    const definition = (doc: aws.ssm.Document) => arn("ssm", pulumi.interpolate`automation-definition/${doc.name}`);
    const definitions = [runbooks.end, ...(runbooks.fallback ? [runbooks.fallback] : [])].map(definition);

    const eventsRole = new aws.iam.Role(`${name}-run-events`, {
        name: `${prefix}-events`,
        description: `armfarm: starts the runbooks of build run ${args.runId}`,
        assumeRolePolicy: pulumi.all([account, ...ruleNames.map((r) => arn("events", `rule/${r}`))]).apply(([a, ...ruleArns]) =>
            serviceTrustPolicy("events.amazonaws.com", a, ruleArns)),
        tags: args.tags,
    }, opts);
    const eventsPolicy = new aws.iam.RolePolicy(`${name}-run-events`, {
        role: eventsRole.id,
        policy: pulumi.all([pulumi.all(definitions), automationRole.arn]).apply(([defs, automationRoleArn]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "StartThisRunsRunbooks", Effect: "Allow", Action: ["ssm:StartAutomationExecution"], Resource: defs.map((d) => `${d}:*`) },
                {
                    Sid: "PassAutomationRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: [automationRoleArn],
                    Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                },
            ],
        })),
    }, opts);

    const endRule = new aws.cloudwatch.EventRule(`${name}-run-end`, {
        name: rules.end,
        description: `armfarm: the build of run ${args.runId} has ended on a host`,
        eventPattern: pulumi.all(args.associationIds).apply(associationEndedPattern),
        tags: args.tags,
    }, opts);
    const endTarget = new aws.cloudwatch.EventTarget(`${name}-run-end`, {
        rule: endRule.name,
        arn: pulumi.interpolate`${definition(runbooks.end)}:$DEFAULT`,
        roleArn: eventsRole.arn,
        // An Automation target takes the runbook's parameters, each a list of strings.
        inputTransformer: { inputPaths: { instance: "$.detail.instance-id" }, inputTemplate: "{\"InstanceId\":[<instance>]}" },
    }, opts);
    const ready: pulumi.Resource[] = [automationPolicy, eventsPolicy, endRule, endTarget];

    if (runbooks.fallback) {
        const refusedRule = new aws.cloudwatch.EventRule(`${name}-spot-refused`, {
            name: rules.spotRefused,
            description: `armfarm: the spot host of build run ${args.runId} could not launch for want of spot capacity`,
            eventPattern: spotRefusedPattern(args.groups.spot),
            tags: args.tags,
        }, opts);
        const refusedTarget = new aws.cloudwatch.EventTarget(`${name}-spot-refused`, {
            rule: refusedRule.name,
            arn: pulumi.interpolate`${definition(runbooks.fallback)}:$DEFAULT`,
            roleArn: eventsRole.arn,
            // The runbook takes no parameters; without an input, EventBridge would pass the whole event as its
            // parameters, which Automation refuses (they must be lists of strings).
            input: "{}",
        }, opts);
        ready.push(refusedRule, refusedTarget);
    }
    return { ready };
}
