import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { makeMocks, MockOverrides } from "./mocks";
import { holdsUnknown, previewMocks, UNKNOWN_PLACEHOLDER, UNKNOWN_WIRE } from "./preview";
import { stackReferenceMocks, StackReferences } from "./stack-reference";
import { StackConfig, SECRET_PLACEHOLDER } from "./stack-config";

export interface PlannedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    dependsOn: string[];
    provider: string | null;
    customTimeouts: { create?: string; update?: string; delete?: string } | null;
}

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string | null;
    inputs: Record<string, unknown>;
    /**
     * What stack policies see of the resource: a component's outputs as it registers them (`registerOutputs`),
     * and, in a `--preview` plan, a custom resource's outputs when the engine's preview answers something else
     * than its inputs: its inputs with what the cloud computes `[unknown]`, or nothing at all when its provider's
     * configuration is unknown (see preview.ts).
     */
    outputs?: Record<string, unknown>;
    options: PlannedOptions;
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
}

export interface PlanRequest {
    /** The folder that holds Pulumi.yaml and the program. */
    projectDir: string;
    stack: string;
    config: StackConfig;
    /** Replace some mock answers (tests feed failing registry answers this way). */
    mocks?: MockOverrides;
    /**
     * Play a first `pulumi preview` instead of a first `pulumi up`: outputs the cloud computes are unknown, and so
     * is everything derived from them (see preview.ts).
     */
    preview?: boolean;
    /** The plans that stand in for the stacks the program reads with a StackReference, by the name it reads. */
    stackReferences?: StackReferences;
}

// Two SDK functions the mock harness needs that the SDK marks internal (checked with @pulumi/pulumi 3.270):
// waiting for outstanding registrations, and the feature flags that `setMocks` sets.
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const { getStore } = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };

// Property values the engine protocol marks with a signature key.
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/** Turns a wire-format property value into plain JSON: secrets masked, references shown by URN. */
export function plainValue(value: unknown): unknown {
    if (value === UNKNOWN_WIRE) return UNKNOWN_PLACEHOLDER;
    if (Array.isArray(value)) return value.map(plainValue);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        switch (obj[SIG]) {
            case SECRET_SIG: return SECRET_PLACEHOLDER;
            case RESOURCE_SIG: return obj.urn;
            case ASSET_SIG: return obj.text ?? obj.path ?? obj.uri;
            case ARCHIVE_SIG: return obj.path ?? obj.uri ?? "[archive]";
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(obj).sort()) {
            if (obj[key] !== undefined && obj[key] !== null) out[key] = plainValue(obj[key]);
        }
        return out;
    }
    return value;
}

/** A provider reference on the wire is `urn::id`; the plan shows the URN. */
function providerUrn(ref: string): string | null {
    if (!ref) return null;
    const cut = ref.lastIndexOf("::");
    return cut > 0 ? ref.slice(0, cut) : ref;
}

function readOptions(req: any): PlannedOptions {
    const timeouts = req.getCustomtimeouts?.();
    const t = timeouts
        ? Object.fromEntries(
              (["create", "update", "delete"] as const)
                  .map((k) => [k, timeouts[`get${k[0].toUpperCase()}${k.slice(1)}`]()])
                  .filter(([, v]) => v),
          )
        : null;
    return {
        protect: Boolean(req.getProtect()),
        retainOnDelete: Boolean(req.getRetainondelete()),
        deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
        ignoreChanges: [...req.getIgnorechangesList()].sort(),
        replaceOnChanges: [...req.getReplaceonchangesList()].sort(),
        dependsOn: [...new Set<string>(req.getDependenciesList())].sort(),
        provider: providerUrn(req.getProvider()),
        customTimeouts: t && Object.keys(t).length > 0 ? t : null,
    };
}

