/**
 * Where build hosts can run: the availability zones that offer the farm's instance types. AWS does not offer
 * every type in every zone, and a group whose only subnet sits in a zone without its type never gets a host,
 * on spot or on demand. Source: EC2 API Reference, DescribeInstanceTypeOfferings (one offering per instance
 * type and location; filters `instance-type` and `location`), read through `aws.ec2.getInstanceTypeOfferings`,
 * whose `instanceTypes` and `locations` lists are parallel (terraform-provider-aws
 * internal/service/ec2/ec2_instance_type_offerings_data_source.go).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** The zones that offer each instance type. */
export type Offerings = Record<string, string[]>;

/** The most zones a farm spreads over: its subnet CIDR is cut into four equal blocks, one per zone. */
export const MAX_FARM_ZONES = 4;

/** Reads which zones of the provider's region offer each of `types`. */
export function instanceTypeOfferings(types: readonly string[], opts: pulumi.InvokeOutputOptions): pulumi.Output<Offerings> {
    const answer = aws.ec2.getInstanceTypeOfferingsOutput({
        locationType: "availability-zone",
        filters: [{ name: "instance-type", values: [...types] }],
    }, opts);
    return pulumi.all([answer.instanceTypes, answer.locations]).apply(([instanceTypes, locations]) => {
        const offered: Offerings = Object.fromEntries(types.map((t) => [t, []]));
        instanceTypes.forEach((type, i) => offered[type]?.push(locations[i]));
        for (const zones of Object.values(offered)) zones.sort();
        return offered;
    });
}

/**
 * The farm's settings that choose its zones, each with the stack config key it comes from, so that an error names
 * both what a library user set and what a stack sets.
 */
export const ZONE_SETTINGS = {
    availabilityZones: "armfarm:farmAvailabilityZones",
    zoneCount: "armfarm:farmZoneCount",
    subnetIds: "armfarm:farmSubnetIds",
} as const;

/** Thrown when no choice of zones can hold the farm's hosts; the message names the setting and what would work. */
export class ZoneError extends Error {
    constructor(setting: keyof typeof ZONE_SETTINGS, message: string) {
        super(`${setting} (${ZONE_SETTINGS[setting]}): ${message}`);
        this.name = "ZoneError";
    }
}

/**
 * The first `count` zones (by name) that offer `instanceType`, or the zones given, each checked. Fails naming the
 * zones that lack the type and those that have it.
 */
export function chooseZones(offered: Offerings, instanceType: string, count: number, given?: readonly string[]): string[] {
    const zones = offered[instanceType] ?? [];
    if (given && given.length > 0) {
        const lacking = given.filter((z) => !zones.includes(z));
        if (lacking.length > 0) {
            throw new ZoneError("availabilityZones", `${lacking.join(", ")} ${lacking.length === 1 ? "does" : "do"} not offer ${instanceType}; ` +
                `zones of this region that do: ${zones.join(", ") || "none"}`);
        }
        return [...given];
    }
    if (zones.length < count) {
        throw new ZoneError("zoneCount", `the farm spreads its hosts over ${count} zones, but only ${zones.length} of this region offer ${instanceType}` +
            `${zones.length ? ` (${zones.join(", ")})` : ""}; use ${zones.length ? `${zones.length} zones` : "another instance type"}`);
    }
    return zones.slice(0, count);
}

/**
 * The types, among `types`, that every one of `zones` offers, in the given order: the types a build's groups may
 * launch in any of the farm's subnets. The first type (the farm's own) is offered in every chosen zone.
 */
export function typesOfferedIn(offered: Offerings, zones: readonly string[], types: readonly string[]): string[] {
    return types.filter((t) => zones.every((z) => (offered[t] ?? []).includes(z)));
}
