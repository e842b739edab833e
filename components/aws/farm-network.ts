/**
 * The farm's network: its own VPC with one public subnet per zone (zones that offer the farm's instance type),
 * or the given subnets of an existing VPC; and a security group with no ingress at all and egress to HTTPS and
 * HTTP only.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { chooseZones, instanceTypeOfferings, MAX_FARM_ZONES, Offerings, typesOfferedIn, ZoneError } from "./zones";
import { splitCidr } from "../cidr";

export interface NetworkSettings {
    vpcCidr: string;
    /** Cut into four equal blocks, one per zone. */
    subnetCidr: string;
    /** How many zones (and subnets) the farm's own VPC spreads over. */
    zoneCount: number;
    /** Zones to use instead of the first that offer the instance type. */
    zones?: string[];
    /** The farm's instance type, and every type a build's groups may ask for (the type first). */
    instanceType: string;
    candidateTypes: string[];
    /** The x86 type of from-source's amd64 envoy host. */
    amd64InstanceType: string;
}

export interface Network {
    vpcId: pulumi.Output<string>;
    subnetIds: pulumi.Output<string[]>;
    /** The zones of the subnets, in their order. */
    zones: pulumi.Output<string[]>;
    /** The candidate types every one of the zones offers: what the groups may launch anywhere in the farm. */
    instanceTypes: pulumi.Output<string[]>;
    /** The subnets whose zone offers the amd64 type (possibly none). */
    amd64SubnetIds: pulumi.Output<string[]>;
    securityGroupId: pulumi.Output<string>;
}

/** The egress rules of the hosts: HTTPS and HTTP only. Nothing the hosts fetch needs another port. */
export const HOST_EGRESS = [
    { port: 443, description: "HTTPS: git, registries, Go, AWS APIs, Docker's apt repository and key" },
    { port: 80, description: "HTTP: the Ubuntu archive" },
] as const;

export function createNetwork(name: string, s: NetworkSettings & { scope: string }, existingSubnets: pulumi.Input<string>[] | undefined,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): Network {
    const offered = instanceTypeOfferings([...s.candidateTypes, s.amd64InstanceType], opts);
    const own = existingSubnets === undefined ? ownVpc(name, s, offered, tags, opts) : existingVpc(existingSubnets, s, offered, opts);
    const group = new aws.ec2.SecurityGroup(`${name}-hosts`, {
        // The farm's scope and a suffix the provider makes unique: two farms in one VPC keep apart. Pulumi fills
        // no name of its own beside a prefix, which the provider's schema marks as conflicting (pulumi/pulumi-aws#143).
        namePrefix: `${s.scope}-hosts-`,
        vpcId: own.vpcId,
        description: "armfarm build hosts: no ingress (reached through SSM), egress to HTTP(S) only",
        ingress: [],
        egress: HOST_EGRESS.map(({ port, description }) => ({ description, protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] })),
        revokeRulesOnDelete: true,
        tags,
    }, opts);
    return {
        ...own,
        instanceTypes: pulumi.all([offered, own.zones]).apply(([o, zones]) => typesOfferedIn(o, zones, s.candidateTypes)),
        amd64SubnetIds: pulumi.all([offered, own.zones, own.subnetIds]).apply(([o, zones, ids]) =>
            ids.filter((_, i) => (o[s.amd64InstanceType] ?? []).includes(zones[i]))),
        securityGroupId: group.id,
    };
}

/**
 * A VPC of the farm's own: `zoneCount` public subnets, each in its own zone, routed to an internet gateway. A
 * subnet's zone is read from the offerings when it is created, then kept (`ignoreChanges`): AWS offering a type
 * in one more zone later must not replace a subnet.
 */
function ownVpc(name: string, s: NetworkSettings, offered: pulumi.Output<Offerings>, tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions): Omit<Network, "instanceTypes" | "amd64SubnetIds" | "securityGroupId"> {
    const zones = offered.apply((o) => chooseZones(o, s.instanceType, s.zones?.length ?? s.zoneCount, s.zones));
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
        cidrBlock: s.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${name}-vpc` },
    }, opts);
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, opts);
    const routes = new aws.ec2.RouteTable(`${name}-routes`, {
        vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags,
    }, opts);
    const blocks = splitCidr(s.subnetCidr, MAX_FARM_ZONES);
    const subnets: aws.ec2.Subnet[] = [];
    for (const [i, cidrBlock] of blocks.slice(0, s.zones?.length ?? s.zoneCount).entries()) {
        // The first subnet is the farm's single subnet of earlier versions (alias), now a quarter of its block: it
        // is replaced, and AWS refuses a subnet that overlaps one that still exists (InvalidSubnet.Conflict). So
        // the old one goes first (deleteBeforeReplace), and the others come after the new first one.
        const first = i === 0;
        const subnet = new aws.ec2.Subnet(`${name}-subnet-${i}`, {
            vpcId: vpc.id,
            availabilityZone: zones.apply((z) => z[i]),
            cidrBlock,
            mapPublicIpOnLaunch: true,
            tags: { ...tags, Name: `${name}-subnet-${i}` },
        }, {
            ...opts,
            aliases: first ? [{ name: `${name}-subnet` }] : [],
            deleteBeforeReplace: first,
            dependsOn: first ? [] : [subnets[0]],
            ignoreChanges: s.zones ? [] : ["availabilityZone"],
        });
        new aws.ec2.RouteTableAssociation(`${name}-routes-${i}`, { subnetId: subnet.id, routeTableId: routes.id },
            { ...opts, aliases: first ? [{ name: `${name}-routes` }] : [], deleteBeforeReplace: first });
        subnets.push(subnet);
    }
    return {
        vpcId: vpc.id,
        subnetIds: pulumi.all(subnets.map((sn) => sn.id)),
        zones: pulumi.all(subnets.map((sn) => sn.availabilityZone)),
    };
}

/** Subnets of an existing VPC: each must be in a zone that offers the farm's instance type, all in one VPC. */
function existingVpc(subnetIds: pulumi.Input<string>[], s: NetworkSettings, offered: pulumi.Output<Offerings>,
    opts: pulumi.CustomResourceOptions): Omit<Network, "instanceTypes" | "amd64SubnetIds" | "securityGroupId"> {
    const subnets = subnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, opts));
    const checked = pulumi.all([offered, pulumi.all(subnets.map((sn) => pulumi.all([sn.id, sn.availabilityZone, sn.vpcId])))]).apply(([o, found]) => {
        const vpcs = [...new Set(found.map(([, , vpc]) => vpc))];
        if (vpcs.length > 1) throw new ZoneError("subnetIds", `the farm's subnets ${found.map(([id]) => id).join(", ")} are in ${vpcs.length} VPCs (${vpcs.join(", ")}); give subnets of one VPC`);
        const lacking = found.filter(([, zone]) => !(o[s.instanceType] ?? []).includes(zone));
        if (lacking.length > 0) {
            throw new ZoneError("subnetIds", `${lacking.map(([id, zone]) => `subnet ${id} is in ${zone}, which`).join("; ")} does not offer ${s.instanceType}; ` +
                `zones that do: ${(o[s.instanceType] ?? []).join(", ") || "none"}`);
        }
        return found;
    });
    return {
        vpcId: checked.apply((found) => found[0][2]),
        subnetIds: checked.apply((found) => found.map(([id]) => id)),
        zones: checked.apply((found) => found.map(([, zone]) => zone)),
    };
}
