/** The offline plan as a first `pulumi preview` sees it (`npm run plan -- --preview`). */
import { runPlan } from "../scripts/plan/engine";
import { devConfig, Overrides, PlanOptions, PlanView, PROJECT_DIR } from "./harness";

/** Runs the program for the dev stack with `overrides`, as a first `pulumi preview` would. */
export async function previewPlan(overrides: Overrides = {}, options: PlanOptions = {}): Promise<PlanView> {
    const stack = options.stack ?? "dev";
    const result = await runPlan({ projectDir: PROJECT_DIR, stack, config: devConfig(overrides, stack), mocks: options.mocks, preview: true });
    return new PlanView(result);
}
