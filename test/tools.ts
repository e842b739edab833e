import * as path from "path";
import { spawnSync } from "child_process";

/**
 * Skips the current test when a Debian tool it drives is missing on a developer machine, with a message
 * that says how to install it; in CI (CI=true) a missing tool fails the test instead.
 */
export function requireTool(ctx: Mocha.Context, tool: string, debianPackage = tool): void {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).status === 0;
    if (found) return;
    const message = `${tool} is not installed (apt-get install ${debianPackage})`;
    if (process.env.CI === "true") throw new Error(`${message}; CI must install it in .ci/run`);
    console.warn(`      skipped: ${message}`);
    ctx.skip();
}

/** Runs shellcheck (every severity, bash dialect) on a file or, with `source`, on text given on stdin. */
export function shellcheck(file: string, source?: string): { status: number | null; output: string } {
    const args = ["--shell=bash", "--severity=style", "--external-sources", "--format=gcc", source === undefined ? file : "-"];
    const run = spawnSync("shellcheck", args, { input: source, encoding: "utf8", cwd: path.dirname(file) });
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}
