/**
 * Helpers for the policy specs: synthetic resources as the engine (or the offline plan) presents them, and
 * the messages a rule reports about them.
 */
import { PackConfig, ResourceRule, Rule, StackRule, Subject } from "../rules";

let counter = 0;

export function resource(type: string, props: Record<string, any>, name = `r${++counter}`): Subject {
    return { type, name, urn: `urn:pulumi:test::armfarm::${type}::${name}`, props };
}

/** What a resource rule reports about one resource (nothing when the type is not the rule's). */
export function violations(rule: ResourceRule, subject: Subject): string[] {
    return rule.types.includes(subject.type) ? rule.check(subject.props, subject) : [];
}

export function stackViolations(rule: StackRule, resources: Subject[], config: Partial<PackConfig> = {}): string[] {
    return rule.check(resources, { verifiedHubs: [], ...config }).map((v) => v.message);
}

/** Rules the specs have shown rejecting and accepting a resource; pack.spec.ts checks that none is missing. */
export const covered = new Set<string>();

export function cover(rule: Rule): Rule {
    covered.add(rule.name);
    return rule;
}
