import * as assert from "assert";
import { plan, planError, PlanView } from "./harness";
import { FAKE_AWS_ACCOUNT, stableHex } from "../scripts/plan/mocks/fake";
import { buildHostPublicIp } from "../policy/rules/ec2";
import { resource, violations } from "../policy/test/cases";

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
/**
 * The cache bucket's name: the farm's prefix, and the 26 characters the provider adds (the plan's mock makes them
 * from the logical name, scripts/plan/mocks/aws.ts).
 */
const CACHE_BUCKET = `armfarm-dev-farm-cache-${stableHex(26, "farm-cache")}`;
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

        // With tags in instance metadata, a tag key with a space or `/` fails every launch (EC2 User Guide, "View
        // tags for your EC2 instances using instance metadata"); armfarm:tags takes such keys, and no host reads them.
        it("requires IMDSv2 with a hop limit of 1, so build containers cannot reach the host's credentials, and keeps tags out of it", async () => {
            const expected = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" };
            assert.deepStrictEqual(launchTemplate(dev).metadataOptions, expected);
            const tagged = await plan({ "armfarm:tags": { "cost center": "mesh/platform", "team/owner": "infra" } });
            assert.deepStrictEqual(launchTemplate(tagged).metadataOptions, expected);
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

        it("launches hosts with the farm's instance profile and security group, in the farm's subnets", () => {
            const lt = launchTemplate(dev);
            // Ids and ARNs are the mock cloud's answers for the farm's own resources (scripts/plan/mocks/aws.ts).
            assert.strictEqual(lt.iamInstanceProfile.arn, `arn:aws:iam::${FAKE_AWS_ACCOUNT}:instance-profile/armfarm-dev-farm-host`);
            assert.strictEqual(dev.get("aws:iam/instanceProfile:InstanceProfile", "farm-host").inputs.role, "armfarm-dev-farm-host");
            assert.deepStrictEqual(lt.networkInterfaces[0].securityGroups, [`sg-${stableHex(17, "farm-hosts")}`]);
            // The subnets are the launching group's to name (Auto Scaling refuses a template that fixes one).
            assert.strictEqual(lt.networkInterfaces[0].subnetId, undefined);
            assert.deepStrictEqual(dev.get("aws:autoscaling/group:Group", "build-host").inputs.vpcZoneIdentifiers,
                [0, 1, 2].map((i) => `subnet-${stableHex(17, `farm-subnet-${i}`)}`));
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

        it("spreads its own VPC over the first zones that offer its instance type, one quarter of the subnet block each", async () => {
            const view = await plan({ "armfarm:farmVpcCidr": "10.80.0.0/16", "armfarm:farmSubnetCidr": "10.80.4.0/22" });
            assert.strictEqual(view.get("aws:ec2/vpc:Vpc", "farm-vpc").inputs.cidrBlock, "10.80.0.0/16");
            const subnets = [0, 1, 2].map((i) => view.get("aws:ec2/subnet:Subnet", `farm-subnet-${i}`));
            assert.deepStrictEqual(subnets.map((sn) => [sn.inputs.availabilityZone, sn.inputs.cidrBlock, sn.inputs.mapPublicIpOnLaunch]), [
                ["us-east-1a", "10.80.4.0/24", true], ["us-east-1b", "10.80.5.0/24", true], ["us-east-1c", "10.80.6.0/24", true],
            ]);
            for (const sn of subnets) {
                assert.deepStrictEqual(sn.options.ignoreChanges, ["availabilityZone"], "a zone offering the type later must not replace a subnet");
            }
            // An earlier farm's single /24 subnet becomes the first quarter of it: the old one must go before any
            // overlapping new one is created (AWS refuses an overlapping subnet, InvalidSubnet.Conflict).
            assert.strictEqual(subnets[0].options.deleteBeforeReplace, true);
            for (const sn of subnets.slice(1)) assert.ok(sn.options.dependsOn.includes(subnets[0].urn), `${sn.name} waits for the first subnet`);
            const routes = view.get("aws:ec2/routeTable:RouteTable", "farm-routes");
            assert.deepStrictEqual((routes.inputs.routes as any[]).map((r) => [r.cidrBlock, r.gatewayId]), [["0.0.0.0/0", `igw-${stableHex(17, "farm-igw")}`]]);
            for (const i of [0, 1, 2]) {
                assert.deepStrictEqual(view.get("aws:ec2/routeTableAssociation:RouteTableAssociation", `farm-routes-${i}`).inputs,
                    { subnetId: `subnet-${stableHex(17, `farm-subnet-${i}`)}`, routeTableId: `rtb-${stableHex(17, "farm-routes")}` });
            }
            assert.deepStrictEqual(view.outputs.farmZones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
        });

        it("skips zones without its instance type: us-east-1b and -e offer no m8g here (the plan's offerings)", async () => {
            const view = await plan({ "armfarm:farmInstanceType": "m8g.4xlarge", "armfarm:farmSpot": false });
            assert.deepStrictEqual(view.outputs.farmZones, ["us-east-1a", "us-east-1c", "us-east-1d"]);
            const four = await plan({ "armfarm:farmInstanceType": "m8g.4xlarge", "armfarm:farmZoneCount": 4 });
            assert.deepStrictEqual(four.outputs.farmZones, ["us-east-1a", "us-east-1c", "us-east-1d", "us-east-1f"]);
        });

        it("asks spot only for the equivalents every one of its zones offers", async () => {
            // us-east-1b has no m8g: with zones a, b and c the spot group asks for m6g and m7g only.
            const spot = (await plan()).get("aws:autoscaling/group:Group", "build-host").inputs.mixedInstancesPolicy as any;
            assert.deepStrictEqual(spot.launchTemplate.overrides, [{ instanceType: "m6g.4xlarge" }, { instanceType: "m7g.4xlarge" }]);
            const acd = (await plan({ "armfarm:farmAvailabilityZones": ["us-east-1a", "us-east-1c", "us-east-1d"] }))
                .get("aws:autoscaling/group:Group", "build-host").inputs.mixedInstancesPolicy as any;
            assert.deepStrictEqual(acd.launchTemplate.overrides.map((o: any) => o.instanceType), ["m6g.4xlarge", "m7g.4xlarge", "m8g.4xlarge"]);
        });

        it("fails naming the zones when too few, or a named one, offer the instance type", async () => {
            assert.match(await planError({ "aws:region": "eu-west-1", "armfarm:farmZoneCount": 4 }),
                /the farm spreads its hosts over 4 zones, but only 3 of this region offer m6g\.4xlarge \(eu-west-1a, eu-west-1b, eu-west-1c\); use 3 zones/);
            assert.match(await planError({ "armfarm:farmAvailabilityZones": ["us-east-1a", "us-east-1e"] }),
                /us-east-1e does not offer m6g\.4xlarge; zones of this region that do: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f/);
        });

        it("uses existing subnets, and their VPC, when configured, refusing one in a zone without the type", async () => {
            const view = await plan({ "armfarm:farmSubnetIds": ["subnet-0abc12345def67890", "subnet-0abc12345def67891"] });
            assert.strictEqual(view.ofType("aws:ec2/vpc:Vpc").length, 0);
            assert.strictEqual(view.ofType("aws:ec2/subnet:Subnet").length, 0);
            assert.deepStrictEqual(view.get("aws:autoscaling/group:Group", "build-host").inputs.vpcZoneIdentifiers, ["subnet-0abc12345def67890", "subnet-0abc12345def67891"]);
            assert.match(view.get("aws:ec2/securityGroup:SecurityGroup", "farm-hosts").inputs.vpcId as string, /^vpc-/);
            const inZoneE = { invokes: { "aws:ec2/getSubnet:getSubnet": (i: any) => ({ id: i.id, vpcId: "vpc-0123456789abcdef0", availabilityZone: "us-east-1e", cidrBlock: "10.0.1.0/24" }) } };
            assert.match(await planError({ "armfarm:farmSubnetIds": ["subnet-0abc12345def67890"] }, { mocks: inZoneE }),
                /subnet subnet-0abc12345def67890 is in us-east-1e, which does not offer m6g\.4xlarge; zones that do: us-east-1a, us-east-1b/);
            const twoVpcs = { invokes: { "aws:ec2/getSubnet:getSubnet": (i: any) => ({ id: i.id, vpcId: `vpc-0${String(i.id).slice(-16)}`, availabilityZone: "us-east-1a", cidrBlock: "10.0.1.0/24" }) } };
            assert.match(await planError({ "armfarm:farmSubnetIds": ["subnet-0abc12345def67890", "subnet-0abc12345def67891"] }, { mocks: twoVpcs }),
                /the farm's subnets subnet-0abc12345def67890, subnet-0abc12345def67891 are in 2 VPCs \(vpc-0abc12345def67890, vpc-0abc12345def67891\); give subnets of one VPC/);
        });

        it("gives hosts a public address in its own VPC, and in existing subnets only as the subnet or farmAssignPublicIp says", async () => {
            const publicIp = (view: PlanView) => ["farm-hosts", "farm-hosts-amd64"].map((n) => (view.get(LT, n).inputs as any).networkInterfaces[0].associatePublicIpAddress);
            // The farm's own VPC has an internet gateway and no NAT: a host needs its public address to reach a registry.
            assert.deepStrictEqual(publicIp(dev), ["true", "true"]);
            const subnets = { "armfarm:farmSubnetIds": ["subnet-0abc12345def67890"] };
            // Unset: the interface does not say, so EC2 applies the subnet's MapPublicIpOnLaunch (a private
            // subnet behind a NAT gateway gives none), and the policy pack's public-IP advice stays quiet.
            const followsSubnet = await plan(subnets);
            assert.deepStrictEqual(publicIp(followsSubnet), [undefined, undefined]);
            assert.ok(!("associatePublicIpAddress" in launchTemplate(followsSubnet).networkInterfaces[0]));
            const template = followsSubnet.get(LT, "farm-hosts");
            assert.deepStrictEqual(violations(buildHostPublicIp, resource(LT, template.inputs)), []);
            assert.strictEqual(violations(buildHostPublicIp, resource(LT, launchTemplate(dev))).length, 1);
            assert.deepStrictEqual(publicIp(await plan({ ...subnets, "armfarm:farmAssignPublicIp": false })), ["false", "false"]);
            // A string key (the CLI passes its empty default as a value): true, false or empty, nothing else.
            assert.match(await planError({ ...subnets, "armfarm:farmAssignPublicIp": "yes" }),
                /armfarm:farmAssignPublicIp: "yes" is not accepted; expected true, false, or empty to follow each subnet's setting/);
            assert.deepStrictEqual(publicIp(await plan({ ...subnets, "armfarm:farmAssignPublicIp": true })), ["true", "true"]);
            // Without a NAT gateway of its own, the farm's VPC cannot do without public addresses.
            assert.match(await planError({ "armfarm:farmAssignPublicIp": false }),
                /armfarm:farmAssignPublicIp: is false, but the farm's own VPC \(no armfarm:farmSubnetIds\) has no NAT gateway/);
        });
    });

    describe("host role", () => {
        it("is assumable by EC2 only and carries SSM Session Manager's managed policy", () => {
            const trust = JSON.parse(dev.get("aws:iam/role:Role", "farm-host").inputs.assumeRolePolicy as string);
            assert.deepStrictEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
            assert.strictEqual(dev.get("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "farm-host-ssm").inputs.policyArn,
                "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
        });

        it("writes only to the farm's log group, pushes only to the farm's repositories, and creates only results in its own name", () => {
            const logGroupArn = `arn:aws:logs:us-east-1:${FAKE_AWS_ACCOUNT}:log-group:/armfarm-dev/farm`;
            assert.deepStrictEqual(hostPolicy(dev).Statement, [
                { Sid: "WriteFarmLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [logGroupArn, `${logGroupArn}:log-stream:*`] },
                { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
                {
                    Sid: "PushFarmRepositories", Effect: "Allow",
                    // The actions a docker push needs (Amazon ECR User Guide, "Pushing an image": the push permissions).
                    Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
                        "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
                    Resource: ["pilot", "proxyv2", "install-cni", "ztunnel"].map((i) => `arn:aws:ecr:us-east-1:${FAKE_AWS_ACCOUNT}:repository/armfarm-dev/istio/${i}`),
                },
                { Sid: "RecordBuildResult", Effect: "Allow", Action: ["ssm:PutParameter"], Resource: `arn:aws:ssm:us-east-1:${FAKE_AWS_ACCOUNT}:parameter/armfarm-dev/farm/builds/*` },
                {
                    // Systems Manager User Guide, "Preventing changes to existing parameters using ssm:Overwrite".
                    Sid: "NeverOverwriteAResult", Effect: "Deny", Action: ["ssm:PutParameter"],
                    Resource: `arn:aws:ssm:us-east-1:${FAKE_AWS_ACCOUNT}:parameter/armfarm-dev/farm/builds/*`,
                    Condition: { StringEquals: { "ssm:Overwrite": "true" } },
                },
                {
                    // The tags of a PutParameter are authorized as AddTagsToResource: only armfarm:host, only the
                    // host's own instance ARN (the IAM policy variable ${ec2:SourceInstanceARN}).
                    Sid: "TagResultAsItsOwnHost", Effect: "Allow", Action: ["ssm:AddTagsToResource"],
                    Resource: `arn:aws:ssm:us-east-1:${FAKE_AWS_ACCOUNT}:parameter/armfarm-dev/farm/builds/*`,
                    Condition: {
                        StringEquals: { "aws:RequestTag/armfarm:host": "${ec2:SourceInstanceARN}" },
                        "ForAllValues:StringEquals": { "aws:TagKeys": ["armfarm:host"] },
                    },
                },
                // The build cache: its objects, and listing it; no other bucket.
                { Sid: "UseBuildCache", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::${CACHE_BUCKET}/*` },
                { Sid: "ListBuildCache", Effect: "Allow", Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${CACHE_BUCKET}` },
            ]);
        });

        it("reads the Docker Hub credential when the farm has one, and nothing else of Parameter Store", async () => {
            const view = await plan({ "armfarm:farmDockerHubUsername": "armfarmci", "armfarm:farmDockerHubToken": "dckr_pat_x" }, { secretKeys: ["armfarm:farmDockerHubToken"] });
            const read = (hostPolicy(view).Statement as any[]).find((st) => st.Sid === "ReadDockerHubCredential");
            assert.deepStrictEqual(read, { Sid: "ReadDockerHubCredential", Effect: "Allow", Action: ["ssm:GetParameter"],
                Resource: `arn:aws:ssm:us-east-1:${FAKE_AWS_ACCOUNT}:parameter/armfarm-dev/farm/dockerhub` });
            const parameter = view.get("aws:ssm/parameter:Parameter", "farm-dockerhub");
            assert.deepStrictEqual([parameter.inputs.name, parameter.inputs.type, parameter.inputs.value], ["/armfarm-dev/farm/dockerhub", "SecureString", "[secret]"]);
            assert.strictEqual((hostPolicy(dev).Statement as any[]).find((st) => st.Sid === "ReadDockerHubCredential"), undefined);
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
            assert.deepStrictEqual(names, ["armfarm-dev/istio/install-cni", "armfarm-dev/istio/pilot", "armfarm-dev/istio/proxyv2", "armfarm-dev/istio/ztunnel"]);
            for (const repo of dev.ofType(REPO)) {
                assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
                assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                assert.strictEqual(repo.inputs.forceDelete, false);
            }
            const view = await plan({ "armfarm:parts": ["farm"], "armfarm:farmRepositories": ["pilot", "proxyv2"], "armfarm:farmRepositoryPrefix": "mesh/istio" });
            assert.deepStrictEqual(view.ofType(REPO).map((r) => r.inputs.name).sort(), ["mesh/istio/pilot", "mesh/istio/proxyv2"]);
        });

        it("sets registry-level scanning on push for its repositories only when asked to, as it replaces the region's whole configuration", async () => {
            assert.deepStrictEqual(dev.ofType("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"), []);
            const view = await plan({ "armfarm:farmManageRegistryScanning": true, "armfarm:farmRepositoryPrefix": "mesh/istio" });
            assert.deepStrictEqual(view.get("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "farm-scanning").inputs, {
                scanType: "BASIC", rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "mesh/istio/*", filterType: "WILDCARD" }] }],
            });
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

        it("expires dev- and pr- tags after 30 days, one rule each, and never untagged images or release tags", () => {
            const policies = dev.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
            assert.strictEqual(policies.length, 4);
            // ECR ANDs the entries of one tagPrefixList ("only the images with all specified tags are selected",
            // Amazon ECR User Guide, "Lifecycle policy parameters"): each prefix needs a rule of its own.
            const rule = (priority: number, prefix: string) => ({
                rulePriority: priority,
                description: `Expire ${prefix} tags 30 days after their push; never untagged images`,
                selection: { tagStatus: "tagged", tagPrefixList: [prefix], countType: "sinceImagePushed", countUnit: "days", countNumber: 30 },
                action: { type: "expire" },
            });
            for (const p of policies) {
                const doc = JSON.parse(p.inputs.policy as string);
                assert.deepStrictEqual(doc, { rules: [rule(1, "dev-"), rule(2, "pr-")] });
                for (const tag of ["1.30.3", "1.30.3-distroless", "git-1a2b3c4d5e6f", "git-1a2b3c4d5e6f-proxy-0f1e2d3c4b5a"]) {
                    assert.ok(!doc.rules.some((r: any) => r.selection.tagPrefixList.every((pre: string) => tag.startsWith(pre))), `${tag} is never expired`);
                }
            }
        });
    });

    describe("from-source's x86 hosts and the build cache", () => {
        it("launches x86 hosts from a second template with the same hardening, Canonical's amd64 image and amd64 user data", () => {
            const arm = launchTemplate(dev);
            const x86 = dev.get(LT, "farm-hosts-amd64").inputs as Record<string, any>;
            assert.strictEqual(x86.imageId, "resolve:ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id");
            // m6g.4xlarge's x86 type of the same class and size.
            assert.strictEqual(x86.instanceType, "m6i.4xlarge");
            for (const field of ["metadataOptions", "blockDeviceMappings", "networkInterfaces", "iamInstanceProfile", "instanceInitiatedShutdownBehavior", "monitoring"]) {
                assert.deepStrictEqual(x86[field], arm[field], field);
            }
            const userData = Buffer.from(x86.userData, "base64").toString("utf8");
            assert.match(userData, /deb \[arch=amd64 signed-by=\$KEY_FILE\] https:\/\/download\.docker\.com/);
            // docker-library/golang@c8592aafabc6:versions.json, 1.26.1 linux-amd64.
            assert.match(userData, /GO_SHA256=031f088e5d955bab8657ede27ad4e3bc5b7c1ba281f05f245bcc304f327c987a/);
            assert.match(userData, /HOST_ARCH=amd64/);
            assert.strictEqual((x86.tagSpecifications as any[])[0].tags["armfarm:role"], "envoy-amd64-host");
        });

        it("takes the x86 type from config, refusing one that is not x86", async () => {
            const view = await plan({ "armfarm:farmAmd64InstanceType": "c7i.8xlarge" });
            assert.strictEqual(view.get(LT, "farm-hosts-amd64").inputs.instanceType, "c7i.8xlarge");
            assert.match(await planError({ "armfarm:farmAmd64InstanceType": "m6g.4xlarge" }), /armfarm:farmAmd64InstanceType: "m6g\.4xlarge" is not an x86 instance type; use a type of the m5, m5a, m6i/);
        });

        it("keeps a private, encrypted cache that forgets, and is not protected", async () => {
            const bucket = dev.get("aws:s3/bucket:Bucket", "farm-cache");
            assert.deepStrictEqual([bucket.options.protect, bucket.options.retainOnDelete, bucket.inputs.forceDestroy], [false, false, true]);
            assert.deepStrictEqual(dev.get("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "farm-cache").inputs,
                { bucket: CACHE_BUCKET, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            assert.deepStrictEqual(dev.get("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "farm-cache").inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
            assert.deepStrictEqual(dev.get("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "farm-cache").inputs.rules,
                [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
            const lifecycle = (await plan({ "armfarm:farmCacheExpiryDays": 14 })).get("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "farm-cache");
            assert.deepStrictEqual(lifecycle.inputs.rules, [
                { id: "forget-old-cache-entries", status: "Enabled", filter: {}, expiration: { days: 14 } },
                { id: "abort-stale-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
            ]);
        });
    });

    describe("logs and outputs", () => {
        it("keeps the hosts' logs for the configured retention", async () => {
            assert.strictEqual(dev.get("aws:cloudwatch/logGroup:LogGroup", "farm-logs").inputs.retentionInDays, 30);
            const view = await plan({ "armfarm:farmLogRetentionDays": 90 });
            assert.strictEqual(view.get("aws:cloudwatch/logGroup:LogGroup", "farm-logs").inputs.retentionInDays, 90);
        });

        it("exports the hub, the repository URLs, the launch template and the log group", async () => {
            assert.strictEqual(dev.outputs.farmHub, `${FAKE_AWS_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio`);
            const view = await plan({ "aws:region": "eu-west-1", "armfarm:farmRepositoryPrefix": "mirror" });
            assert.strictEqual(view.outputs.farmHub, `${FAKE_AWS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/mirror`);
            assert.strictEqual((view.outputs.farmRepositoryUrls as Record<string, string>).pilot,
                `${FAKE_AWS_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/mirror/pilot`);
            assert.match(dev.outputs.farmLaunchTemplateId as string, /^lt-/);
            assert.deepStrictEqual(dev.outputs.farmSubnetIds, [0, 1, 2].map((i) => `subnet-${stableHex(17, `farm-subnet-${i}`)}`));
            assert.strictEqual(dev.outputs.farmLogGroupName, "/armfarm-dev/farm");
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
            ["armfarm:farmSubnetIds", ["vpc-123"], /farmSubnetIds: "vpc-123" is not accepted; expected subnet ids such as subnet-0abc12345def67890/],
            ["armfarm:farmSubnetCidr", "10.40.0.0/27", /farmSubnetCidr: "10.40.0.0\/27" is too small: the farm cuts it into 4 subnets, one per zone; use a \/26 or larger/],
            ["armfarm:farmZoneCount", 5, /farmZoneCount: "5" is not accepted; expected an integer from 1 to 4/],
            ["armfarm:farmAvailabilityZones", ["us-east-1"], /farmAvailabilityZones: "us-east-1" is not accepted; expected zone names of aws:region such as us-east-1a/],
            ["armfarm:farmDockerHubUsername", "armfarmci", /farmDockerHubToken: is not set, but armfarm:farmDockerHubUsername is; the hosts log in to Docker Hub with both/],
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

        it("refuses a Docker Hub token set in clear", async () => {
            assert.match(await planError({ "armfarm:farmDockerHubUsername": "armfarmci", "armfarm:farmDockerHubToken": "dckr_pat_x" }),
                /armfarm:farmDockerHubToken: is set in clear; a Docker Hub access token is a secret: set it with pulumi config set --secret armfarm:farmDockerHubToken/);
        });

        it("refuses zones named beside existing subnets", async () => {
            assert.match(await planError({ "armfarm:farmSubnetIds": ["subnet-0abc12345def67890"], "armfarm:farmAvailabilityZones": ["us-east-1a"] }),
                /farmAvailabilityZones: is set beside armfarm:farmSubnetIds; the given subnets decide the zones/);
        });

        it("requires aws:region when the farm is deployed", async () => {
            assert.match(await planError({ "aws:region": undefined }), /aws:region: is not set; an AWS region name such as us-east-1 or eu-west-1 is required/);
        });
    });
});
