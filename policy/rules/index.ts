/** Every armfarm policy, in the order the pack reports them. */
import { ec2Rules } from "./ec2";
import { ecrRules } from "./ecr";
import { gkeRules } from "./gke";
import { verifiedHub } from "./hub";
import { iamRules } from "./iam";
import { istioRules } from "./istio";
import { firewallNoIngressFromAnywhere, meshWebhookFirewall } from "./mesh-firewall";
import { mtlsRules } from "./mtls";
import { ssmRules } from "./ssm";
import { storageRules } from "./storage";
import { PackConfig, Rule } from "./rule";

export const RULES: readonly Rule[] = [
    ...ec2Rules,
    ...ecrRules.resource, ...ecrRules.stack,
    ...iamRules,
    ...storageRules,
    ...ssmRules.stack,
    ...gkeRules,
    meshWebhookFirewall, firewallNoIngressFromAnywhere,
    ...istioRules.resource, ...istioRules.stack,
    ...mtlsRules.resource, ...mtlsRules.stack,
    verifiedHub,
];

export const DEFAULT_CONFIG: PackConfig = { verifiedHubs: [] };

export * from "./rule";
