/**
 * The offline plan as a first `pulumi preview` sees it (`npm run plan -- --preview`), and the policy pack run
 * over it the way the engine and @pulumi/policy run it during that preview (policy/check.ts, `preview`).
 */
import { runPlan } from "../scripts/plan/engine";
import { checkResources, Finding } from "../policy/check";
import { PackConfig } from "../policy/rules";
import { devConfig, Overrides, PlanOptions, PlanView, PROJECT_DIR } from "./harness";

/** Runs the program for the dev stack with `overrides`, as a first `pulumi preview` would. */
export async function previewPlan(overrides: Overrides = {}, options: PlanOptions = {}): Promise<PlanView> {
    const stack = options.stack ?? "dev";
    const result = await runPlan({ projectDir: PROJECT_DIR, stack, config: devConfig(overrides, stack), mocks: options.mocks, preview: true });
    return new PlanView(result);
}

/** What the pack reports during that preview: violations, and the policies that cannot run on unknown values. */
export function packAtPreview(view: PlanView, config: Partial<PackConfig> = {}): Finding[] {
    return checkResources(view.resources, config, undefined, { preview: true });
}

/** A finding as `[policy, level, resource name]`, for assertions that read like the pack's report. */
export function brief(f: Finding): [string, string, string | undefined] {
    return [f.policy, f.enforcementLevel, f.urn?.split("::").pop()];
}
