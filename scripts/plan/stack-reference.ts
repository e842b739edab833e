/**
 * StackReferences in the offline plan: a stack that reads another stack's outputs
 * (`new pulumi.StackReference("acme/armfarm/farm")`) is planned with that stack's own plan standing in for it:
 *
 *   npm run -s plan -- --stack farm --config examples/split/Pulumi.farm.yaml --json > farm.json
 *   npm run -s plan -- --stack build --config examples/split/Pulumi.build.yaml --ref acme/armfarm/farm=farm.json ...
 *
 * The engine reads a StackReference as a resource of type `pulumi:pulumi:StackReference` whose id is the stack's
 * name; it answers with the stack's `outputs`, secret ones marked secret, and `secretOutputNames`, the sorted
 * names of the outputs that hold a secret (pulumi/pulumi@v3.259.0:pkg/resource/deploy/builtins.go,
 * `readStackReference`). The SDK reads both (@pulumi/pulumi@3.270.0:stackReference.js). Reads run during
 * previews too (pkg/resource/deploy/step.go, `ReadStep.Apply`), so a reference is known in both modes.
 */
import * as pulumi from "@pulumi/pulumi";
import { readPlanFile } from "./diff";
import { SECRET_PLACEHOLDER, StackFileError } from "./stack-config";
import { UNKNOWN_PLACEHOLDER } from "./preview";

export const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** The outputs that stand in for each referenced stack, by the name the program gives its StackReference. */
export type StackReferences = Record<string, Record<string, unknown>>;

const holds = (value: unknown, placeholder: string): boolean =>
    value === placeholder ||
    (Array.isArray(value) ? value.some((v) => holds(v, placeholder)) :
        value !== null && typeof value === "object" && Object.values(value).some((v) => holds(v, placeholder)));

/**
 * Reads one `--ref ORG/PROJECT/STACK=PLAN.json`: the plan must be a `--json` plan of that stack (its `stack`
 * is the reference's last part) made as `pulumi up` would leave it, not a `--preview` one, since a reference
 * reads the other stack's state after its update.
 */
export function readStackReference(spec: string): [string, Record<string, unknown>] {
    const cut = spec.indexOf("=");
    const name = cut > 0 ? spec.slice(0, cut) : "";
    const file = cut > 0 ? spec.slice(cut + 1) : "";
    const parts = name.split("/");
    if (!file || parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
        throw new StackFileError(`--ref ${JSON.stringify(spec)} is not ORG/PROJECT/STACK=PLAN.json`);
    }
    const plan = readPlanFile(file, "--ref");
    if (plan.stack !== parts[2]) {
        throw new StackFileError(`--ref ${name}: ${file} is the plan of stack ${JSON.stringify(plan.stack)}, not of ${JSON.stringify(parts[2])}`);
    }
    if (holds(plan.outputs, UNKNOWN_PLACEHOLDER)) {
        throw new StackFileError(`--ref ${name}: ${file} has unknown outputs (a --preview plan); a reference reads the stack after its update: plan it without --preview`);
    }
    return [name, plan.outputs];
}

export function readStackReferences(specs: readonly string[]): StackReferences {
    const refs: StackReferences = {};
    for (const spec of specs) {
        const [name, outputs] = readStackReference(spec);
        if (name in refs) throw new StackFileError(`--ref ${name} is given twice`);
        refs[name] = outputs;
    }
    return refs;
}

/** The mocks, with StackReferences answered from `refs`; a reference without one fails, naming the stack. */
export function stackReferenceMocks(mocks: pulumi.runtime.Mocks, refs: StackReferences): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            if (args.type !== STACK_REFERENCE) return mocks.newResource(args);
            const name = String(args.inputs?.name ?? args.id);
            const outputs = refs[name];
            if (!outputs) {
                throw new StackFileError(`the program reads stack ${name} with a StackReference, and no --ref gives its plan: ` +
                    `add --ref ${name}=PLAN.json, where PLAN.json is that stack's npm run -s plan -- --json`);
            }
            const names = Object.keys(outputs).sort();
            const secret = names.filter((k) => holds(outputs[k], SECRET_PLACEHOLDER));
            const state: Record<string, unknown> = {};
            for (const k of names) state[k] = secret.includes(k) ? pulumi.secret(outputs[k]) : outputs[k];
            return { id: name, state: { name, outputs: state, secretOutputNames: secret } };
        },
        call: (args: pulumi.runtime.MockCallArgs) => mocks.call(args),
    };
}
