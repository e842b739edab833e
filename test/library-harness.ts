/**
 * Plans the library fixture (test/fixtures/library): armfarm's components constructed straight from components/,
 * with the arguments a spec gives, as a program that uses them as a library would, without the stack's config or
 * wiring. The config is what such a program's stack would hold: the providers' regions and project, and the case.
 */
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { runPlan } from "../scripts/plan/engine";
import { MockOverrides } from "../scripts/plan/mocks";
import { PlanView, PROJECT_DIR } from "./harness";

export const LIBRARY_FIXTURE = path.join(PROJECT_DIR, "test", "fixtures", "library");

/** The stack the fixture is planned as: names that default to `armfarm-<stack>` become `armfarm-lib`. */
export const LIBRARY_STACK = "lib";

/** What the fixture constructs (see its index.ts). */
export type LibraryCase = "farm" | "build" | "cluster" | "mesh" | "build-and-mesh";

/** Each component's arguments, as JSON; the build's and the mesh's without what the fixture wires (farm, hub, tag). */
export interface LibraryArgs {
    farm?: Record<string, unknown>;
    build?: Record<string, unknown>;
    cluster?: Record<string, unknown>;
    mesh?: Record<string, unknown>;
}

export interface LibraryPlanOptions {
    mocks?: MockOverrides;
    stack?: string;
}

/** Plans the fixture's `which` case with `args`. */
export async function planLibrary(which: LibraryCase, args: LibraryArgs = {}, options: LibraryPlanOptions = {}): Promise<PlanView> {
    const values: Record<string, string> = {
        "aws:region": "us-east-1",
        "gcp:project": "library-test",
        "gcp:region": "us-central1",
        "library:case": which,
    };
    for (const [component, value] of Object.entries(args)) {
        if (value !== undefined) values[`library:${component}Args`] = JSON.stringify(value);
    }
    return new PlanView(await runPlan({
        projectDir: LIBRARY_FIXTURE,
        stack: options.stack ?? LIBRARY_STACK,
        config: { project: "library", values, secretKeys: [] },
        mocks: options.mocks,
    }));
}

/** Plans the case and expects a component to refuse its arguments; returns the error it threw. */
export async function libraryInputError(which: LibraryCase, args: LibraryArgs): Promise<pulumi.InputPropertyError> {
    try {
        await planLibrary(which, args);
    } catch (err) {
        assert.ok(pulumi.InputPropertyError.isInstance(err), `expected an InputPropertyError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
        return err;
    }
    return assert.fail("expected the component to refuse its arguments, but the program planned");
}
