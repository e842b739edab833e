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
 * same-size equivalents of other Graviton generations (price-capacity-optimized), and a second group of the
 * same run stands by on-demand with no host: when the spot group reports a failed launch, the fallback
 * (build-fallback.ts) gives the on-demand group its host and stops the spot group. Either host carries the
 * run tag, so the association runs the build on whichever comes up. A spot interruption mid-build makes the
 * spot group launch a replacement, which the association runs the build on.
 */
/** The names of a run's groups: the one that launches its host, and the on-demand standby of a spot run. */
export function hostGroupNames(name: string, runId: string) {
    return { spot: `armfarm-${name}-${runId}`, onDemand: `armfarm-${name}-${runId}-on-demand` };
}

export function createBuildHost(name: string, runId: string, farm: GravitonBuildFarm,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    return hostGroup(`${name}-host`, hostGroupNames(name, runId).spot, runId, farm,
        farm.spot ? { types: gravitonEquivalents(farm.instanceType), spot: true, desired: 1 } : { types: [farm.instanceType], spot: false, desired: 1 },
        tags, opts);
}

/** The on-demand group a spot run falls back to: the farm's instance type, no host until the fallback asks. */
export function createOnDemandStandby(name: string, runId: string, farm: GravitonBuildFarm,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    return hostGroup(`${name}-host-on-demand`, hostGroupNames(name, runId).onDemand, runId, farm,
        { types: [farm.instanceType], spot: false, desired: 0 }, tags, opts);
}

function hostGroup(resourceName: string, groupName: string, runId: string, farm: GravitonBuildFarm,
    capacity: { types: string[]; spot: boolean; desired: number }, tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    return new aws.autoscaling.Group(resourceName, {
        name: groupName,
        minSize: 0,
        maxSize: 1,
        desiredCapacity: capacity.desired,
        vpcZoneIdentifiers: [farm.subnetId],
        mixedInstancesPolicy: {
            launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: farm.launchTemplateId, version: pulumi.interpolate`${farm.launchTemplateVersion}` },
                overrides: capacity.types.map((instanceType) => ({ instanceType })),
            },
            instancesDistribution: {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: capacity.spot ? 0 : 100,
                onDemandAllocationStrategy: "prioritized",
                spotAllocationStrategy: "price-capacity-optimized",
            },
        },
        // The build's association waits for the host; the group does not wait for it to be InService.
        waitForCapacityTimeout: "0",
        healthCheckType: "EC2",
        tags: Object.entries({ ...tags, [BUILD_HOST_TAG.key]: BUILD_HOST_TAG.value, [BUILD_RUN_TAG]: runId, Name: groupName })
            .map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    }, {
        ...opts,
        // The host sets desired capacity to 0 when its build is done, and the spot fallback moves it between
        // the run's groups: that is the run's own state, not drift.
        ignoreChanges: ["desiredCapacity"],
    });
}

/** The host policy of one build: end its own host, record its result under its own parameter path. */
export function buildHostPolicyDocument(args: { groupArns: string[]; resultParameterArn: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EndOwnHost",
                Effect: "Allow",
                Action: ["autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: args.groupArns,
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

export function createBuildHostPolicy(name: string, farm: GravitonBuildFarm, groups: aws.autoscaling.Group[],
    resultPath: string, opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
    const { partition, region, accountId: account } = farm.context;
    return new aws.iam.RolePolicy(`${name}-host`, {
        role: farm.hostRoleName,
        policy: pulumi.all([pulumi.all(groups.map((g) => g.arn)), partition, region, account]).apply(([groupArns, p, r, a]) =>
            buildHostPolicyDocument({ groupArns, resultParameterArn: `arn:${p}:ssm:${r}:${a}:parameter${resultPath}` })),
    }, opts);
}
