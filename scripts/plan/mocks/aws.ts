import { FAKE_AWS_ACCOUNT, MockTable, stableHex, stackConfig } from "./fake";

const region = () => stackConfig("aws:region", "us-east-1");
const arn = (service: string, resource: string, withRegion = true) =>
    `arn:aws:${service}:${withRegion ? region() : ""}:${FAKE_AWS_ACCOUNT}:${resource}`;
/** The physical name a resource gets: the one given, or the logical name (Pulumi would add a suffix). */
const physical = (name: string, inputs: Record<string, any>) => (inputs.name as string | undefined) ?? name;

/**
 * Which zones offer which Graviton families, for DescribeInstanceTypeOfferings. The shape is the API's; the data
 * is the plan's own example, not a claim about AWS: us-east-1e offers none of these families, and the newest
 * generation is missing from us-east-1b, so that plans show zones being chosen. Other regions offer all in a-c.
 */
const OFFERED_ZONES: Record<string, Record<string, string[]>> = {
    "us-east-1": { default: ["a", "b", "c", "d", "f"], newest: ["a", "c", "d", "f"] },
};
const NEWEST_FAMILIES = /^(m8g|c8g|r8g)[a-z]*\./;

/**
 * DescribeInstanceTypeOfferings with location type `availability-zone`, as `aws.ec2.getInstanceTypeOfferings`
 * returns it: one entry per offered type per zone, in parallel `instanceTypes`, `locations` and `locationTypes`
 * lists; filters `instance-type` (and `location`) narrow it.
 */
export function instanceTypeOfferings(inputs: Record<string, any>) {
    const filter = (name: string) => (inputs.filters as { name: string; values: string[] }[] | undefined)?.find((f) => f.name === name)?.values;
    const types = filter("instance-type") ?? [];
    const locations = filter("location");
    const zones = OFFERED_ZONES[region()] ?? { default: ["a", "b", "c"], newest: ["a", "b", "c"] };
    const entries = types.flatMap((type) => (NEWEST_FAMILIES.test(type) ? zones.newest : zones.default)
        .map((z) => `${region()}${z}`)
        .filter((zone) => !locations || locations.includes(zone))
        .map((zone) => [type, zone]));
    return {
        id: region(), locationType: inputs.locationType ?? "region", filters: inputs.filters,
        instanceTypes: entries.map(([t]) => t), locations: entries.map(([, z]) => z), locationTypes: entries.map(() => "availability-zone"),
    };
}

