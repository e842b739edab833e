import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { gravitonEquivalents, isGravitonInstanceType, isX86InstanceType, x86TwinOf } from "../arch";
import { ECR_NAMESPACE, ECR_NAMESPACE_ACCEPTED, ecrLifecyclePolicy, ISTIO_IMAGES, LOG_RETENTION_DAYS, MAX_GP3_VOLUME_GIB, MIN_BUILD_VOLUME_GIB, UBUNTU_RELEASES } from "./farm-data";
import { tagsProblem } from "./tags";
import { AwsContext, awsContext } from "./context";
import { createNetwork } from "./farm-network";
import { createHostRole, createLaunchTemplate } from "./farm-hosts";
import { defaultNamePrefix, namePrefixProblem, scopedName } from "../names";
import { MAX_FARM_ZONES } from "./zones";
import { createBuildCache } from "./farm-cache";
import { BuildFarm, FarmCore, farmCoreOf } from "./farm-core";
import { cidrContains, isIpv4Cidr } from "../cidr";

export interface GravitonBuildFarmArgs {
    /**
     * Stem of the farm's names unique in the account and region: the log group `/<prefix>/<name>`, the results
     * under `/<prefix>/<name>/builds`, the Docker Hub parameter, the host role and instance profile
     * `<prefix>-<name>-host`, and the ECR namespace's default. Default `armfarm-<stack>`.
     */
    namePrefix?: string;
    /** Graviton (arm64) instance type of the build hosts. Default `m6g.4xlarge`. */
    instanceType?: string;
    /** x86 instance type of from-source's amd64 envoy host. Default: the x86 type of the same class and size (m6g.16xlarge → m6i.16xlarge). */
    amd64InstanceType?: string;
    /** Days the build cache (envoy tarballs, bazel's cache) keeps an object. Default 30. */
    cacheExpiryDays?: number;
    /** Size of each host's encrypted gp3 root volume, in GiB. Default 200; at least 100. */
    rootVolumeGiB?: number;
    /** Run build hosts on spot, spread over same-size Graviton generations, with an on-demand fallback. Default false. */
    spot?: boolean;
    /** Ubuntu LTS release of the hosts' AMI. Default `24.04`. */
    ubuntuRelease?: string;
    /** Existing subnets (of one VPC, with a route to the internet) to launch hosts in. Default: the farm builds its own VPC. */
    subnetIds?: pulumi.Input<string>[];
    /**
     * Give hosts a public IPv4 address (their only way out in the farm's own VPC, which has no NAT gateway).
     * Default: true in the farm's own VPC; with `subnetIds`, what each subnet sets for launches (`MapPublicIpOnLaunch`),
     * so a private subnet behind a NAT gateway gives none.
     */
    assignPublicIp?: boolean;
    /** CIDR of the farm's own VPC. Default `10.40.0.0/16`. */
    vpcCidr?: string;
    /** CIDR of the farm's own subnets, inside the VPC, cut into four blocks (one per zone); at most a /26. Default `10.40.0.0/24`. */
    subnetCidr?: string;
    /** How many zones the farm's own VPC spreads its subnets over, 1 to 4: the first zones that offer the instance type. Default 3. */
    zoneCount?: number;
    /** The zones of the farm's own subnets, instead of the first `zoneCount` that offer the instance type. Default none. */
    availabilityZones?: string[];
    /** ECR namespace of the repositories; the hub is `<registry>/<prefix>`. Default `<namePrefix>/istio`; `istio` for a hub without the stack in its name. */
    repositoryPrefix?: string;
    /** Istio images to hold, one ECR repository each. Default pilot, proxyv2, install-cni, ztunnel. */
    repositories?: string[];
    /** Days CloudWatch keeps the hosts' logs. Default 30. */
    logRetentionDays?: number;
    /** Protect the repositories and keep them, with their images, when the stack is destroyed. Default true. */
    keepRepositories?: boolean;
    /**
     * Manage the region's registry-level scanning configuration (basic scan on push for the farm's repositories),
     * which AWS favours over the repository-level setting it is deprecating. It replaces the whole configuration
     * of the account's registry in the region, so only where this stack owns it. Default false.
     */
    manageRegistryScanning?: boolean;
    /**
     * A Docker Hub account the hosts log in with, for more than the anonymous pull limit (mirrors, base images).
     * Kept as a SecureString parameter that only the hosts read; `token` must be a secret. Default none.
     */
    dockerHubCredential?: { username: pulumi.Input<string>; token: pulumi.Input<string> };
    /** Extra tags for every resource. Default none. */
    tags?: Record<string, string>;
}

