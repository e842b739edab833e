/**
 * Runs the whole pack without the Pulumi engine: over resources given as type, name, URN and inputs, such as
 * the offline plan's (`npm run plan -- --json`). Tests use it to show that a stack's plan passes the pack.
 */
import { DEFAULT_CONFIG, EnforcementLevel, PackConfig, Rule, RULES, Subject } from "./rules";

export interface Finding {
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    /** The resource the finding is about; absent for a finding about the stack as a whole. */
    urn?: string;
}

/** A resource as the offline plan writes it. */
export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** A component's registered outputs, which the engine shows stack policies as its properties. */
    outputs?: Record<string, unknown>;
}

export function toSubject(r: PlanResource): Subject {
    return { type: r.type, name: r.name, urn: r.urn, props: { ...r.inputs, ...r.outputs } as Record<string, any> };
}

/** Every violation of `rules` (default: the whole pack) in `resources`. */
export function checkResources(resources: readonly PlanResource[], config: Partial<PackConfig> = {},
    rules: readonly Rule[] = RULES): Finding[] {
    const subjects = resources.map(toSubject);
    const settings: PackConfig = { ...DEFAULT_CONFIG, ...config };
    const findings: Finding[] = [];
    for (const rule of rules) {
        const level = rule.enforcementLevel;
        if (rule.kind === "stack") {
            for (const v of rule.check(subjects, settings)) findings.push({ policy: rule.name, enforcementLevel: level, ...v });
            continue;
        }
        for (const s of subjects.filter((x) => rule.types.includes(x.type))) {
            for (const message of rule.check(s.props, s)) findings.push({ policy: rule.name, enforcementLevel: level, message, urn: s.urn });
        }
    }
    return findings;
}
