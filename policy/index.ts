/**
 * armfarm's CrossGuard policy pack. Run it with a preview or an update:
 *
 *   pulumi preview --policy-pack policy [--policy-pack-config policy-config.json]
 *
 * Each policy is a plain function in rules/ (shared with the offline checker in check.ts); this file only
 * hands them to @pulumi/policy.
 */
import { PolicyConfigSchema, PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_CONFIG, PackConfig, ResourceRule, RULES, StackRule } from "./rules";

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        validateResource: (args, reportViolation) => {
            if (!rule.types.includes(args.type)) return;
            const subject = { type: args.type, name: args.name, urn: args.urn, props: args.props };
            for (const message of rule.check(args.props, subject)) reportViolation(message);
        },
    };
}

/** The schema of the pack's config, for the policies that read it. */
const CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        verifiedHubs: {
            type: "array", items: { type: "string" }, default: DEFAULT_CONFIG.verifiedHubs,
            description: "Hubs verified as multi-arch (linux/amd64 and linux/arm64 under every tag in use) outside this stack.",
        },
    },
};

function stackPolicy(rule: StackRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: rule.readsConfig ? CONFIG_SCHEMA : undefined,
        validateStack: (args, reportViolation) => {
            const config: PackConfig = { ...DEFAULT_CONFIG, ...args.getConfig<Partial<PackConfig>>() };
            const subjects = args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
            for (const v of rule.check(subjects, config)) reportViolation(v.message, v.urn);
        },
    };
}

new PolicyPack("armfarm", {
    policies: RULES.map((rule) => (rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule))),
});