/** Files of the project (not of node_modules), so that each run evaluates the program afresh. */
function forgetProjectModules(projectDir: string): void {
    const root = path.resolve(projectDir) + path.sep;
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(root) && !file.includes(`${path.sep}node_modules${path.sep}`) &&
            !file.includes(`${path.sep}scripts${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

/**
 * Runs the program in `projectDir` under the SDK's mock engine, as a first `pulumi up` would run it (or, with
 * `preview`, a first `pulumi preview`), and returns every resource it registers with its inputs and options,
 * plus the stack outputs. Throws the program's own error (for example a ConfigError) when it fails.
 */
export async function runPlan(request: PlanRequest): Promise<Plan> {
    const { projectDir, stack, config } = request;
    const preview = request.preview === true;
    // Providers whose configuration holds an unknown in this preview: the engine leaves them unconfigured.
    const unconfigured = new Set<string>();
    const upMocks = stackReferenceMocks(makeMocks(request.mocks), request.stackReferences ?? {});
    const monitor = new MockMonitor(preview ? previewMocks(upMocks, unconfigured) : upMocks);
    const recorded = new Map<string, PlannedResource>();
    let outputs: Record<string, unknown> = {};
    const componentOutputs = new Map<string, Record<string, unknown>>();
    let stackUrn = "";

    const register = monitor.registerResource.bind(monitor);
    (monitor as any).registerResource = (req: any, callback: (err: any, res: any) => void) => {
        const wire = req.getObject()?.toJavaScript() ?? {};
        const partial = {
            type: req.getType() as string,
            name: req.getName() as string,
            custom: Boolean(req.getCustom()),
            parent: (req.getParent() as string) || null,
            inputs: plainValue(wire) as Record<string, unknown>,
            options: readOptions(req),
        };
        return register(req, (err: any, res: any) => {
            if (!err && res) {
                const urn = res.getUrn() as string;
                // In a preview, a stack policy reads a custom resource's outputs as the preview answers them
                // (pulumi/pulumi@v3.259.0:pkg/resource/deploy/step_generator.go `AnalyzeResources`): recorded
                // when they are not its inputs.
                const answered = preview && partial.custom ? plainValue(res.getObject()?.toJavaScript() ?? {}) : undefined;
                const differs = answered !== undefined && JSON.stringify(answered) !== JSON.stringify(partial.inputs);
                recorded.set(urn, { urn, ...partial, ...(differs ? { outputs: answered as Record<string, unknown> } : {}) });
                if (partial.type === "pulumi:pulumi:Stack") stackUrn = urn;
                if (partial.type.startsWith("pulumi:providers:") && holdsUnknown(wire)) unconfigured.add(urn);
            }
            callback(err, res);
        });
    };
    // A failed invoke reaches the program as the engine's gRPC error, whose `details` the SDK shows; the engine
    // words a provider's failure "invocation of <token> returned an error: <the provider's error>".
    const invoke = monitor.invoke.bind(monitor);
    (monitor as any).invoke = (req: any, callback: (err: any, res: any) => void) =>
        invoke(req, (err: any, res: any) => callback(err && !err.details
            ? Object.assign(err, { details: `invocation of ${req.getTok()} returned an error: ${err.message}` }) : err, res));
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    (monitor as any).registerResourceOutputs = (req: any, callback: (err: any, res: any) => void) => {
        const registered = plainValue(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        if (req.getUrn() === stackUrn) outputs = registered;
        else if (Object.keys(registered).length > 0) componentOutputs.set(req.getUrn(), registered);
        return registerOutputs(req, callback);
    };

    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    setMockOptions(monitor, config.project, stack, preview);
    const store = getStore();
    Object.assign(store, {
        supportsSecrets: true, supportsResourceReferences: true, supportsOutputValues: false,
        supportsDeletedWith: true, supportsAliasSpecs: true, supportsTransforms: true,
        supportsInvokeTransforms: true, supportsParameterization: true, supportsInvokeDependsOn: false,
    });

    // Errors raised inside apply callbacks surface as rejected promises, as they do under `pulumi up`.
    const asyncErrors: unknown[] = [];
    const onRejection = (reason: unknown) => asyncErrors.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        forgetProjectModules(projectDir);
        await runInPulumiStack(async () => {
            // The directory itself (its package.json's main), never a `<dir>.js` or `<dir>.json` beside it, which
            // Node would take first for a path without the trailing separator.
            const program = require(path.resolve(projectDir) + path.sep);
            return typeof program === "function" ? await program() : program;
        });
    } finally {
        // Even when the program failed, let its outstanding registrations settle and their rejections arrive
        // here, so that nothing of this run leaks into the next one run in the same process.
        await waitForRPCs().catch((err) => asyncErrors.push(err));
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
    }
    if (asyncErrors.length > 0) throw asyncErrors[0];

    for (const [urn, registered] of componentOutputs) {
        const resource = recorded.get(urn);
        if (resource && !resource.custom) resource.outputs = registered;
    }
    const resources = [...recorded.values()].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { project: config.project, stack, resources, outputs };
}
