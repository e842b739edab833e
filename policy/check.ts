/**
 * Runs the whole pack without the Pulumi engine: over resources given as type, name, URN and properties, such
 * as the offline plan's (`npm run plan -- --json`). Tests use it to show that a stack's plan passes the pack.
 *
 * Over a plan of a first preview (`npm run plan -- --preview --json`), `{ preview: true }` presents each
 * resource as the engine and @pulumi/policy present it during `pulumi preview`:
 * - a resource policy reads the resource's inputs, and a stack policy its outputs as the preview answered
 *   them (pulumi/pulumi@v3.259.0:pkg/resource/deploy/step_generator.go: `AnalyzeResources`, "AnalyzeStack is
 *   called on the final outputs of each resource"; a resource whose provider is not configured yet, such as a
 *   kubernetes provider of a cluster the same preview creates, has no outputs at all);
 * - reading a value that is unknown throws, and the policy that read it becomes an advisory "can't run ...
 *   during preview" instead of reporting a violation (pulumi/pulumi-policy@v1.21.0:sdk/nodejs/policy/proxy.ts
 *   `unknownCheckingProxy`, sdk/nodejs/policy/server.ts, `UnknownValueError`). The pack's own dependency does
 *   the reading, so the behaviour is the one the pack runs with.
 */
import { DEFAULT_CONFIG, EnforcementLevel, PackConfig, Rule, RULES, Subject } from "./rules";
import { UNKNOWN } from "./rules/values";

// The proxy @pulumi/policy wraps properties in; the module is internal (no types), its version pinned in package.json.
const { UnknownValueError, unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as {
    UnknownValueError: new (...args: any[]) => Error;
    unknownCheckingProxy(props: unknown): Record<string, any>;
    unknownStringValue: string;
};

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
    custom?: boolean;
    inputs: Record<string, unknown>;
    /**
     * What stack policies see: a component's registered outputs, and in a `--preview` plan a custom resource's
     * outputs where the preview answered something other than its inputs.
     */
    outputs?: Record<string, unknown>;
}

export interface CheckOptions {
    /** Present the resources as a first `pulumi preview` does (see above). */
    preview?: boolean;
}

/** The name and version the engine reports the pack under (its PulumiPolicy.yaml folder's package.json). */
const PACK = { name: "armfarm", version: require("./package.json").version as string };

export function toSubject(r: PlanResource): Subject {
    return { type: r.type, name: r.name, urn: r.urn, props: { ...r.inputs, ...r.outputs } as Record<string, any> };
}

/** The offline plan's `[unknown]` as the engine sends an unknown to an analyzer: the unknown-string sentinel. */
function asEngineValue(value: unknown): unknown {
    if (value === UNKNOWN) return unknownStringValue;
    if (Array.isArray(value)) return value.map(asEngineValue);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asEngineValue(v)]));
    }
    return value;
}

function previewSubject(r: PlanResource, view: "inputs" | "outputs"): Subject {
    // A preview plan records a custom resource's outputs only where they are not its inputs.
    const props = view === "inputs" ? r.inputs : r.outputs ?? (r.custom === false ? {} : r.inputs);
    return { type: r.type, name: r.name, urn: r.urn, props: unknownCheckingProxy(asEngineValue(props)) };
}

/** Every violation of `rules` (default: the whole pack) in `resources`. */
export function checkResources(resources: readonly PlanResource[], config: Partial<PackConfig> = {},
    rules: readonly Rule[] = RULES, options: CheckOptions = {}): Finding[] {
    const settings: PackConfig = { ...DEFAULT_CONFIG, ...config };
    const findings: Finding[] = [];
    const asInputs = resources.map((r) => (options.preview ? previewSubject(r, "inputs") : toSubject(r)));
    const asOutputs = options.preview ? resources.map((r) => previewSubject(r, "outputs")) : asInputs;
    /** Runs one policy's check; under a preview, a read of an unknown turns the policy into an advisory. */
    const run = (rule: Rule, urn: string | undefined, check: () => { message: string; urn?: string }[]) => {
        try {
            for (const v of check()) findings.push({ policy: rule.name, enforcementLevel: rule.enforcementLevel, ...v });
        } catch (err) {
            if (!(options.preview && err instanceof UnknownValueError)) throw err;
            findings.push({
                policy: rule.name, enforcementLevel: "advisory", ...(urn ? { urn } : {}),
                message: `can't run policy '${rule.name}' from policy pack '${PACK.name}@v${PACK.version}' during preview: ${err.message}`,
            });
        }
    };
    for (const rule of rules) {
        if (rule.kind === "stack") {
            run(rule, undefined, () => rule.check(asOutputs, settings));
            continue;
        }
        for (const s of asInputs.filter((x) => rule.types.includes(x.type))) {
            run(rule, s.urn, () => rule.check(s.props, s).map((message) => ({ message, urn: s.urn })));
        }
    }
    return findings;
}
