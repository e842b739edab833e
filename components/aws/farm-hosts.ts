/**
 * What every build host is: the host role (Systems Manager, the farm's logs, pushes to the farm's repositories,
 * its own build results), its instance profile, and the launch template of hardened arm64 Ubuntu hosts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { BUILD_HOST_TAG, ENVOY_AMD64_HOST_ROLE, UBUNTU_ROOT_DEVICE, ubuntuAmiParameter } from "./farm-data";
import { HostArch, renderUserData } from "./user-data";
import { AwsContext } from "./context";
import { RESULT_HOST_TAG } from "./build-wait/result";

/** What a host needs of a repository to check, copy and push images (and read back what it pushed). */
export const ECR_PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
    "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload",
    "ecr:PutImage", "ecr:UploadLayerPart",
] as const;

export interface HostPolicyArgs {
    logGroupArn: string;
    repositoryArns: string[];
    /** `arn:<partition>:ssm:<region>:<account>:parameter`, the prefix of every parameter ARN of the farm. */
    parameterArnPrefix: string;
    /** Where builds record their results: `<root>/<build>/<run>/<instance id>`, one String parameter per host. */
    resultRoot: string;
    /** The parameter that holds a Docker Hub credential for the hosts, if the farm has one. */
    dockerHubParameterArn?: string;
    /** The build cache bucket's ARN. */
    cacheBucketArn: string;
}

/**
 * The policy document of the host role: logs to the farm's group, pushes to the farm's repositories, and the
 * host's own build results. A host may create a result parameter, never overwrite one, and tag it only with its
 * own instance ARN (`${ec2:SourceInstanceARN}`, the ARN of the instance whose role made the request, used as a
 * policy variable as AWS's own AWSElasticDisasterRecoveryEc2InstancePolicy does). The build's wait accepts a
 * result only from a host of its own run whose tag is that host's ARN, so no host can record the result of
 * another run. A host may still create an untagged parameter under the results, which the wait ignores: at worst
 * it takes a name another host's result needs and fails that run, among hosts of one farm; whether PutParameter
 * itself takes an `aws:RequestTag` condition, which would close that, is not in the sources read here.
 */
export function hostPolicyDocument(a: HostPolicyArgs): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteFarmLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [a.logGroupArn, `${a.logGroupArn}:log-stream:*`],
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
                Action: [...ECR_PUSH_ACTIONS],
                Resource: a.repositoryArns,
            },
            {
                Sid: "RecordBuildResult",
                Effect: "Allow",
                Action: ["ssm:PutParameter"],
                Resource: `${a.parameterArnPrefix}${a.resultRoot}/*`,
            },
            {
                // An existing result is never changed: `ssm:Overwrite`, the Parameter Store condition key of
                // PutParameter (Systems Manager User Guide, "Preventing changes to existing parameters using
                // ssm:Overwrite").
                Sid: "NeverOverwriteAResult",
                Effect: "Deny",
                Action: ["ssm:PutParameter"],
                Resource: `${a.parameterArnPrefix}${a.resultRoot}/*`,
                Condition: { StringEquals: { "ssm:Overwrite": "true" } },
            },
            {
                // The tags of a PutParameter are authorized as ssm:AddTagsToResource: the only tag a host may give
                // is `armfarm:host` with its own instance ARN.
                Sid: "TagResultAsItsOwnHost",
                Effect: "Allow",
                Action: ["ssm:AddTagsToResource"],
                Resource: `${a.parameterArnPrefix}${a.resultRoot}/*`,
                Condition: {
                    StringEquals: { [`aws:RequestTag/${RESULT_HOST_TAG}`]: "${ec2:SourceInstanceARN}" },
                    "ForAllValues:StringEquals": { "aws:TagKeys": [RESULT_HOST_TAG] },
                },
            },
            {
                // envoy tarballs and bazel-remote's cache (farm-cache.ts); nothing else of S3.
                Sid: "UseBuildCache",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject"],
                Resource: `${a.cacheBucketArn}/*`,
            },
            {
                Sid: "ListBuildCache",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: a.cacheBucketArn,
            },
            ...(a.dockerHubParameterArn ? [{
                Sid: "ReadDockerHubCredential",
                Effect: "Allow",
                Action: ["ssm:GetParameter"],
                Resource: a.dockerHubParameterArn,
            }] : []),
        ],
    });
}

