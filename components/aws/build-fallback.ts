/**
 * On-demand fallback for a build run on spot: when the run's spot group reports a failed launch (no spot
 * capacity for any of its instance types), EventBridge starts an SSM Automation that gives the run's on-demand
 * group its host and stops the spot group's retries. Nothing polls and nothing runs while spot works.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { AwsContext } from "./context";

/**
 * The event EC2 Auto Scaling sends when a group fails to launch an instance, such as for want of spot
 * capacity. Source: Amazon EC2 Auto Scaling User Guide, "Amazon EventBridge events for Auto Scaling"
 * (`EC2 Instance Launch Unsuccessful`).
 */
export function launchUnsuccessfulPattern(groupName: string): string {
    return JSON.stringify({
        source: ["aws.autoscaling"],
        "detail-type": ["EC2 Instance Launch Unsuccessful"],
        detail: { AutoScalingGroupName: [groupName] },
    });
}

/** The Automation runbook (schema 0.3): one host on demand, none on spot. */
export function fallbackRunbook(args: { spotGroup: string; onDemandGroup: string; automationRoleArn: string }): string {
    const setCapacity = (stepName: string, group: string, capacity: number) => ({
        name: stepName,
        action: "aws:executeAwsApi",
        inputs: { Service: "autoscaling", Api: "SetDesiredCapacity", AutoScalingGroupName: group, DesiredCapacity: capacity },
    });
    return JSON.stringify({
        schemaVersion: "0.3",
        description: "armfarm: a build's spot host could not launch; launch it on demand instead",
        assumeRole: args.automationRoleArn,
        mainSteps: [
            setCapacity("launchOnDemand", args.onDemandGroup, 1),
            setCapacity("stopSpot", args.spotGroup, 0),
        ],
    }, null, 2);
}

function serviceRole(name: string, service: string, description: string, tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions): aws.iam.Role {
    return new aws.iam.Role(name, {
        description,
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
        }),
        tags,
    }, opts);
}

/**
 * The fallback of one run, given its groups' names. It refers to the groups by name, not as resources, so that
 * the spot group can be created after it: a launch that fails before the rule exists would go unheard.
 */
export function createSpotFallback(name: string, runId: string, groups: { spot: string; onDemand: string },
    context: AwsContext, tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.cloudwatch.EventTarget {
    const { partition, region, accountId: account } = context;
    // A group's ARN holds a generated id; IAM matches it by name.
    const groupArn = (group: string) => pulumi.interpolate`arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/${group}`;

    const automationRole = serviceRole(`${name}-fallback-automation`, "ssm.amazonaws.com",
        "armfarm: moves one build run from its spot group to its on-demand group", tags, opts);
    new aws.iam.RolePolicy(`${name}-fallback-automation`, {
        role: automationRole.id,
        policy: pulumi.all([groupArn(groups.spot), groupArn(groups.onDemand)]).apply(([spotArn, onDemandArn]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "MoveThisRun", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: [spotArn, onDemandArn] }],
        })),
    }, opts);

    const runbook = new aws.ssm.Document(`${name}-fallback`, {
        name: `armfarm-${name}-${runId}-spot-fallback`,
        documentType: "Automation",
        documentFormat: "JSON",
        content: automationRole.arn.apply((automationRoleArn) =>
            fallbackRunbook({ spotGroup: groups.spot, onDemandGroup: groups.onDemand, automationRoleArn })),
        tags,
    }, opts);
    const runbookArn = pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:automation-definition/${runbook.name}`;

    const eventsRole = serviceRole(`${name}-fallback-events`, "events.amazonaws.com",
        "armfarm: starts a build run's spot fallback runbook", tags, opts);
    new aws.iam.RolePolicy(`${name}-fallback-events`, {
        role: eventsRole.id,
        policy: pulumi.all([runbookArn, automationRole.arn]).apply(([definition, automationRoleArn]) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "StartFallback", Effect: "Allow", Action: ["ssm:StartAutomationExecution"], Resource: [`${definition}:*`] },
                {
                    Sid: "PassAutomationRole", Effect: "Allow", Action: ["iam:PassRole"], Resource: [automationRoleArn],
                    Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                },
            ],
        })),
    }, opts);

    const rule = new aws.cloudwatch.EventRule(`${name}-spot-refused`, {
        description: `armfarm: the spot host of build run ${runId} could not launch`,
        eventPattern: launchUnsuccessfulPattern(groups.spot),
        tags,
    }, opts);
    return new aws.cloudwatch.EventTarget(`${name}-spot-refused`, {
        rule: rule.name,
        arn: pulumi.interpolate`${runbookArn}:$DEFAULT`,
        roleArn: eventsRole.arn,
    }, opts);
}
