/**
 * Shared test helpers: run the whole program under the offline plan's mock engine with the dev stack's
 * config (plus overrides), and look up what it registered.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { runPlan, Plan, PlannedResource } from "../scripts/plan/engine";
import { MockOverrides } from "../scripts/plan/mocks";
import { asConfigString, loadStackConfig, readProjectFile } from "../scripts/plan/stack-config";
import { StackReferences } from "../scripts/plan/stack-reference";
import { Part, partOfKey } from "../config/parts";

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Config overrides by full key (`armfarm:farmSpot`); `undefined` removes a key. */
export type Overrides = Record<string, unknown>;

export interface PlanOptions {
    stack?: string;
    /** The stack file, relative to the project; default `Pulumi.<stack>.yaml`. */
    file?: string;
    /** What the stack file's ESC environments open to (`esc open` output files), as --esc gives them. */
    esc?: string[];
    mocks?: MockOverrides;
    /** Keys whose values the CLI would pass as secrets (set with `pulumi config set --secret`). */
    secretKeys?: string[];
    /** The outputs of stacks the program reads with a StackReference, by the stack's full name (as --ref gives them). */
    refs?: StackReferences;
}

export class PlanView {
    constructor(readonly plan: Plan) {}

    get resources(): PlannedResource[] {
        return this.plan.resources;
    }

    get outputs(): Record<string, unknown> {
        return this.plan.outputs;
    }

    ofType(type: string): PlannedResource[] {
        return this.plan.resources.filter((r) => r.type === type);
    }

    /** The one resource of this type and name; fails the test when there is none. */
    get(type: string, name: string): PlannedResource {
        const found = this.plan.resources.find((r) => r.type === type && r.name === name);
        if (!found) {
            const names = this.ofType(type).map((r) => r.name);
            assert.fail(`no ${type} named ${name}; the plan has ${names.length ? names.join(", ") : "none of that type"}`);
        }
        return found;
    }

    byUrn(urn: string): PlannedResource {
        const found = this.plan.resources.find((r) => r.urn === urn);
        if (!found) assert.fail(`no resource ${urn}`);
        return found;
    }
}

/**
 * True when `resource` waits for the resource `target` before it is created: through its `dependsOn`, followed
 * transitively, where depending on a component means depending on each of its children (as the engine orders it).
 */
export function dependsOnTransitively(view: PlanView, resource: PlannedResource, target: string): boolean {
    const seen = new Set<string>();
    const queue = [...resource.options.dependsOn];
    while (queue.length > 0) {
        const urn = queue.shift()!;
        if (urn === target) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const found = view.resources.find((r) => r.urn === urn);
        if (!found) continue;
        queue.push(...found.options.dependsOn);
        if (!found.custom) queue.push(...view.resources.filter((r) => r.parent === urn).map((r) => r.urn));
    }
    return false;
}

/**
 * The dev stack's config (or another stack file's) with overrides applied, as the CLI would pass it. When the
 * overrides name the parts, the stack file's keys of the parts left out go back to their declared defaults, as
 * in a stack file written for those parts; keys the overrides set stay as they are.
 */
export function devConfig(overrides: Overrides = {}, stack = "dev", file = `Pulumi.${stack}.yaml`, escFiles: readonly string[] = []) {
    const config = loadStackConfig(PROJECT_DIR, path.join(PROJECT_DIR, file), escFiles);
    const parts = overrides["armfarm:parts"];
    if (Array.isArray(parts)) {
        const declared = readProjectFile(PROJECT_DIR).config ?? {};
        const defaults: Record<string, string> = Object.fromEntries(Object.entries(declared)
            .filter(([, decl]) => typeof decl === "object" && decl !== null && "default" in decl)
            .map(([key, decl]) => [`armfarm:${key}`, asConfigString((decl as { default: unknown }).default)]));
        for (const key of Object.keys(config.values)) {
            const part = key.startsWith("armfarm:") ? partOfKey(key.slice("armfarm:".length)) : undefined;
            if (part && !parts.includes(part as Part) && !(key in overrides)) {
                if (key in defaults) config.values[key] = defaults[key];
                else delete config.values[key];
            }
        }
    }
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete config.values[key];
        else config.values[key] = asConfigString(value);
    }
    return config;
}

/** Runs the program for the dev stack with `overrides` and returns what it registered. */
export async function plan(overrides: Overrides = {}, options: PlanOptions = {}): Promise<PlanView> {
    const stack = options.stack ?? "dev";
    const config = devConfig(overrides, stack, options.file, options.esc);
    config.secretKeys = [...new Set([...config.secretKeys, ...(options.secretKeys ?? [])])].sort();
    const result = await runPlan({ projectDir: PROJECT_DIR, stack, config, mocks: options.mocks, stackReferences: options.refs });
    return new PlanView(result);
}

/** Runs the program and expects it to fail; returns the error message. */
export async function planError(overrides: Overrides = {}, options: PlanOptions = {}): Promise<string> {
    try {
        await plan(overrides, options);
    } catch (err) {
        return err instanceof Error ? err.message : String(err);
    }
    return assert.fail("expected the program to fail, but it planned");
}

/** `plan` and `planError` with `base` overrides under every call's own: a spec's view of one part of the stack. */
export function planningWith(base: Overrides) {
    return {
        plan: (overrides: Overrides = {}, options?: PlanOptions) => plan({ ...base, ...overrides }, options),
        planError: (overrides: Overrides = {}, options?: PlanOptions) => planError({ ...base, ...overrides }, options),
    };
}

/** The build script's environment as the build's document exports it. */
export function scriptEnv(view: PlanView, document = "build-build"): Record<string, string> {
    const content = JSON.parse(view.get("aws:ssm/document:Document", document).inputs.content as string);
    const lines: string[] = content.mainSteps[0].inputs.runCommand;
    return Object.fromEntries(lines.map((l) => /^export (ARMFARM_\w+)='(.*)'$/.exec(l)).filter((m) => m !== null)
        .map((m) => [m![1], m![2]]));
}

/** The settings the build's wait command runs with. */
export function waitSettings(view: PlanView): Record<string, any> {
    return JSON.parse((view.get("command:local:Command", "build-wait").inputs.environment as Record<string, string>).ARMFARM_BUILD_WAIT);
}

/**
 * Plans a stack file holding `config` under the stack name `stack`, as `npm run plan -- --config FILE --stack NAME`
 * does: the project's declared defaults, then the file's values.
 */
export async function planStackFile(config: Record<string, unknown>, stack = "team", options: PlanOptions = {}): Promise<PlanView> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-stack-")), `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ config }));
    return new PlanView(await runPlan({ projectDir: PROJECT_DIR, stack, config: loadStackConfig(PROJECT_DIR, file), mocks: options.mocks, stackReferences: options.refs }));
}

/** `planStackFile`, expected to fail; returns the error message. */
export async function planStackFileError(config: Record<string, unknown>, stack = "team", options: PlanOptions = {}): Promise<string> {
    try {
        await planStackFile(config, stack, options);
    } catch (err) {
        return err instanceof Error ? err.message : String(err);
    }
    return assert.fail("expected the program to fail, but it planned");
}
