import * as pulumi from "@pulumi/pulumi";
import { isGravitonInstanceType, isX86InstanceType, GRAVITON_FAMILIES, X86_FAMILIES, x86TwinOf } from "../components/arch";
import { MAX_FARM_ZONES } from "../components/aws/zones";
import { UBUNTU_RELEASES, MIN_BUILD_VOLUME_GIB, MAX_GP3_VOLUME_GIB, LOG_RETENTION_DAYS, ISTIO_IMAGES, ECR_NAMESPACE, ECR_NAMESPACE_ACCEPTED } from "../components/aws/farm-data";
import { ConfigReader, show } from "./reader";
import { isIpv4Cidr, cidrContains, IPV4_CIDR_ACCEPTED } from "./formats";

/** The Graviton build farm's settings (keys `armfarm:farm*`). */
export interface FarmConfig {
    instanceType: string;
    /** The x86 type of from-source's amd64 envoy host; undefined means the Graviton type's x86 twin. */
    amd64InstanceType?: string;
    cacheExpiryDays: number;
    rootVolumeGiB: number;
    spot: boolean;
    ubuntuRelease: string;
    /** Existing subnets to launch hosts in; when unset the farm builds its own VPC. */
    subnetIds?: string[];
    /** Whether hosts get a public IPv4 address; undefined: yes in the farm's own VPC, the subnet's setting in given subnets. */
    assignPublicIp?: boolean;
    /** Zones of the farm's own VPC: how many, or which. */
    zoneCount: number;
    availabilityZones?: string[];
    /** A Docker Hub account for the hosts (the token a secret). */
    dockerHub?: { username: string; token: pulumi.Output<string> };
    vpcCidr: string;
    subnetCidr: string;
    /** The ECR namespace; undefined: `<namePrefix>/istio`. */
    repositoryPrefix?: string;
    repositories: string[];
    logRetentionDays: number;
    /** Protect the ECR repositories and keep them (with their images) when the stack is destroyed. */
    keepRepositories: boolean;
    /** Manage the region's registry-level scanning configuration. */
    manageRegistryScanning: boolean;
}