export function createHostRole(name: string, args: {
    /** The role's and the instance profile's name, unique in the account. */
    roleName: string;
    resultRoot: string;
    logs: aws.cloudwatch.LogGroup;
    repositories: aws.ecr.Repository[];
    dockerHubParameterArn?: pulumi.Output<string>;
    cacheBucketArn: pulumi.Output<string>;
    context: AwsContext;
    tags: Record<string, string>;
}, opts: pulumi.CustomResourceOptions) {
    const { partition, region, accountId } = args.context;
    const role = new aws.iam.Role(`${name}-host`, {
        name: args.roleName,
        description: "armfarm build hosts: SSM management, farm logs, pushes to the farm's repositories, their own results",
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: args.tags,
    }, opts);
    const core = new aws.iam.RolePolicyAttachment(`${name}-host-ssm`, {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    }, opts);
    const policy = new aws.iam.RolePolicy(`${name}-host`, {
        role: role.id,
        policy: pulumi.all([args.logs.arn, pulumi.all(args.repositories.map((r) => r.arn)), partition, region, accountId, args.dockerHubParameterArn, args.cacheBucketArn])
            .apply(([logGroupArn, repositoryArns, p, r, a, dockerHubParameterArn, cacheBucketArn]) => hostPolicyDocument({
                logGroupArn, repositoryArns, parameterArnPrefix: `arn:${p}:ssm:${r}:${a}:parameter`, resultRoot: args.resultRoot, dockerHubParameterArn, cacheBucketArn,
            })),
    }, opts);
    const profile = new aws.iam.InstanceProfile(`${name}-host`, { name: args.roleName, role: role.name, tags: args.tags }, opts);
    return { role, profile, policies: [core, policy] };
}

export interface TemplateSettings {
    instanceType: string;
    rootVolumeGiB: number;
    ubuntuRelease: string;
    /** The hosts' architecture. Default arm64. */
    arch?: HostArch;
    /** A public IPv4 address for each host; undefined: the subnet's own setting. */
    assignPublicIp?: boolean;
}

/**
 * A launch template of build hosts: the same hardening for either architecture (IMDSv2 with a hop limit of 1,
 * no ingress, an encrypted root volume, SSM only); the arm64 one is `<farm>-hosts`, the amd64 one `<farm>-hosts-amd64`.
 */
export function createLaunchTemplate(name: string, s: TemplateSettings, args: {
    /** The farm's scope (`<namePrefix>-<name>`), which starts the template's name. */
    scope: string;
    profile: aws.iam.InstanceProfile;
    securityGroupId: pulumi.Output<string>;
    logs: aws.cloudwatch.LogGroup;
    context: AwsContext;
    tags: Record<string, string>;
}, opts: pulumi.CustomResourceOptions): aws.ec2.LaunchTemplate {
    const arch = s.arch ?? "arm64";
    const hostTags = { ...args.tags, [BUILD_HOST_TAG.key]: arch === "arm64" ? BUILD_HOST_TAG.value : ENVOY_AMD64_HOST_ROLE };
    return new aws.ec2.LaunchTemplate(arch === "arm64" ? `${name}-hosts` : `${name}-hosts-${arch}`, {
        namePrefix: arch === "arm64" ? `${args.scope}-hosts-` : `${args.scope}-hosts-${arch}-`,
        description: `armfarm build hosts: Ubuntu ${s.ubuntuRelease} ${arch} on ${s.instanceType}`,
        // EC2 resolves the public parameter at each launch, so hosts always boot Canonical's current image and the
        // template does not change (and show a diff) whenever Canonical publishes one.
        imageId: `resolve:ssm:${ubuntuAmiParameter(s.ubuntuRelease, arch)}`,
        instanceType: s.instanceType,
        iamInstanceProfile: { arn: args.profile.arn },
        instanceInitiatedShutdownBehavior: "terminate",
        // Tags stay out of instance metadata: nothing on a host reads them there, and with them there a tag key
        // holding a space or `/` (which armfarm:tags takes) fails every launch (EC2 User Guide, "View tags for your
        // EC2 instances using instance metadata": "Non-compliance will result in failed launches for new instances").
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        // No subnet here: the group that launches a build's host names them (`vpcZoneIdentifiers`), as Auto
        // Scaling expects; the interface carries the security group and, when asked, the public address for
        // egress. Left unset, EC2 follows the subnet's MapPublicIpOnLaunch; the provider keeps unset apart from
        // false (hashicorp/terraform-provider-aws internal/service/ec2/ec2_launch_template.go,
        // `associate_public_ip_address`: nullable.TypeNullableBool).
        networkInterfaces: [{
            securityGroups: [args.securityGroupId], deleteOnTermination: "true",
            ...(s.assignPublicIp === undefined ? {} : { associatePublicIpAddress: String(s.assignPublicIp) }),
        }],
        blockDeviceMappings: [{
            deviceName: UBUNTU_ROOT_DEVICE,
            ebs: { volumeSize: s.rootVolumeGiB, volumeType: "gp3", iops: 3000, throughput: 250, encrypted: "true", deleteOnTermination: "true" },
        }],
        monitoring: { enabled: true },
        userData: pulumi.all([args.context.region, args.logs.name]).apply(([region, logGroupName]) =>
            Buffer.from(renderUserData({ region, logGroupName, ubuntuRelease: s.ubuntuRelease, arch })).toString("base64")),
        tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: hostTags })),
        updateDefaultVersion: true,
        tags: args.tags,
    }, opts);
}
