import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { isGravitonInstanceType } from "../arch";
import {
    BUILD_HOST_TAG, ecrLifecyclePolicy, ISTIO_IMAGES, LOG_RETENTION_DAYS, MIN_BUILD_VOLUME_GIB, UBUNTU_RELEASES,
    UBUNTU_ROOT_DEVICE, ubuntuArm64AmiParameter,
} from "./farm-data";
import { renderUserData } from "./user-data";
import { AwsContext, awsContext } from "./context";

export interface GravitonBuildFarmArgs {
    /** Graviton (arm64) instance type of the build hosts. Default `m6g.4xlarge`. */
    instanceType?: string;
    /** Size of each host's encrypted gp3 root volume, in GiB. Default 200; at least 100. */
    rootVolumeGiB?: number;
    /** Run build hosts on spot, spread over same-size Graviton generations, with an on-demand fallback. Default false. */
    spot?: boolean;
    /** Ubuntu LTS release of the hosts' AMI. Default `24.04`. */
    ubuntuRelease?: string;
    /** An existing subnet (with a route to the internet) to launch hosts in. Default: the farm builds its own VPC. */
    subnetId?: pulumi.Input<string>;
    /** CIDR of the farm's own VPC. Default `10.40.0.0/16`. */
    vpcCidr?: string;
    /** CIDR of the farm's own subnet, inside the VPC. Default `10.40.0.0/24`. */
    subnetCidr?: string;
    /** ECR namespace of the repositories; the hub is `<registry>/<prefix>`. Default `istio`. */
    repositoryPrefix?: string;
    /** Istio images to hold, one ECR repository each. Default pilot, proxyv2, install-cni, ztunnel. */
    repositories?: string[];
    /** Days CloudWatch keeps the hosts' logs. Default 30. */
    logRetentionDays?: number;
    /** Protect the repositories and keep them, with their images, when the stack is destroyed. Default true. */
    keepRepositories?: boolean;
    /** Extra tags for every resource. Default none. */
    tags?: Record<string, string>;
}

/**
 * A Graviton build farm: network without ingress, a host role scoped to the farm's own repositories and log
 * group, ECR repositories for the Istio images, and a launch template for arm64 Ubuntu build hosts. Hosts are
 * launched per build (IstioImageBuild) and reached through SSM only.
 */
export class GravitonBuildFarm extends pulumi.ComponentResource {
    /** The registry host, such as `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
    public readonly registry: pulumi.Output<string>;
    /** The hub images are pushed under: `<registry>/<repositoryPrefix>` (Istio's `global.hub`). */
    public readonly hub: pulumi.Output<string>;
    /** Repository URL by image name. */
    public readonly repositoryUrls: pulumi.Output<Record<string, string>>;
    /** Repository ARN by image name. */
    public readonly repositoryArns: pulumi.Output<Record<string, string>>;
    public readonly launchTemplateId: pulumi.Output<string>;
    public readonly launchTemplateVersion: pulumi.Output<number>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly logGroupArn: pulumi.Output<string>;
    public readonly hostRoleArn: pulumi.Output<string>;
    public readonly hostRoleName: pulumi.Output<string>;
    public readonly subnetId: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** The images the farm holds a repository for, in the order given. */
    public readonly repositoryNames: string[];
    /** The hosts' instance type and whether they run on spot, for the builds that launch them. */
    public readonly instanceType: string;
    public readonly spot: boolean;
    /** The partition, region and account the farm is in, read once for the farm and its builds. */
    public readonly context: AwsContext;
    /** The tags every farm resource and host carries (`armfarm:farm` names the farm). */
    public readonly tags: Record<string, string>;

