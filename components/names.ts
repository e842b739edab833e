/**
 * Physical names that must be unique in an AWS account and region or a GCP project all start with one prefix:
 * `armfarm-<stack>` unless config sets another. Two stacks in one account or project then never take each
 * other's names.
 */
import { createHash } from "crypto";

/** A name prefix: lowercase letters, digits and hyphens, starting with a letter, at most 40 (a GKE cluster name). */
export const NAME_PREFIX = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const NAME_PREFIX_ACCEPTED = "1-40 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit, such as armfarm-prod";

/**
 * Beginnings AWS refuses for names armfarm starts with the prefix, each with its source:
 * - SSM documents: "You can't use the following strings as document name prefixes ... aws, amazon, amzn" (AWS
 *   Systems Manager API Reference, CreateDocument, `Name`);
 * - SSM parameters (`/<prefix>/farm/...`): a name "can't be prefixed with aws or ssm (case-insensitive)" (Systems
 *   Manager User Guide, "Parameter name requirements and constraints");
 * - security groups (`<prefix>-farm-hosts-...`): a name cannot start with `sg-` (EC2 API Reference,
 *   CreateSecurityGroup `GroupName`; hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group.go);
 * - S3 buckets (`<prefix>-farm-cache-...`): names may not start with `xn--` or `sthree-` (Amazon S3 User Guide,
 *   "General purpose bucket naming rules").
 */
export const AWS_RESERVED_STARTS: readonly { start: RegExp; what: string }[] = [
    { start: /^(aws|amazon|amzn)/i, what: "aws, amazon and amzn, which AWS keeps for its own SSM documents" },
    { start: /^ssm/i, what: "ssm, which AWS keeps for its own SSM parameters" },
    { start: /^sg-/, what: "sg-, which names no security group" },
    { start: /^(xn--|sthree-)/, what: "xn-- and sthree-, which start no S3 bucket" },
];

/**
 * Beginnings GCP refuses for names armfarm starts with the prefix: a Workload Identity pool id (`<prefix>-aws`)
 * "may contain the characters [a-z0-9-]. The prefix `gcp-` is reserved for use by Google, and may not be
 * specified" (IAM API, projects.locations.workloadIdentityPools.create, `workloadIdentityPoolId`; the same text in
 * @pulumi/gcp@9.37.0:iam/workloadIdentityPool.d.ts).
 */
export const GCP_RESERVED_STARTS: readonly { start: RegExp; what: string }[] = [
    { start: /^gcp(-|$)/, what: "gcp-, which Google keeps for its own Workload Identity pool ids" },
];

/** The clouds whose names a stack's prefix starts. */
export interface PrefixClouds {
    aws?: boolean;
    gcp?: boolean;
}

const MAX_PREFIX = 40;

/** A short, stable digest of `text`, which keeps shortened names apart. */
export function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `text` cut to `max` characters; a cut name ends with a digest of the whole one, so that two long names that
 * share their beginning stay apart.
 */
export function fit(text: string, max: number): string {
    if (text.length <= max) return text;
    return `${text.slice(0, max - 5).replace(/-+$/, "")}-${digest(text, 4)}`;
}

/**
 * The default prefix, `armfarm-<stack>`, made a valid name: a stack may be named with capitals, dots and
 * underscores (Pulumi accepts them), which GCP names do not take.
 */
export function defaultNamePrefix(stack: string): string {
    const cleaned = `armfarm-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/-+$/, "");
    return fit(cleaned, MAX_PREFIX).replace(/-+$/, "");
}

/** `<prefix>-<suffix>` within `max` characters, the suffix kept whole. */
export function scopedName(prefix: string, suffix: string, max: number): string {
    return `${fit(prefix, max - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** Why a prefix cannot start the names armfarm makes in `clouds`, or undefined. */
export function namePrefixProblem(prefix: string, clouds: PrefixClouds): string | undefined {
    if (!NAME_PREFIX.test(prefix)) return `${JSON.stringify(prefix)} is not accepted; expected ${NAME_PREFIX_ACCEPTED}`;
    // The ECR namespace `<prefix>/istio` takes one separator between letters and digits (ECR's repository name
    // pattern, `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`; CreateRepository, `repositoryName`).
    if (clouds.aws && prefix.includes("--")) return `${JSON.stringify(prefix)} holds "--", which no ECR repository name takes; use single hyphens`;
    const reserved = [...(clouds.aws ? AWS_RESERVED_STARTS : []), ...(clouds.gcp ? GCP_RESERVED_STARTS : [])]
        .find((r) => r.start.test(prefix));
    if (reserved) return `${JSON.stringify(prefix)} starts with ${reserved.what}; start it otherwise, such as armfarm-prod`;
    return undefined;
}