/**
 * A Graviton build farm: a network without ingress over several zones, a host role scoped to the farm's own
 * repositories, log group and results, ECR repositories for the Istio images, and a launch template for arm64
 * Ubuntu build hosts. Hosts are launched per build (IstioImageBuild) and reached through SSM only.
 */
export class GravitonBuildFarm extends pulumi.ComponentResource implements BuildFarm {
    /** The partition, region and account the farm is in. */
    public readonly partition: pulumi.Output<string>;
    public readonly region: pulumi.Output<string>;
    public readonly accountId: pulumi.Output<string>;
    /** The registry host, such as `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
    public readonly registry: pulumi.Output<string>;
    /** The ECR namespace of the farm's repositories. */
    public readonly repositoryPrefix: string;
    /** The hub images are pushed under: `<registry>/<repositoryPrefix>` (Istio's `global.hub`). */
    public readonly hub: pulumi.Output<string>;
    /** Repository URL by image name. */
    public readonly repositoryUrls: pulumi.Output<Record<string, string>>;
    /** Repository ARN by image name. */
    public readonly repositoryArns: pulumi.Output<Record<string, string>>;
    public readonly launchTemplateId: pulumi.Output<string>;
    public readonly launchTemplateVersion: pulumi.Output<number>;
    /** The launch template of from-source's amd64 envoy hosts, its version, type and subnets (those whose zone offers the type). */
    public readonly amd64LaunchTemplateId: pulumi.Output<string>;
    public readonly amd64LaunchTemplateVersion: pulumi.Output<number>;
    public readonly amd64InstanceType: string;
    public readonly amd64SubnetIds: pulumi.Output<string[]>;
    /** The build cache bucket. */
    public readonly cacheBucketName: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly logGroupArn: pulumi.Output<string>;
    public readonly hostRoleArn: pulumi.Output<string>;
    public readonly hostRoleName: pulumi.Output<string>;
    public readonly instanceProfileArn: pulumi.Output<string>;
    /** The hosts' root volume, in GiB. */
    public readonly rootVolumeGiB: number;
    /** The subnets hosts launch in, one per zone, and their zones. */
    public readonly subnetIds: pulumi.Output<string[]>;
    public readonly zones: pulumi.Output<string[]>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** The images the farm holds a repository for, in the order given. */
    public readonly repositoryNames: string[];
    /** The hosts' instance type and whether they run on spot, for the builds that launch them. */
    public readonly instanceType: string;
    public readonly spot: boolean;
    /**
     * The types a spot build may ask for: the farm's type and its same-size Graviton equivalents, those that every
     * zone of the farm offers.
     */
    public readonly spotInstanceTypes: pulumi.Output<string[]>;
    /** The parameter that holds the Docker Hub credential, when the farm has one. */
    public readonly dockerHubParameterName?: pulumi.Output<string>;
    /** Where builds record their results (`<root>/<build>/<run>/<instance id>`): `/<namePrefix>/<name>/builds`. */
    public readonly resultRoot: string;
    /** The partition, region and account the farm is in, read once for the farm and its builds. */
    public readonly context: AwsContext;
    /** The tags every farm resource and host carries (`armfarm:farm` names the farm). */
    public readonly tags: Record<string, string>;
    /** What a build's hosts must wait for: the host role's policies, so a host never boots without its rights. */
    public readonly hostRoleReady: pulumi.Resource[];
    /** All that a build needs of the farm, as one value for other stacks (the stack output `farmCore`). */
    public readonly core: pulumi.Output<FarmCore>;

