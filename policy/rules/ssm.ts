/**
 * Systems Manager: the hosts are managed by SSM, which is how armfarm reaches them (Session Manager, Run Command)
 * without SSH. A plan can show the two things SSM needs from the stack: an instance profile on every host, and
 * on each instance profile's role a managed policy that lets the SSM agent register (AmazonSSMManagedInstanceCore).
 * Source: AWS Security Hub, "Security Hub controls for Systems Manager", [SSM.1] Amazon EC2 instances should be
 * managed by AWS Systems Manager; AWS Systems Manager User Guide, instance permissions (AmazonSSMManagedInstanceCore).
 */
import { INSTANCE, LAUNCH_TEMPLATE } from "./ec2";
import { StackRule, StackViolation, Subject } from "./rule";
import { list, record, show, text } from "./values";

export const INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile";
export const ROLE = "aws:iam/role:Role";
export const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** The AWS managed policy that lets the SSM agent register an instance, in any partition. */
const SSM_CORE_POLICY = /^arn:[a-z-]+:iam::aws:policy\/AmazonSSMManagedInstanceCore$/;

/** A role's name from its name or ARN (`arn:aws:iam::123456789012:role/path/name`). */
export function roleName(role: string): string {
    return role.includes(":role/") ? role.split("/").pop()! : role;
}

/** True when a host names an instance profile (by ARN or name), read without touching a value not yet known. */
function hasInstanceProfile(r: Subject): boolean {
    if (r.type === INSTANCE) return "iamInstanceProfile" in r.props && r.props.iamInstanceProfile !== undefined && r.props.iamInstanceProfile !== "";
    return Object.keys(record(r.props.iamInstanceProfile)).some((k) => k === "arn" || k === "name");
}

export const managedBySsm: StackRule = {
    kind: "stack",
    name: "ec2-hosts-managed-by-ssm",
    description: "AWS Security Hub SSM.1: EC2 hosts are managed by Systems Manager (every instance and launch template has an instance profile, whose role has AmazonSSMManagedInstanceCore attached).",
    enforcementLevel: "mandatory",
    check(resources) {
        const violations: StackViolation[] = resources
            .filter((r) => (r.type === INSTANCE || r.type === LAUNCH_TEMPLATE) && !hasInstanceProfile(r))
            .map((r) => ({
                urn: r.urn,
                message: `${r.type === INSTANCE ? "the instance" : "the launch template"} has no iamInstanceProfile; give its hosts an instance profile whose role has AmazonSSMManagedInstanceCore, so that Systems Manager manages them`,
            }));
        const ssmRoles = new Set<string>();
        for (const r of resources) {
            if (r.type === ROLE_POLICY_ATTACHMENT && SSM_CORE_POLICY.test(text(r.props.policyArn) ?? "") && text(r.props.role)) {
                ssmRoles.add(roleName(text(r.props.role)!));
            }
            if (r.type === ROLE && list(r.props.managedPolicyArns).some((a) => SSM_CORE_POLICY.test(String(a))) && text(r.props.name)) {
                ssmRoles.add(roleName(text(r.props.name)!));
            }
        }
        for (const profile of resources.filter((r) => r.type === INSTANCE_PROFILE)) {
            const role = text(profile.props.role);
            if (role !== undefined && !ssmRoles.has(roleName(role))) {
                violations.push({
                    urn: profile.urn,
                    message: `the instance profile's role ${show(roleName(role))} has no AmazonSSMManagedInstanceCore attached in this stack; attach it (aws.iam.RolePolicyAttachment), or the SSM agent on its hosts cannot register`,
                });
            }
        }
        return violations;
    },
};

export const ssmRules = { stack: [managedBySsm] };
