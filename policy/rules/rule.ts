/**
 * The shape every armfarm policy has. A rule is a plain function of a resource's type and properties, so the
 * same code runs under `@pulumi/policy` (`pulumi preview --policy-pack policy`) and directly over the offline
 * plan's JSON resources (`check.ts`), where inputs that the mocks could not resolve read `[unknown]`.
 */

export type EnforcementLevel = "mandatory" | "advisory";

/** A resource as a policy sees it: its type token, name, URN and properties (inputs). */
export interface Subject {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
}

/** The pack's own configuration (`pulumi preview --policy-pack-config`). */
export interface PackConfig {
    /** Hubs verified as multi-arch outside this stack (by an earlier build or a vendor's published index). */
    verifiedHubs: string[];
}

/** A check of one resource at a time: returns one message per violation, none when the resource complies. */
export interface ResourceRule {
    kind: "resource";
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** The resource type tokens the rule reads; other types are not its business. */
    types: readonly string[];
    check(props: Record<string, any>, subject: Subject): string[];
}

export interface StackViolation {
    message: string;
    /** The resource the violation is about, when there is one. */
    urn?: string;
}

/** A check of the whole stack: relations between resources that no single resource shows. */
export interface StackRule {
    kind: "stack";
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** True when the rule reads the pack's config (it then declares the config's schema to the engine). */
    readsConfig?: boolean;
    check(resources: readonly Subject[], config: PackConfig): StackViolation[];
}

export type Rule = ResourceRule | StackRule;
