/**
 * The host of one build run: an Auto Scaling group of one from the farm's launch template, and the rights the
 * host needs beyond the farm's (ending itself, recording its result).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { gravitonEquivalents } from "../arch";
import { BUILD_HOST_TAG } from "./farm-data";
import { GravitonBuildFarm } from "./farm";

/** The tag that names a build run on its host; the SSM association targets hosts by it. */
export const BUILD_RUN_TAG = "armfarm:build-run";

/**
 * One host for the run. The group's name holds the run id, so a new build key (or attempt) replaces the group
 * and launches a new host, and an unchanged key launches nothing. The host drops the group's desired capacity
 * to 0 when its build ends; `ignoreChanges` keeps that from showing as a diff on the next `up` or refresh.
 *
 * On spot (`farm.spot`), the group asks for spot capacity only, across the farm's instance type and its
 * same-size equivalents of other Graviton generations (price-capacity-optimized). That diversification is the
 * fallback: when no listed type has spot capacity, the group keeps retrying spot and does not switch to
 * on-demand, and the build's association wait times out with that reason in the group's activity history.
 * A spot interruption mid-build makes the group launch a replacement, which the association runs the build on.
 */
export function createBuildHost(name: string, runId: string, farm: GravitonBuildFarm,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    const types = farm.spot ? gravitonEquivalents(farm.instanceType) : [farm.instanceType];
    return new aws.autoscaling.Group(`${name}-host`, {
        name: `armfarm-${name}-${runId}`,
        minSize: 0,
        maxSize: 1,
        desiredCapacity: 1,
        vpcZoneIdentifiers: [farm.subnetId],
        mixedInstancesPolicy: {
            launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: farm.launchTemplateId, version: pulumi.interpolate`${farm.launchTemplateVersion}` },
                overrides: types.map((instanceType) => ({ instanceType })),
            },
            instancesDistribution: {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: farm.spot ? 0 : 100,
                onDemandAllocationStrategy: "prioritized",
                spotAllocationStrategy: "price-capacity-optimized",
            },
        },
        // The build's association waits for the host; the group does not wait for it to be InService.
        waitForCapacityTimeout: "0",
        healthCheckType: "EC2",
        tags: Object.entries({ ...tags, [BUILD_HOST_TAG.key]: BUILD_HOST_TAG.value, [BUILD_RUN_TAG]: runId, Name: `armfarm-${name}-${runId}` })
            .map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    }, {
        ...opts,
        // The host sets desired capacity to 0 when its build is done: that is the end state, not drift.
        ignoreChanges: ["desiredCapacity"],
    });
}

/** The host policy of one build: end its own host, record its result under its own parameter path. */
export function buildHostPolicyDocument(args: { groupArn: string; resultParameterArn: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EndOwnHost",
                Effect: "Allow",
                Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: args.groupArn,
            },
            {
                Sid: "RecordBuildResult",
                Effect: "Allow",
                Action: ["ssm:PutParameter"],
                Resource: `${args.resultParameterArn}/*`,
            },
        ],
    });
}

export function createBuildHostPolicy(name: string, farm: GravitonBuildFarm, group: aws.autoscaling.Group,
    resultPath: string, opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
    const partition = aws.getPartitionOutput({}, opts).partition;
    const region = aws.getRegionOutput({}, opts).name;
    const account = aws.getCallerIdentityOutput({}, opts).accountId;
    return new aws.iam.RolePolicy(`${name}-host`, {
        role: farm.hostRoleName,
        policy: pulumi.all([group.arn, partition, region, account]).apply(([groupArn, p, r, a]) =>
            buildHostPolicyDocument({ groupArn, resultParameterArn: `arn:${p}:ssm:${r}:${a}:parameter${resultPath}` })),
    }, opts);
}
