/** Every armfarm policy, in the order the pack reports them. */
import { ec2Rules } from "./ec2";
import { ecrRules } from "./ecr";
import { gkeRules } from "./gke";
import { verifiedHub } from "./hub";
import { iamRules } from "./iam";
import { istioRules } from "./istio";
import { meshWebhookFirewall } from "./mesh-firewall";
import { mtlsRules } from "./mtls";
import { ssmRules } from "./ssm";
import { PackConfig, Rule } from "./rule";

export const RULES: readonly Rule[] = [
    ...ec2Rules,
    ...ecrRules.resource, ...ecrRules.stack,
    ...iamRules,
    ...ssmRules.stack,
    ...gkeRules,
    meshWebhookFirewall,
    ...istioRules.resource,
    ...mtlsRules.resource, ...mtlsRules.stack,
    verifiedHub,
];

export const DEFAULT_CONFIG: PackConfig = { verifiedHubs: [] };

export * from "./rule";
