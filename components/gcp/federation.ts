import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { serviceAccountId, workloadIdentityPoolId } from "./names";

/** An IAM role ARN: `arn:<partition>:iam::<account>:role/<optional path/><name>`. */
export const IAM_ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
export const IAM_ROLE_ARN_ACCEPTED = "an IAM role ARN such as arn:aws:iam::123456789012:role/farm-host";

/**
 * The `aws_role` attribute a session of the role presents to Google's STS: the assumed-role ARN without the
 * session name and without the role's path, as AWS writes it in GetCallerIdentity.
 */
export function assumedRoleArn(roleArn: string): string {
    const m = IAM_ROLE_ARN.exec(roleArn);
    if (!m) throw new Error(`${JSON.stringify(roleArn)} is not ${IAM_ROLE_ARN_ACCEPTED}`);
    return `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}`;
}

/** The account of a role ARN. */
export function accountOf(roleArn: string): string {
    const m = IAM_ROLE_ARN.exec(roleArn);
    if (!m) throw new Error(`${JSON.stringify(roleArn)} is not ${IAM_ROLE_ARN_ACCEPTED}`);
    return m[2];
}

/**
 * Google's documented attribute mapping for AWS: the subject is the caller's ARN, and `aws_role` is the
 * assumed role (sessions of one role share it). Source: Google Cloud IAM, "Configure Workload Identity
 * Federation with AWS or Azure", attribute mapping for AWS.
 */
export const AWS_ATTRIBUTE_MAPPING: Record<string, string> = {
    "google.subject": "assertion.arn",
    "attribute.aws_account": "assertion.account",
    "attribute.aws_role": "assertion.arn.contains('assumed-role') ? " +
        "assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
};

export interface FederationSettings {
    project: pulumi.Input<string>;
    /** The stem of the pool id and the push account id (names.ts). */
    namePrefix: string;
    clusterName: string;
    buildHostRoleArn: pulumi.Input<string>;
    awsAccountId: pulumi.Input<string>;
    repository: gcp.artifactregistry.Repository;
}

export interface Federation {
    /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
    providerName: pulumi.Output<string>;
    pushServiceAccountEmail: pulumi.Output<string>;
}

/**
 * Keyless pushes from the AWS build hosts: a Workload Identity Pool with an AWS provider that trusts the
 * farm's account and admits only sessions of the farm's host role, a push service account with writer rights
 * on the hub alone, and the binding that lets that role's sessions impersonate it.
 */
export function createFederation(name: string, s: FederationSettings, opts: pulumi.CustomResourceOptions): Federation {
    const role = pulumi.output(s.buildHostRoleArn).apply(assumedRoleArn);
    // Pool ids are 4-32 characters and, once deleted, stay reserved for 30 days: the id is fixed, not random.
    const pool = new gcp.iam.WorkloadIdentityPool(`${name}-aws`, {
        project: s.project,
        workloadIdentityPoolId: workloadIdentityPoolId(s.namePrefix, "aws"),
        displayName: "armfarm AWS build hosts",
        description: "Sessions of the armfarm build farm's host role, pushing to the GKE hub",
    }, opts);
    const provider = new gcp.iam.WorkloadIdentityPoolProvider(`${name}-aws`, {
        project: s.project,
        workloadIdentityPoolId: pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: "farm-hosts",
        displayName: "armfarm farm host role",
        aws: { accountId: s.awsAccountId },
        attributeMapping: AWS_ATTRIBUTE_MAPPING,
        attributeCondition: pulumi.interpolate`attribute.aws_role == "${role}"`,
    }, opts);
    const pusher = new gcp.serviceaccount.Account(`${name}-pusher`, {
        project: s.project,
        accountId: serviceAccountId(s.namePrefix, "push"),
        displayName: `armfarm image pushes to the ${s.clusterName} hub`,
        description: "Impersonated by the AWS build hosts through Workload Identity Federation; writes the hub only",
    }, opts);
    new gcp.artifactregistry.RepositoryIamMember(`${name}-hub-pusher`, {
        project: s.repository.project,
        location: s.repository.location,
        repository: s.repository.name,
        role: "roles/artifactregistry.writer",
        member: pulumi.interpolate`serviceAccount:${pusher.email}`,
    }, opts);
    new gcp.serviceaccount.IAMMember(`${name}-pusher-federated`, {
        serviceAccountId: pusher.name,
        role: "roles/iam.workloadIdentityUser",
        member: pulumi.interpolate`principalSet://iam.googleapis.com/${pool.name}/attribute.aws_role/${role}`,
    }, opts);
    return {
        providerName: provider.name,
        pushServiceAccountEmail: pusher.email,
    };
}
