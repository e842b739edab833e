/**
 * The hosts of one build run: an Auto Scaling group of one from the farm's launch template, over the farm's
 * subnets, and on spot an on-demand standby group of the same run. Hosts hold no rights over any run: the run's
 * end and its spot fallback are done by the run's own rules and roles (build-run-control.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { BUILD_HOST_TAG, ENVOY_AMD64_HOST_ROLE } from "./farm-data";
import { BuildFarm } from "./farm-core";
import { RunGroups } from "./build-run-control";

/** The tag that names a build run on its host; the SSM association targets hosts by it. */
export const BUILD_RUN_TAG = "armfarm:build-run";

/** The names of a run's groups: the one that launches its host, the on-demand standby of a spot run, the x86 envoy host's. */
export function hostGroupNames(stem: string): RunGroups {
    return { spot: stem, onDemand: `${stem}-on-demand`, amd64: `${stem}-envoy-amd64` };
}

/** The role of from-source's x86 host, in its run tag (`<run>-envoy-amd64`) and its document's name. */
export const ENVOY_AMD64_ROLE = "envoy-amd64";

/**
 * From-source's x86 host: one on-demand host of the farm's amd64 type, from its amd64 launch template, in the
 * farm's subnets whose zone offers that type. It builds amd64 envoy natively beside the Graviton host.
 */
export function createEnvoyAmd64Host(name: string, runId: string, groups: RunGroups, farm: BuildFarm,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    return hostGroup(`${name}-host-${ENVOY_AMD64_ROLE}`, groups.amd64, `${runId}-${ENVOY_AMD64_ROLE}`, farm,
        { types: [farm.amd64InstanceType], spot: false, desired: 1 }, tags, opts,
        {
            launchTemplateId: farm.amd64LaunchTemplateId,
            launchTemplateVersion: farm.amd64LaunchTemplateVersion,
            role: ENVOY_AMD64_HOST_ROLE,
            subnetIds: pulumi.output(farm.amd64SubnetIds).apply((ids) => {
                if (ids.length === 0) throw new Error(`no subnet of the farm is in a zone that offers ${farm.amd64InstanceType} (armfarm:farmAmd64InstanceType); name an x86 type its zones offer`);
                return ids;
            }),
        });
}

/**
 * One host for the run. The group's name holds the run id, so a new build key (or attempt) replaces the group
 * and launches a new host, and an unchanged key launches nothing. The run's end rule drops the group's desired
 * capacity when its build ends; `ignoreChanges` keeps that from showing as a diff on the next `up` or refresh.
 *
 * On spot (`farm.spot`), the group asks for spot capacity only, across the farm's instance type and those of its
 * same-size equivalents of other Graviton generations that every zone of the farm offers (price-capacity-optimized).
 * A spot interruption mid-build makes the group launch a replacement, on which the association runs again.
 */
export function createBuildHost(name: string, runId: string, groups: RunGroups, farm: BuildFarm,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    return hostGroup(`${name}-host`, groups.spot, runId, farm,
        farm.spot ? { types: farm.spotInstanceTypes, spot: true, desired: 1 } : { types: [farm.instanceType], spot: false, desired: 1 },
        tags, opts);
}

/** The on-demand group a spot run falls back to: the farm's instance type, no host until the fallback asks. */
export function createOnDemandStandby(name: string, runId: string, groups: RunGroups, farm: BuildFarm,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.autoscaling.Group {
    return hostGroup(`${name}-host-on-demand`, groups.onDemand, runId, farm,
        { types: [farm.instanceType], spot: false, desired: 0 }, tags, opts);
}

function hostGroup(resourceName: string, groupName: string, runTag: string, farm: BuildFarm,
    capacity: { types: pulumi.Input<string[]>; spot: boolean; desired: number }, tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
    from: { launchTemplateId: pulumi.Input<string>; launchTemplateVersion: pulumi.Input<number>; subnetIds: pulumi.Input<string[]>; role: string } =
        { launchTemplateId: farm.launchTemplateId, launchTemplateVersion: farm.launchTemplateVersion, subnetIds: farm.subnetIds, role: BUILD_HOST_TAG.value },
): aws.autoscaling.Group {
    return new aws.autoscaling.Group(resourceName, {
        name: groupName,
        minSize: 0,
        maxSize: 1,
        desiredCapacity: capacity.desired,
        vpcZoneIdentifiers: from.subnetIds,
        mixedInstancesPolicy: {
            launchTemplate: {
                launchTemplateSpecification: { launchTemplateId: from.launchTemplateId, version: pulumi.interpolate`${from.launchTemplateVersion}` },
                overrides: pulumi.output(capacity.types).apply((types) => types.map((instanceType) => ({ instanceType }))),
            },
            instancesDistribution: {
                onDemandBaseCapacity: 0,
                onDemandPercentageAboveBaseCapacity: capacity.spot ? 0 : 100,
                onDemandAllocationStrategy: "prioritized",
                spotAllocationStrategy: "price-capacity-optimized",
            },
        },
        // The run's wait follows the host; the group does not wait for it to be InService.
        waitForCapacityTimeout: "0",
        healthCheckType: "EC2",
        tags: Object.entries({ ...tags, [BUILD_HOST_TAG.key]: from.role, [BUILD_RUN_TAG]: runTag, Name: groupName })
            .map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    }, {
        ...opts,
        // The run's end rule and its wait drop desired capacity when the build ends, and the spot fallback
        // moves it between the run's groups: that is the run's own state, not drift.
        ignoreChanges: ["desiredCapacity"],
    });
}