    constructor(name: string, args: GravitonBuildFarmArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:aws:GravitonBuildFarm", name, args, opts);
        const settings = validate(args);
        this.instanceType = settings.instanceType;
        this.spot = settings.spot;
        this.repositoryNames = [...settings.repositories];
        this.tags = { ...args.tags, "armfarm:farm": name, "managed-by": "pulumi" };

        const parent = { parent: this };
        this.context = awsContext(parent);
        const network = createNetwork(name, settings, args.subnetId, this.tags, parent);
        const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/armfarm/${name}`,
            retentionInDays: settings.logRetentionDays,
            tags: this.tags,
        }, parent);
        const repositories = createRepositories(name, settings, this.tags, this);
        const role = createHostRole(name, logs, Object.values(repositories), this.context, this.tags, parent);
        const template = createLaunchTemplate(name, settings, role.profile, network.securityGroupId, logs, this.context, this.tags, parent);

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
        this.subnetId = network.subnetId;
        this.securityGroupId = network.securityGroupId;
        this.registerOutputs({
            registry: this.registry, hub: this.hub, repositoryUrls: this.repositoryUrls,
            launchTemplateId: this.launchTemplateId, logGroupName: this.logGroupName,
        });
    }
}

type Settings = Required<Omit<GravitonBuildFarmArgs, "subnetId" | "tags">>;

function mapValues<T, U>(record: Record<string, T>, fn: (v: T) => U): Record<string, U> {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

/** Applies defaults and refuses what would build a broken farm, naming the argument and what is accepted. */
function validate(args: GravitonBuildFarmArgs): Settings {
    const s: Settings = {
        instanceType: args.instanceType ?? "m6g.4xlarge",
        rootVolumeGiB: args.rootVolumeGiB ?? 200,
        spot: args.spot ?? false,
        ubuntuRelease: args.ubuntuRelease ?? "24.04",
        vpcCidr: args.vpcCidr ?? "10.40.0.0/16",
        subnetCidr: args.subnetCidr ?? "10.40.0.0/24",
        repositoryPrefix: args.repositoryPrefix ?? "istio",
        repositories: args.repositories ?? ISTIO_IMAGES.slice(0, 4),
        logRetentionDays: args.logRetentionDays ?? 30,
        keepRepositories: args.keepRepositories ?? true,
    };
    if (!isGravitonInstanceType(s.instanceType)) {
        invalid("instanceType", `${JSON.stringify(s.instanceType)} is not an arm64 Graviton instance type (for example m6g.4xlarge)`);
    }
    if (!Number.isInteger(s.rootVolumeGiB) || s.rootVolumeGiB < MIN_BUILD_VOLUME_GIB) {
        invalid("rootVolumeGiB", `${s.rootVolumeGiB} GiB is too small for an Istio build; use at least ${MIN_BUILD_VOLUME_GIB}`);
    }
    if (!UBUNTU_RELEASES[s.ubuntuRelease]) {
        invalid("ubuntuRelease", `${JSON.stringify(s.ubuntuRelease)} is not one of ${Object.keys(UBUNTU_RELEASES).join(", ")}`);
    }
    const unknown = s.repositories.filter((r) => !ISTIO_IMAGES.includes(r));
    if (unknown.length > 0 || s.repositories.length === 0) {
        invalid("repositories", `${JSON.stringify(s.repositories)} must name one or more of ${ISTIO_IMAGES.join(", ")}`);
    }
    if (!LOG_RETENTION_DAYS.includes(s.logRetentionDays)) {
        invalid("logRetentionDays", `${s.logRetentionDays} is not one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return s;
}

interface Network {
    subnetId: pulumi.Output<string>;
    securityGroupId: pulumi.Output<string>;
}

/**
 * The farm's own VPC with one public subnet and an internet gateway, or the VPC of the given subnet; and a
 * security group with no ingress at all and egress to HTTPS and HTTP only (git, registries, Go and apt).
 */
function createNetwork(name: string, s: Settings, existingSubnet: pulumi.Input<string> | undefined,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): Network {
    let vpcId: pulumi.Output<string>;
    let subnetId: pulumi.Output<string>;
    if (existingSubnet !== undefined) {
        subnetId = pulumi.output(existingSubnet);
        vpcId = aws.ec2.getSubnetOutput({ id: subnetId }, opts).vpcId;
    } else {
        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: s.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${name}-vpc` },
        }, opts);
        const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, opts);
        const subnet = new aws.ec2.Subnet(`${name}-subnet`, {
            vpcId: vpc.id, cidrBlock: s.subnetCidr, mapPublicIpOnLaunch: true, tags: { ...tags, Name: `${name}-subnet` },
        }, opts);
        const routes = new aws.ec2.RouteTable(`${name}-routes`, {
            vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags,
        }, opts);
        new aws.ec2.RouteTableAssociation(`${name}-routes`, { subnetId: subnet.id, routeTableId: routes.id }, opts);
        vpcId = vpc.id;
        subnetId = subnet.id;
    }
    const group = new aws.ec2.SecurityGroup(`${name}-hosts`, {
        vpcId,
        description: "armfarm build hosts: no ingress (reached through SSM), egress to HTTP(S) only",
        ingress: [],
        egress: [443, 80].map((port) => ({
            description: port === 443 ? "HTTPS: git, registries, Go, AWS APIs" : "HTTP: Ubuntu archive",
            protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"],
        })),
        revokeRulesOnDelete: true,
        tags,
    }, opts);
    return { subnetId, securityGroupId: group.id };
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

/** The policy document of the host role: logs to the farm's group, pushes to the farm's repositories. */
export function hostPolicyDocument(logGroupArn: string, repositoryArns: string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteFarmLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [logGroupArn, `${logGroupArn}:log-stream:*`],
            },
            {
                // GetAuthorizationToken acts on the registry, not on a repository: AWS accepts only "*" here.
                Sid: "EcrLogin",
                Effect: "Allow",
                Action: ["ecr:GetAuthorizationToken"],
                Resource: "*",
            },
            {
                Sid: "PushFarmRepositories",
                Effect: "Allow",
                Action: [
                    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                    "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload",
                    "ecr:PutImage", "ecr:UploadLayerPart",
                ],
                Resource: repositoryArns,
            },
        ],
    });
}

function createHostRole(name: string, logs: aws.cloudwatch.LogGroup, repositories: aws.ecr.Repository[],
    context: AwsContext, tags: Record<string, string>, opts: pulumi.CustomResourceOptions) {
    const role = new aws.iam.Role(`${name}-host`, {
        description: "armfarm build hosts: SSM management, farm logs, pushes to the farm's repositories",
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
    }, opts);
    new aws.iam.RolePolicyAttachment(`${name}-host-ssm`, {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${context.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    }, opts);
    new aws.iam.RolePolicy(`${name}-host`, {
        role: role.id,
        policy: pulumi.all([logs.arn, ...repositories.map((r) => r.arn)]).apply(([logArn, ...repoArns]) => hostPolicyDocument(logArn, repoArns)),
    }, opts);
    const profile = new aws.iam.InstanceProfile(`${name}-host`, { role: role.name, tags }, opts);
    return { role, profile };
}

function createLaunchTemplate(name: string, s: Settings, profile: aws.iam.InstanceProfile,
    securityGroupId: pulumi.Output<string>, logs: aws.cloudwatch.LogGroup, context: AwsContext,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions): aws.ec2.LaunchTemplate {
    const hostTags = { ...tags, [BUILD_HOST_TAG.key]: BUILD_HOST_TAG.value };
    return new aws.ec2.LaunchTemplate(`${name}-hosts`, {
        description: `armfarm build hosts: Ubuntu ${s.ubuntuRelease} arm64 on ${s.instanceType}`,
        // EC2 resolves the public parameter at each launch, so hosts always boot Canonical's current arm64
        // image and the template does not change (and show a diff) whenever Canonical publishes one.
        imageId: `resolve:ssm:${ubuntuArm64AmiParameter(s.ubuntuRelease)}`,
        instanceType: s.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        instanceInitiatedShutdownBehavior: "terminate",
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
        // No subnet here: the group that launches a build's host names it (`vpcZoneIdentifiers`), as Auto
        // Scaling expects; the interface carries the security group and the public address for egress.
        networkInterfaces: [{ securityGroups: [securityGroupId], associatePublicIpAddress: "true", deleteOnTermination: "true" }],
        blockDeviceMappings: [{
            deviceName: UBUNTU_ROOT_DEVICE,
            ebs: { volumeSize: s.rootVolumeGiB, volumeType: "gp3", iops: 3000, throughput: 250, encrypted: "true", deleteOnTermination: "true" },
        }],
        monitoring: { enabled: true },
        userData: pulumi.all([context.region, logs.name]).apply(([r, logGroupName]) =>
            Buffer.from(renderUserData({ region: r, logGroupName, ubuntuRelease: s.ubuntuRelease })).toString("base64")),
        tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: hostTags })),
        updateDefaultVersion: true,
        tags,
    }, opts);
}