    constructor(name: string, args: GravitonBuildFarmArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:aws:GravitonBuildFarm", name, { ...args, dockerHubCredential: undefined }, opts);
        const settings = validate(args);
        const stem = `/${settings.namePrefix}/${name}`;
        this.resultRoot = `${stem}/builds`;
        this.instanceType = settings.instanceType;
        this.spot = settings.spot;
        this.rootVolumeGiB = settings.rootVolumeGiB;
        this.repositoryPrefix = settings.repositoryPrefix;
        this.repositoryNames = [...settings.repositories];
        this.tags = { ...args.tags, "armfarm:farm": name, "managed-by": "pulumi" };

        const parent = { parent: this };
        this.context = awsContext(parent);
        ({ partition: this.partition, region: this.region, accountId: this.accountId } = this.context);
        const candidateTypes = settings.spot ? gravitonEquivalents(settings.instanceType) : [settings.instanceType];
        const scope = `${settings.namePrefix}-${name}`;
        const network = createNetwork(name, { ...settings, candidateTypes, scope }, args.subnetIds, this.tags, parent);
        const cache = createBuildCache(name, { scope, expiryDays: settings.cacheExpiryDays, tags: this.tags }, parent);
        const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: stem,
            retentionInDays: settings.logRetentionDays,
            tags: this.tags,
        }, parent);
        const repositories = createRepositories(name, settings, this.tags, this);
        if (settings.manageRegistryScanning) createRegistryScanning(name, settings.repositoryPrefix, parent);
        const dockerHub = args.dockerHubCredential && createDockerHubCredential(name, `${stem}/dockerhub`, args.dockerHubCredential, this.tags, parent);
        const role = createHostRole(name, {
            roleName: hostRoleName(settings.namePrefix, name), resultRoot: this.resultRoot,
            logs, repositories: Object.values(repositories), dockerHubParameterArn: dockerHub?.arn, cacheBucketArn: cache.bucket.arn,
            context: this.context, tags: this.tags,
        }, parent);
        const hostArgs = { scope, profile: role.profile, securityGroupId: network.securityGroupId, logs, context: this.context, tags: this.tags };
        const template = createLaunchTemplate(name, settings, hostArgs, parent);
        const amd64Template = createLaunchTemplate(name, { ...settings, instanceType: settings.amd64InstanceType, arch: "amd64" }, hostArgs, parent);

        this.registry = pulumi.interpolate`${this.context.accountId}.dkr.ecr.${this.context.region}.amazonaws.com`;
        this.hub = pulumi.interpolate`${this.registry}/${settings.repositoryPrefix}`;
        this.repositoryUrls = pulumi.output(mapValues(repositories, (r) => r.repositoryUrl));
        this.repositoryArns = pulumi.output(mapValues(repositories, (r) => r.arn));
        this.launchTemplateId = template.id;
        this.launchTemplateVersion = template.latestVersion;
        this.logGroupName = logs.name;
        this.logGroupArn = logs.arn;
        this.hostRoleArn = role.role.arn;
        this.hostRoleName = role.role.name;
        this.instanceProfileArn = role.profile.arn;
        this.hostRoleReady = [...role.policies, ...cache.ready];
        this.amd64LaunchTemplateId = amd64Template.id;
        this.amd64LaunchTemplateVersion = amd64Template.latestVersion;
        this.amd64InstanceType = settings.amd64InstanceType;
        this.amd64SubnetIds = network.amd64SubnetIds;
        this.cacheBucketName = cache.bucket.bucket;
        this.subnetIds = network.subnetIds;
        this.zones = network.zones;
        this.securityGroupId = network.securityGroupId;
        this.spotInstanceTypes = network.instanceTypes;
        this.dockerHubParameterName = dockerHub?.name;
        this.core = farmCoreOf(this);
        this.registerOutputs({
            registry: this.registry, hub: this.hub, repositoryUrls: this.repositoryUrls,
            launchTemplateId: this.launchTemplateId, logGroupName: this.logGroupName,
            subnetIds: this.subnetIds, zones: this.zones, spotInstanceTypes: this.spotInstanceTypes,
            amd64LaunchTemplateId: this.amd64LaunchTemplateId, cacheBucketName: this.cacheBucketName,
        });
    }
}

/** The farm's host role (and instance profile) name: `<namePrefix>-<farm>-host`, within IAM's 64 characters. */
export function hostRoleName(namePrefix: string, farmName: string): string {
    return scopedName(`${namePrefix}-${farmName}`, "host", 64);
}

type Settings = Required<Omit<GravitonBuildFarmArgs, "subnetIds" | "tags" | "availabilityZones" | "dockerHubCredential" | "assignPublicIp">> &
    { zones?: string[]; assignPublicIp?: boolean };

