import * as assert from "assert";
import { plan, planError, PlanView } from "./harness";
import { FAKE_AWS_ACCOUNT, stableHex } from "../scripts/plan/mocks/fake";

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const REPO = "aws:ecr/repository:Repository";

function launchTemplate(view: PlanView) {
    return view.get(LT, "farm-hosts").inputs as Record<string, any>;
}

function hostPolicy(view: PlanView) {
    return JSON.parse(view.get("aws:iam/rolePolicy:RolePolicy", "farm-host").inputs.policy as string);
}

describe("GravitonBuildFarm", () => {
    let dev: PlanView;
    before(async () => {
        dev = await plan();
    });

    describe("launch template", () => {
        it("boots Canonical's current arm64 Ubuntu LTS image, resolved from its SSM public parameter", () => {
            assert.strictEqual(launchTemplate(dev).imageId,
                "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id");
        });

        it("uses the 22.04 parameter (ebs-gp2 images) when that release is chosen", async () => {
            const view = await plan({ "armfarm:farmUbuntuRelease": "22.04" });
            assert.strictEqual(launchTemplate(view).imageId,
                "resolve:ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id");
        });

        it("runs the configured Graviton instance type", async () => {
            assert.strictEqual(launchTemplate(dev).instanceType, "m6g.4xlarge");
            const view = await plan({ "armfarm:farmInstanceType": "c7g.8xlarge" });
            assert.strictEqual(launchTemplate(view).instanceType, "c7g.8xlarge");
        });

        it("requires IMDSv2 with a hop limit of 1, so build containers cannot reach the host's credentials", () => {
            assert.deepStrictEqual(launchTemplate(dev).metadataOptions, {
                httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled",
            });
        });

        it("gives hosts an encrypted gp3 root volume of the configured size, deleted with the host", async () => {
            const [mapping] = launchTemplate(dev).blockDeviceMappings;
            assert.strictEqual(mapping.deviceName, "/dev/sda1");
            assert.deepStrictEqual(
                { size: mapping.ebs.volumeSize, type: mapping.ebs.volumeType, encrypted: mapping.ebs.encrypted, delete: mapping.ebs.deleteOnTermination },
                { size: 200, type: "gp3", encrypted: "true", delete: "true" });
            const view = await plan({ "armfarm:farmRootVolumeGiB": 500 });
            assert.strictEqual(launchTemplate(view).blockDeviceMappings[0].ebs.volumeSize, 500);
        });

        it("terminates a host that shuts itself down, so a finished host costs nothing", () => {
            assert.strictEqual(launchTemplate(dev).instanceInitiatedShutdownBehavior, "terminate");
        });

        it("tags hosts, their volumes and interfaces with the farm and their role", () => {
            const specs = launchTemplate(dev).tagSpecifications as { resourceType: string; tags: Record<string, string> }[];
            assert.deepStrictEqual(specs.map((s) => s.resourceType).sort(), ["instance", "network-interface", "volume"]);
            for (const spec of specs) {
                assert.strictEqual(spec.tags["armfarm:farm"], "farm");
                assert.strictEqual(spec.tags["armfarm:role"], "build-host");
            }
        });

        it("launches hosts with the farm's instance profile and security group, in the farm's subnet", () => {
            const lt = launchTemplate(dev);
            // Ids and ARNs are the mock cloud's answers for the farm's own resources (scripts/plan/mocks/aws.ts).
            assert.strictEqual(lt.iamInstanceProfile.arn, `arn:aws:iam::${FAKE_AWS_ACCOUNT}:instance-profile/farm-host`);
            assert.strictEqual(dev.get("aws:iam/instanceProfile:InstanceProfile", "farm-host").inputs.role, "farm-host");
            assert.deepStrictEqual(lt.networkInterfaces[0].securityGroups, [`sg-${stableHex(17, "farm-hosts")}`]);
            // The subnet is the launching group's to name (Auto Scaling refuses a template that fixes one).
            assert.strictEqual(lt.networkInterfaces[0].subnetId, undefined);
            assert.deepStrictEqual(dev.get("aws:autoscaling/group:Group", "build-host").inputs.vpcZoneIdentifiers,
                [`subnet-${stableHex(17, "farm-subnet")}`]);
        });
    });

    describe("network", () => {
        it("has no ingress rule at all and egress only to HTTP(S)", () => {
            const group = dev.get("aws:ec2/securityGroup:SecurityGroup", "farm-hosts").inputs as Record<string, any>;
            assert.deepStrictEqual(group.ingress, []);
            assert.deepStrictEqual(
                group.egress.map((e: any) => [e.protocol, e.fromPort, e.toPort, e.cidrBlocks]).sort(),
                [["tcp", 443, 443, ["0.0.0.0/0"]], ["tcp", 80, 80, ["0.0.0.0/0"]]]);
            assert.strictEqual(dev.ofType("aws:ec2/securityGroupRule:SecurityGroupRule").length, 0);
            assert.strictEqual(dev.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").length, 0);
        });

        it("builds its own VPC and subnet from the configured CIDRs, routed to an internet gateway", async () => {
            const view = await plan({ "armfarm:farmVpcCidr": "10.80.0.0/16", "armfarm:farmSubnetCidr": "10.80.4.0/22" });
            assert.strictEqual(view.get("aws:ec2/vpc:Vpc", "farm-vpc").inputs.cidrBlock, "10.80.0.0/16");
            assert.strictEqual(view.get("aws:ec2/subnet:Subnet", "farm-subnet").inputs.cidrBlock, "10.80.4.0/22");
            const routes = view.get("aws:ec2/routeTable:RouteTable", "farm-routes").inputs.routes as any[];
            assert.deepStrictEqual(routes.map((r) => r.cidrBlock), ["0.0.0.0/0"]);
            assert.match(routes[0].gatewayId, /^igw-/);
        });

        it("uses an existing subnet, and its VPC, when one is configured", async () => {
            const view = await plan({ "armfarm:farmSubnetId": "subnet-0abc12345def67890" });
            assert.strictEqual(view.ofType("aws:ec2/vpc:Vpc").length, 0);
            assert.strictEqual(view.ofType("aws:ec2/subnet:Subnet").length, 0);
            assert.deepStrictEqual(view.get("aws:autoscaling/group:Group", "build-host").inputs.vpcZoneIdentifiers, ["subnet-0abc12345def67890"]);
            assert.match(view.get("aws:ec2/securityGroup:SecurityGroup", "farm-hosts").inputs.vpcId as string, /^vpc-/);
        });
    });

    describe("host role", () => {
        it("is assumable by EC2 only and carries SSM Session Manager's managed policy", () => {
            const trust = JSON.parse(dev.get("aws:iam/role:Role", "farm-host").inputs.assumeRolePolicy as string);
            assert.deepStrictEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
            assert.strictEqual(dev.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "farm-host-ssm").inputs.policyArn,
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        });

        it("writes only to the farm's log group and pushes only to the farm's repositories", () => {
            const statements = hostPolicy(dev).Statement as any[];
            const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
            const logGroupArn = `arn:aws:logs:us-east-1:${FAKE_AWS_ACCOUNT}:log-group:/armfarm/farm`;
            assert.deepStrictEqual(bySid.WriteFarmLogs.Resource, [logGroupArn, `${logGroupArn}:log-stream:*`]);
            assert.deepStrictEqual(bySid.PushFarmRepositories.Resource.sort(),
                ["install-cni", "pilot", "proxyv2", "ztunnel"].map((i) => `arn:aws:ecr:us-east-1:${FAKE_AWS_ACCOUNT}:repository/istio/${i}`));
            assert.ok(bySid.PushFarmRepositories.Action.includes("ecr:PutImage"));
            assert.ok(!bySid.PushFarmRepositories.Action.some((a: string) => /Delete|\*/.test(a)), "no delete and no wildcard action");
        });

        it("grants no wildcard action, and a wildcard resource only for the registry login that requires it", () => {
            for (const s of hostPolicy(dev).Statement as any[]) {
                const actions: string[] = [].concat(s.Action);
                assert.ok(!actions.some((a) => a === "*" || a.endsWith(":*")), `${s.Sid} has a wildcard action`);
                if ([].concat(s.Resource).includes("*" as never)) assert.deepStrictEqual(actions, ["ecr:GetAuthorizationToken"]);
            }
        });
    });

    describe("ECR repositories", () => {
        it("holds one repository per configured image under the prefix, immutable, scanned on push", async () => {
            const names = dev.ofType(REPO).map((r) => r.inputs.name).sort();
            assert.deepStrictEqual(names, ["istio/install-cni", "istio/pilot", "istio/proxyv2", "istio/ztunnel"]);
            for (const repo of dev.ofType(REPO)) {
                assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
                assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                assert.strictEqual(repo.inputs.forceDelete, false);
            }
            const view = await plan({ "armfarm:parts": ["farm"], "armfarm:farmRepositories": ["pilot", "proxyv2"], "armfarm:farmRepositoryPrefix": "mesh/istio" });
            assert.deepStrictEqual(view.ofType(REPO).map((r) => r.inputs.name).sort(), ["mesh/istio/pilot", "mesh/istio/proxyv2"]);
        });

        it("protects the repositories and keeps them on destroy, unless config says otherwise", async () => {
            for (const repo of dev.ofType(REPO)) {
                assert.deepStrictEqual([repo.options.protect, repo.options.retainOnDelete], [true, true], repo.name);
            }
            const view = await plan({ "armfarm:farmKeepRepositories": false });
            for (const repo of view.ofType(REPO)) {
                assert.deepStrictEqual([repo.options.protect, repo.options.retainOnDelete], [false, false], repo.name);
            }
        });

        it("has a lifecycle policy that never expires untagged images, which multi-arch indexes point to", () => {
            const policies = dev.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
            assert.strictEqual(policies.length, 4);
            for (const p of policies) {
                const rules = JSON.parse(p.inputs.policy as string).rules as any[];
                assert.ok(rules.length > 0);
                for (const rule of rules) {
                    assert.strictEqual(rule.selection.tagStatus, "tagged", "a rule on untagged or any images deletes index children");
                    assert.ok(rule.selection.tagPrefixList.length > 0, "a tagged rule must be limited to some tags");
                }
            }
        });
    });

    describe("logs and outputs", () => {
        it("keeps the hosts' logs for the configured retention", async () => {
            assert.strictEqual(dev.get("aws:cloudwatch/logGroup:LogGroup", "farm-logs").inputs.retentionInDays, 30);
            const view = await plan({ "armfarm:farmLogRetentionDays": 90 });
            assert.strictEqual(view.get("aws:cloudwatch/logGroup:LogGroup", "farm-logs").inputs.retentionInDays, 90);
        });

        it("exports the hub, the repository URLs, the launch template and the log group", async () => {
            assert.strictEqual(dev.outputs.farmHub, `${FAKE_AWS_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/istio`);
            const view = await plan({ "aws:region": "eu-west-1", "armfarm:farmRepositoryPrefix": "mirror" });
            assert.strictEqual(view.outputs.farmHub, `${FAKE_AWS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/mirror`);
            assert.strictEqual((view.outputs.farmRepositoryUrls as Record<string, string>).pilot,
                `${FAKE_AWS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/mirror/pilot`);
            assert.match(dev.outputs.farmLaunchTemplateId as string, /^lt-/);
            assert.strictEqual(dev.outputs.farmLogGroupName, "/armfarm/farm");
        });
    });

    describe("config errors", () => {
        const cases: [string, unknown, RegExp][] = [
            ["armfarm:farmInstanceType", "m5.large", /farmInstanceType: "m5.large" is not an arm64 Graviton instance type; use a type of a Graviton family \(a1, m6g/],
            ["armfarm:farmInstanceType", "t2a-standard-4", /farmInstanceType: "t2a-standard-4" is not an arm64 Graviton instance type/],
            ["armfarm:farmInstanceType", "m6g.huge", /farmInstanceType: "m6g.huge" is not an arm64 Graviton/],
            ["armfarm:farmRootVolumeGiB", 64, /farmRootVolumeGiB: "64" is not accepted; expected an integer from 100 to 16384/],
            ["armfarm:farmRootVolumeGiB", "big", /farmRootVolumeGiB: "big" is not accepted; expected an integer/],
            ["armfarm:farmVpcCidr", "10.40.0.0/33", /farmVpcCidr: "10.40.0.0\/33" is not accepted; expected an IPv4 CIDR block/],
            ["armfarm:farmVpcCidr", "10.40.0.1/16", /farmVpcCidr: "10.40.0.1\/16" is not accepted; expected an IPv4 CIDR block with its address aligned/],
            ["armfarm:farmSubnetCidr", "300.1.0.0/24", /farmSubnetCidr: "300.1.0.0\/24" is not accepted/],
            ["aws:region", "us-east", /aws:region: "us-east" is not accepted; expected an AWS region name such as us-east-1/],
            ["aws:region", "US-EAST-1", /aws:region: "US-EAST-1" is not accepted/],
            ["armfarm:farmSubnetId", "vpc-123", /farmSubnetId: "vpc-123" is not accepted; expected a subnet id/],
            ["armfarm:farmRepositories", ["pilot", "grafana"], /farmRepositories: "grafana" is not accepted; use items from pilot, proxyv2, install-cni, ztunnel, istioctl/],
            ["armfarm:farmLogRetentionDays", 10, /farmLogRetentionDays: 10 is not a retention CloudWatch Logs offers; use one of 1, 3, 5, 7, 14, 30/],
            ["armfarm:farmUbuntuRelease", "20.04", /farmUbuntuRelease: "20.04" is not accepted; use one of 22.04, 24.04/],
            ["armfarm:farmSpot", "yes", /farmSpot: "yes" is not accepted; use true or false/],
        ];
        for (const [key, value, expected] of cases) {
            it(`refuses ${key} = ${JSON.stringify(value)}`, async () => {
                assert.match(await planError({ [key]: value }), expected);
            });
        }

        it("requires aws:region when the farm is deployed", async () => {
            assert.match(await planError({ "aws:region": undefined }), /aws:region: is not set; an AWS region name such as us-east-1 or eu-west-1 is required/);
        });
    });
});