/** AWS: what the EC2, IAM, ECR, CloudWatch and SSM APIs answer, shaped as the provider returns it. */
export const awsMocks: MockTable = {
    resources: {
        "aws:ec2/vpc:Vpc": (name) => ({ id: `vpc-${stableHex(17, name)}`, arn: arn("ec2", `vpc/vpc-${stableHex(17, name)}`) }),
        "aws:ec2/subnet:Subnet": (name) => ({ id: `subnet-${stableHex(17, name)}`, arn: arn("ec2", `subnet/subnet-${stableHex(17, name)}`) }),
        "aws:ec2/internetGateway:InternetGateway": (name) => ({ id: `igw-${stableHex(17, name)}` }),
        "aws:ec2/routeTable:RouteTable": (name) => ({ id: `rtb-${stableHex(17, name)}` }),
        "aws:ec2/securityGroup:SecurityGroup": (name) => ({ id: `sg-${stableHex(17, name)}`, arn: arn("ec2", `security-group/sg-${stableHex(17, name)}`) }),
        "aws:iam/role:Role": (name, inputs) => ({ arn: arn("iam", `role/${physical(name, inputs)}`, false), name: physical(name, inputs), uniqueId: `AROA${stableHex(17, name).toUpperCase()}` }),
        "aws:iam/instanceProfile:InstanceProfile": (name, inputs) => ({ arn: arn("iam", `instance-profile/${physical(name, inputs)}`, false), name: physical(name, inputs) }),
        "aws:iam/policy:Policy": (name, inputs) => ({ arn: arn("iam", `policy/${physical(name, inputs)}`, false), name: physical(name, inputs) }),
        "aws:ecr/repository:Repository": (name, inputs) => ({
            arn: arn("ecr", `repository/${physical(name, inputs)}`),
            registryId: FAKE_AWS_ACCOUNT,
            repositoryUrl: `${FAKE_AWS_ACCOUNT}.dkr.ecr.${region()}.amazonaws.com/${physical(name, inputs)}`,
        }),
        "aws:ec2/launchTemplate:LaunchTemplate": (name) => ({ id: `lt-${stableHex(17, name)}`, arn: arn("ec2", `launch-template/lt-${stableHex(17, name)}`), latestVersion: 1, defaultVersion: 1 }),
        "aws:cloudwatch/logGroup:LogGroup": (name, inputs) => ({ arn: arn("logs", `log-group:${physical(name, inputs)}`), name: physical(name, inputs) }),
        "aws:ssm/document:Document": (name, inputs) => ({ arn: arn("ssm", `document/${physical(name, inputs)}`), name: physical(name, inputs), latestVersion: "1", defaultVersion: "1" }),
        "aws:cloudwatch/eventRule:EventRule": (name, inputs) => ({ arn: arn("events", `rule/${physical(name, inputs)}`), name: physical(name, inputs) }),
        "aws:cloudwatch/eventTarget:EventTarget": (name) => ({ targetId: `${name}-${stableHex(8, name)}` }),
        // A bucket name: the given one; or the prefix and 26 characters the provider makes unique
        // (hashicorp/terraform-provider-aws internal/service/s3/bucket.go, `bucket_prefix`); or Pulumi's
        // auto-name from the logical name.
        "aws:s3/bucket:Bucket": (name, inputs) => {
            const bucket = inputs.bucket ?? (inputs.bucketPrefix ? `${inputs.bucketPrefix}${stableHex(26, name)}` : `${name}-${stableHex(7, name)}`);
            return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, region: region() };
        },
        "aws:ssm/parameter:Parameter": (name, inputs) => ({ arn: arn("ssm", `parameter${physical(name, inputs)}`), name: physical(name, inputs), version: 1, tier: "Standard" }),
        "aws:ssm/association:Association": (name) => ({ associationId: `${stableHex(8, name)}-${stableHex(4, name, "a")}-${stableHex(4, name, "b")}-${stableHex(4, name, "c")}-${stableHex(12, name, "d")}` }),
    },
    invokes: {
        "aws:index/getCallerIdentity:getCallerIdentity": () => ({
            accountId: FAKE_AWS_ACCOUNT, arn: `arn:aws:iam::${FAKE_AWS_ACCOUNT}:user/armfarm-plan`, userId: "AIDAPLANOFFLINE", id: FAKE_AWS_ACCOUNT,
        }),
        "aws:index/getRegion:getRegion": () => ({ name: region(), region: region(), id: region(), endpoint: `ec2.${region()}.amazonaws.com`, description: region() }),
        "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" }),
        "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": instanceTypeOfferings,
        // An existing team VPC: every subnet in one VPC, in zone a, b or c by its id.
        "aws:ec2/getSubnet:getSubnet": (inputs) => ({
            id: inputs.id, vpcId: `vpc-${stableHex(17, "existing-vpc")}`, cidrBlock: "10.0.1.0/24",
            availabilityZone: `${region()}${"abc"[parseInt(String(inputs.id).slice(-1), 16) % 3]}`, arn: arn("ec2", `subnet/${inputs.id}`), mapPublicIpOnLaunch: false,
        }),
        // Canonical publishes its AMI ids as SSM public parameters; the value is an AMI id for that region.
        "aws:ssm/getParameter:getParameter": (inputs) => ({
            name: inputs.name, type: "String", value: `ami-${stableHex(17, String(inputs.name), region())}`,
            arn: arn("ssm", `parameter${inputs.name}`), version: 1, insecureValue: `ami-${stableHex(17, String(inputs.name), region())}`, id: inputs.name,
        }),
    },
};