function mapValues<T, U>(record: Record<string, T>, fn: (v: T) => U): Record<string, U> {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

/** Applies defaults and refuses what would build a broken farm, naming the argument and what is accepted. */
function validate(args: GravitonBuildFarmArgs): Settings {
    const instanceType = args.instanceType ?? "m6g.4xlarge";
    const namePrefix = args.namePrefix ?? defaultNamePrefix(pulumi.getStack());
    const prefixProblem = namePrefixProblem(namePrefix, { aws: true });
    if (prefixProblem) invalid("namePrefix", prefixProblem);
    const s: Settings = {
        namePrefix,
        instanceType,
        // Checked below: a Graviton type without an x86 twin needs amd64InstanceType.
        amd64InstanceType: args.amd64InstanceType ?? x86TwinOf(instanceType) ?? "",
        cacheExpiryDays: args.cacheExpiryDays ?? 30,
        rootVolumeGiB: args.rootVolumeGiB ?? 200,
        spot: args.spot ?? false,
        ubuntuRelease: args.ubuntuRelease ?? "24.04",
        vpcCidr: args.vpcCidr ?? "10.40.0.0/16",
        subnetCidr: args.subnetCidr ?? "10.40.0.0/24",
        zoneCount: args.zoneCount ?? args.availabilityZones?.length ?? 3,
        zones: args.availabilityZones,
        // Unset with given subnets: the subnet decides.
        assignPublicIp: args.assignPublicIp ?? (args.subnetIds === undefined ? true : undefined),
        repositoryPrefix: args.repositoryPrefix ?? `${namePrefix}/istio`,
        repositories: args.repositories ?? ISTIO_IMAGES.slice(0, 4),
        logRetentionDays: args.logRetentionDays ?? 30,
        keepRepositories: args.keepRepositories ?? true,
        manageRegistryScanning: args.manageRegistryScanning ?? false,
    };
    if (!isGravitonInstanceType(s.instanceType)) {
        invalid("instanceType", `${JSON.stringify(s.instanceType)} is not an arm64 Graviton instance type (for example m6g.4xlarge)`);
    }
    if (args.amd64InstanceType === undefined && isGravitonInstanceType(s.instanceType) && s.amd64InstanceType === "") {
        invalid("amd64InstanceType", `is not given, and ${JSON.stringify(s.instanceType)} has no x86 type of the same class and size; name one, such as m6i.16xlarge`);
    }
    if (!isX86InstanceType(s.amd64InstanceType)) {
        invalid("amd64InstanceType", `${JSON.stringify(s.amd64InstanceType)} is not an x86 instance type armfarm knows (for example m6i.16xlarge)`);
    }
    if (!Number.isInteger(s.cacheExpiryDays) || s.cacheExpiryDays < 1) invalid("cacheExpiryDays", `${s.cacheExpiryDays} is not a number of days of 1 or more`);
    if (!Number.isInteger(s.rootVolumeGiB) || s.rootVolumeGiB < MIN_BUILD_VOLUME_GIB) {
        invalid("rootVolumeGiB", `${s.rootVolumeGiB} GiB is too small for an Istio build; use at least ${MIN_BUILD_VOLUME_GIB}`);
    }
    if (s.rootVolumeGiB > MAX_GP3_VOLUME_GIB) invalid("rootVolumeGiB", `${s.rootVolumeGiB} GiB is larger than a gp3 volume can be (${MAX_GP3_VOLUME_GIB})`);
    if (!UBUNTU_RELEASES[s.ubuntuRelease]) {
        invalid("ubuntuRelease", `${JSON.stringify(s.ubuntuRelease)} is not one of ${Object.keys(UBUNTU_RELEASES).join(", ")}`);
    }
    if (!Number.isInteger(s.zoneCount) || s.zoneCount < 1 || s.zoneCount > MAX_FARM_ZONES) {
        invalid("zoneCount", `${s.zoneCount} is not a number of zones from 1 to ${MAX_FARM_ZONES}`);
    }
    if (s.zones && (s.zones.length === 0 || s.zones.length > MAX_FARM_ZONES || new Set(s.zones).size !== s.zones.length)) {
        invalid("availabilityZones", `${JSON.stringify(s.zones)} must name 1 to ${MAX_FARM_ZONES} distinct zones`);
    }
    if (args.subnetIds === undefined && !isIpv4Cidr(s.vpcCidr)) invalid("vpcCidr", `${JSON.stringify(s.vpcCidr)} is not an IPv4 block such as 10.40.0.0/16`);
    if (args.subnetIds === undefined && isIpv4Cidr(s.vpcCidr) && isIpv4Cidr(s.subnetCidr) && !cidrContains(s.vpcCidr, s.subnetCidr)) {
        invalid("subnetCidr", `${JSON.stringify(s.subnetCidr)} is not inside vpcCidr ${JSON.stringify(s.vpcCidr)}; give a block within it`);
    }
    if (args.subnetIds === undefined && (!isIpv4Cidr(s.subnetCidr) || Number(s.subnetCidr.split("/")[1]) > 26)) {
        invalid("subnetCidr", `${JSON.stringify(s.subnetCidr)} is not an IPv4 block of /26 or larger, which the farm cuts into ${MAX_FARM_ZONES} subnets`);
    }
    if (args.assignPublicIp === false && args.subnetIds === undefined) {
        invalid("assignPublicIp", "is false, but the farm's own VPC has no NAT gateway, so hosts could reach no registry; give subnetIds of private subnets behind a NAT gateway");
    }
    if (args.subnetIds !== undefined && args.subnetIds.length === 0) invalid("subnetIds", "is empty; give one or more subnets, or leave it unset for the farm's own VPC");
    if (!ECR_NAMESPACE.test(s.repositoryPrefix)) invalid("repositoryPrefix", `${JSON.stringify(s.repositoryPrefix)} is not accepted; expected ${ECR_NAMESPACE_ACCEPTED}`);
    const tagProblem = tagsProblem(args.tags ?? {});
    if (tagProblem) invalid("tags", tagProblem);
    const unknown = s.repositories.filter((r) => !ISTIO_IMAGES.includes(r));
    if (unknown.length > 0 || s.repositories.length === 0) {
        invalid("repositories", `${JSON.stringify(s.repositories)} must name one or more of ${ISTIO_IMAGES.join(", ")}`);
    }
    if (!LOG_RETENTION_DAYS.includes(s.logRetentionDays)) {
        invalid("logRetentionDays", `${s.logRetentionDays} is not one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return s;
}

/**
 * The hosts' Docker Hub credential: a SecureString parameter (encrypted with the account's `aws/ssm` key), whose
 * value is a Pulumi secret, so it is in clear neither in state nor in any document.
 */
function createDockerHubCredential(name: string, parameterName: string, credential: { username: pulumi.Input<string>; token: pulumi.Input<string> },
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.ssm.Parameter {
    return new aws.ssm.Parameter(`${name}-dockerhub`, {
        name: parameterName,
        description: "armfarm build hosts: the Docker Hub account they log in with (username and access token, JSON)",
        type: "SecureString",
        value: pulumi.secret(pulumi.all([credential.username, credential.token]).apply(([username, token]) => JSON.stringify({ username, token }))),
        tags,
    }, opts);
}

/**
 * Basic scanning on push for the farm's repositories, set at the registry level. Source: Amazon ECR API Reference,
 * PutImageScanningConfiguration ("being deprecated, in favor of specifying the image scanning configuration at
 * the registry level"), and PutRegistryScanningConfiguration (rules of a scan frequency and wildcard repository
 * filters). The repositories keep their own scan-on-push setting too, which ECR ignores under a registry-level rule.
 */
function createRegistryScanning(name: string, prefix: string, opts: pulumi.CustomResourceOptions): aws.ecr.RegistryScanningConfiguration {
    return new aws.ecr.RegistryScanningConfiguration(`${name}-scanning`, {
        scanType: "BASIC",
        rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: `${prefix}/*`, filterType: "WILDCARD" }] }],
    }, opts);
}

/** One ECR repository per image: immutable tags, scan on push, a lifecycle policy that spares index children. */
function createRepositories(name: string, s: Settings, tags: Record<string, string>, parent: pulumi.Resource): Record<string, aws.ecr.Repository> {
    const repositories: Record<string, aws.ecr.Repository> = {};
    for (const image of s.repositories) {
        const repo = new aws.ecr.Repository(`${name}-${image}`, {
            name: `${s.repositoryPrefix}/${image}`,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "AES256" }],
            forceDelete: false,
            tags: { ...tags, "armfarm:image": image },
        }, { parent, protect: s.keepRepositories, retainOnDelete: s.keepRepositories });
        new aws.ecr.LifecyclePolicy(`${name}-${image}`, { repository: repo.name, policy: ecrLifecyclePolicy() }, { parent });
        repositories[image] = repo;
    }
    return repositories;
}