export function readFarmConfig(r: ConfigReader): FarmConfig {
    const instanceType = r.string("farmInstanceType", { default: "m6g.4xlarge" });
    if (instanceType && !isGravitonInstanceType(instanceType)) {
        r.fail("farmInstanceType", `${show(instanceType)} is not an arm64 Graviton instance type; use a type of a Graviton family (${GRAVITON_FAMILIES.join(", ")}), such as m6g.4xlarge`);
    }
    const vpcCidr = r.string("farmVpcCidr", { default: "10.40.0.0/16" });
    const subnetCidr = r.string("farmSubnetCidr", { default: "10.40.0.0/24" });
    for (const [key, value] of [["farmVpcCidr", vpcCidr], ["farmSubnetCidr", subnetCidr]] as const) {
        if (value && !isIpv4Cidr(value)) r.fail(key, `${r.shown(key, value)} is not accepted; expected ${IPV4_CIDR_ACCEPTED}`);
    }
    if (isIpv4Cidr(vpcCidr) && isIpv4Cidr(subnetCidr) && !cidrContains(vpcCidr, subnetCidr)) {
        r.fail("farmSubnetCidr", `${r.shown("farmSubnetCidr", subnetCidr)} is not inside armfarm:farmVpcCidr ${r.shown("farmVpcCidr", vpcCidr)}; use a block within it`);
    }
    const subnetIds = r.stringList("farmSubnetIds", { default: [], pattern: /^subnet-[0-9a-f]{8,17}$/, accepted: "subnet ids such as subnet-0abc12345def67890" });
    if (subnetIds.length === 0 && isIpv4Cidr(subnetCidr) && Number(subnetCidr.split("/")[1]) > 26) {
        r.fail("farmSubnetCidr", `${r.shown("farmSubnetCidr", subnetCidr)} is too small: the farm cuts it into ${MAX_FARM_ZONES} subnets, one per zone; use a /26 or larger`);
    }
    const availabilityZones = r.stringList("farmAvailabilityZones", {
        default: [], pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, accepted: `zone names of aws:region such as us-east-1a, at most ${MAX_FARM_ZONES}`,
    });
    if (availabilityZones.length > MAX_FARM_ZONES) r.fail("farmAvailabilityZones", `${show(availabilityZones)} names more than ${MAX_FARM_ZONES} zones; name at most ${MAX_FARM_ZONES}`);
    if (availabilityZones.length > 0 && subnetIds.length > 0) r.fail("farmAvailabilityZones", `is set beside armfarm:farmSubnetIds; the given subnets decide the zones, so leave it empty`);
    const amd64InstanceType = r.optionalString("farmAmd64InstanceType");
    if (amd64InstanceType !== undefined && !isX86InstanceType(amd64InstanceType)) {
        r.fail("farmAmd64InstanceType", `${show(amd64InstanceType)} is not an x86 instance type; use a type of the ${X86_FAMILIES.join(", ")} families, such as m6i.16xlarge`);
    } else if (amd64InstanceType === undefined && isGravitonInstanceType(instanceType) && x86TwinOf(instanceType) === undefined) {
        r.fail("farmAmd64InstanceType", `is not set, and ${show(instanceType)} (armfarm:farmInstanceType) has no x86 type of the same class and size; name one, such as m6i.16xlarge`);
    }
    // A string, empty by default: the CLI passes a declared default to the program as a set value, and "follow the
    // subnet" is neither true nor false.
    const publicIp = r.optionalString("farmAssignPublicIp", { pattern: /^(true|false)$/, accepted: "true, false, or empty to follow each subnet's setting" });
    const assignPublicIp = publicIp === undefined ? undefined : publicIp === "true";
    if (assignPublicIp === false && subnetIds.length === 0) {
        r.fail("farmAssignPublicIp", "is false, but the farm's own VPC (no armfarm:farmSubnetIds) has no NAT gateway: hosts without a public address could reach no registry; " +
            "leave it unset, or give armfarm:farmSubnetIds of private subnets with a route to a NAT gateway");
    }
    return {
        instanceType,
        amd64InstanceType,
        assignPublicIp,
        cacheExpiryDays: r.integer("farmCacheExpiryDays", { default: 30, min: 1, max: 3650 }),
        rootVolumeGiB: r.integer("farmRootVolumeGiB", { default: 200, min: MIN_BUILD_VOLUME_GIB, max: MAX_GP3_VOLUME_GIB }),
        spot: r.boolean("farmSpot", { default: false }),
        ubuntuRelease: r.string("farmUbuntuRelease", { default: "24.04", oneOf: Object.keys(UBUNTU_RELEASES) }),
        subnetIds: subnetIds.length > 0 ? subnetIds : undefined,
        zoneCount: r.integer("farmZoneCount", { default: 3, min: 1, max: MAX_FARM_ZONES }),
        availabilityZones: availabilityZones.length > 0 ? availabilityZones : undefined,
        vpcCidr,
        subnetCidr,
        repositoryPrefix: r.optionalString("farmRepositoryPrefix", { pattern: ECR_NAMESPACE, accepted: ECR_NAMESPACE_ACCEPTED }),
        repositories: r.stringList("farmRepositories", { default: [...ISTIO_IMAGES.slice(0, 4)], oneOf: ISTIO_IMAGES, minItems: 1 }),
        logRetentionDays: retention(r),
        keepRepositories: r.boolean("farmKeepRepositories", { default: true }),
        manageRegistryScanning: r.boolean("farmManageRegistryScanning", { default: false }),
        dockerHub: dockerHub(r),
    };
}

/** `farmDockerHubUsername` and the secret `farmDockerHubToken`: both or neither. */
function dockerHub(r: ConfigReader): FarmConfig["dockerHub"] {
    const username = r.optionalString("farmDockerHubUsername", { pattern: /^[a-z0-9]{4,30}$/, accepted: "a Docker Hub username (4-30 lowercase letters and digits)" });
    const token = r.optionalSecret("farmDockerHubToken", "a Docker Hub access token");
    if ((username === undefined) !== (token === undefined)) {
        r.fail(username === undefined ? "farmDockerHubUsername" : "farmDockerHubToken",
            `is not set, but armfarm:${username === undefined ? "farmDockerHubToken" : "farmDockerHubUsername"} is; the hosts log in to Docker Hub with both, so set both or neither`);
        return undefined;
    }
    return username && token ? { username, token } : undefined;
}

function retention(r: ConfigReader): number {
    const days = r.integer("farmLogRetentionDays", { default: 30 });
    if (Number.isSafeInteger(days) && !LOG_RETENTION_DAYS.includes(days)) {
        r.fail("farmLogRetentionDays", `${days} is not a retention CloudWatch Logs offers; use one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return days;
}
