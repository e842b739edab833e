import * as assert from "assert";
import { INSTANCE, LAUNCH_TEMPLATE } from "../rules/ec2";
import { INSTANCE_PROFILE, managedBySsm, ROLE, ROLE_POLICY_ATTACHMENT, roleName } from "../rules/ssm";
import { cover, resource, stackViolations } from "./cases";

const SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
const hosts = () => resource(LAUNCH_TEMPLATE, { iamInstanceProfile: { arn: "arn:aws:iam::123456789012:instance-profile/farm-host" } });
const profile = (role = "farm-host") => resource(INSTANCE_PROFILE, { role });
const attach = (role: string, policyArn = SSM_CORE) => resource(ROLE_POLICY_ATTACHMENT, { role, policyArn });

describe("policy: Systems Manager", () => {
    it("AWS Security Hub SSM.1: requires an instance profile on every host, whose role has AmazonSSMManagedInstanceCore", () => {
        cover(managedBySsm);
        assert.match(managedBySsm.description, /^AWS Security Hub SSM\.1:/);
        assert.deepStrictEqual(stackViolations(managedBySsm, [hosts(), profile(), attach("farm-host")]), []);
        // The role by ARN, with a path, and the policy in another partition, or attached in the role itself.
        assert.deepStrictEqual(stackViolations(managedBySsm, [profile("farm-host"), attach("arn:aws-us-gov:iam::123456789012:role/armfarm/farm-host",
            "arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore")]), []);
        assert.deepStrictEqual(stackViolations(managedBySsm, [profile("farm-host"), resource(ROLE, { name: "farm-host", managedPolicyArns: [SSM_CORE] })]), []);
        // No SSM policy on the profile's role: another policy is not it.
        assert.deepStrictEqual(stackViolations(managedBySsm, [hosts(), profile(), attach("farm-host", "arn:aws:iam::aws:policy/ReadOnlyAccess")]),
            ['the instance profile\'s role "farm-host" has no AmazonSSMManagedInstanceCore attached in this stack; attach it (aws.iam.RolePolicyAttachment), or the SSM agent on its hosts cannot register']);
        assert.strictEqual(stackViolations(managedBySsm, [profile("build-host"), attach("farm-host")]).length, 1);
        // A host without an instance profile.
        assert.match(stackViolations(managedBySsm, [resource(LAUNCH_TEMPLATE, {}), profile(), attach("farm-host")])[0], /^the launch template has no iamInstanceProfile/);
        assert.match(stackViolations(managedBySsm, [resource(INSTANCE, { ami: "ami-1" })])[0], /^the instance has no iamInstanceProfile/);
        assert.deepStrictEqual(stackViolations(managedBySsm, [resource(INSTANCE, { iamInstanceProfile: "farm-host" }), profile(), attach("farm-host")]), []);
        assert.strictEqual(roleName("arn:aws:iam::123456789012:role/a/b/farm-host"), "farm-host");
    });
});
