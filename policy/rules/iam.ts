/** IAM: no policy grants every action on every resource. */
import { ResourceRule } from "./rule";
import { list, record } from "./values";

export const IAM_POLICY = "aws:iam/policy:Policy";
export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy";
export const IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";
export const IAM_ATTACHMENTS = [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment",
];

/** The AWS managed policy that allows every action on every resource, in any partition (IAM User Guide, "AWS managed policies for job functions"). */
const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;

/** A policy document as the provider takes it: JSON text or an object; undefined when it cannot be read. */
function parseDocument(policy: unknown): Record<string, any> | undefined {
    if (typeof policy === "string") {
        try {
            return record(JSON.parse(policy));
        } catch {
            return undefined;
        }
    }
    return policy && typeof policy === "object" ? record(policy) : undefined;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** The statements (by index) that allow `*` on `*`. */
export function adminStatements(policy: unknown): number[] {
    const doc = parseDocument(policy);
    if (!doc) return [];
    return asList(doc.Statement).flatMap((raw, i) => {
        const s = record(raw);
        const allows = s.Effect === "Allow";
        const anyAction = asList(s.Action).includes("*");
        const anyResource = asList(s.Resource).includes("*");
        return allows && anyAction && anyResource ? [i] : [];
    });
}

export const noAdminPolicy: ResourceRule = {
    kind: "resource",
    name: "iam-no-star-action-on-star-resource",
    description: "AWS Security Hub IAM.1 (customer managed policies), and the same for inline ones: no IAM policy allows the action * on the resource *, and no role, user or group gets the AWS managed AdministratorAccess.",
    enforcementLevel: "mandatory",
    types: [IAM_POLICY, IAM_ROLE, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY, ...IAM_ATTACHMENTS],
    check(props, subject) {
        const attached = IAM_ATTACHMENTS.includes(subject.type) ? [["policyArn", props.policyArn] as const]
            : subject.type === IAM_ROLE ? list(props.managedPolicyArns).map((arn, i) => [`managedPolicyArns[${i}]`, arn] as const) : [];
        const admin = attached.filter(([, arn]) => typeof arn === "string" && ADMINISTRATOR_ACCESS.test(arn))
            .map(([where, arn]) => `${where} is ${arn} (full administrator); attach a policy that names the actions and resources the principal needs`);
        if (IAM_ATTACHMENTS.includes(subject.type)) return admin;
        const documents: [string, unknown][] = subject.type === IAM_ROLE
            ? list(props.inlinePolicies).map((p, i) => [`inlinePolicies[${i}].policy`, p?.policy])
            : [["policy", props.policy]];
        return [...admin, ...documents.flatMap(([where, doc]) => adminStatements(doc).map((i) =>
            `${where}: Statement[${i}] allows "*" on "*" (full administrator); name the actions and resources the principal needs`))];
    },
};

export const iamRules: ResourceRule[] = [noAdminPolicy];
