/**
 * The policy pack over an offline plan, as Markdown for a pull request:
 *
 *   npm run -s plan -- --stack dev --preview --json > dev-preview.json
 *   node --require sucrase/register/ts scripts/plan-policy.ts dev-preview.json --preview [--config policy-config.json]
 *
 * With --preview the plan is read as a first `pulumi preview` presents it to the pack (policy/check.ts): what
 * reviewers see here is what the pack can and cannot judge before anything exists. It reports; the exit status
 * is 0 whatever it finds, and 1 only when it cannot read its input.
 */
import * as fs from "fs";
import { checkResources, Finding } from "../policy/check";
import { PackConfig } from "../policy/rules";
import { code, readPlanFile } from "./plan/diff";
import { runCommand } from "./plan/cli";
import { StackFileError } from "./plan/stack-config";

const USAGE = "usage: node --require sucrase/register/ts scripts/plan-policy.ts PLAN.json [--preview] [--config FILE]";

export interface PolicyArgs {
    planFile: string;
    preview: boolean;
    configFile?: string;
}

export function parsePolicyArgs(argv: string[]): PolicyArgs {
    let planFile: string | undefined;
    let preview = false;
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--preview") preview = true;
        else if (arg === "--config") {
            configFile = argv[++i];
            if (configFile === undefined) throw new StackFileError(`--config needs a value\n${USAGE}`);
        } else if (!arg.startsWith("--") && planFile === undefined) planFile = arg;
        else throw new StackFileError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
    if (!planFile) throw new StackFileError(`no plan given\n${USAGE}`);
    return { planFile, preview, configFile };
}

/** The pack's config as `pulumi preview --policy-pack-config` takes it: `{ "<policy>": { ... } }`, merged. */
function readPackConfig(file: string | undefined): Partial<PackConfig> {
    if (!file) return {};
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Partial<PackConfig>>;
    return Object.assign({}, ...Object.values(doc));
}

const cell = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");

/** The findings as Markdown: a count, then one row each, mandatory first. */
export function renderFindings(stack: string, findings: readonly Finding[], preview: boolean): string {
    const cannotRun = findings.filter((f) => f.message.includes(" during preview: "));
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory");
    const advisory = findings.length - mandatory.length - cannotRun.length;
    const lines = [
        `#### Policy pack over the offline plan of stack ${code(stack)}${preview ? ", as a first `pulumi preview` presents it" : ""}`,
        "",
        `**${mandatory.length} mandatory** violation${mandatory.length === 1 ? "" : "s"}, ${advisory} advisor${advisory === 1 ? "y" : "ies"}` +
            (preview ? `, ${cannotRun.length} that cannot judge yet (they read values unknown until the cloud answers)` : "") + ".",
        "",
    ];
    if (findings.length) {
        const order = (f: Finding) => (f.enforcementLevel === "mandatory" ? 0 : cannotRun.includes(f) ? 2 : 1);
        lines.push("| policy | level | resource | finding |", "| --- | --- | --- | --- |",
            ...[...findings].sort((a, b) => order(a) - order(b)).map((f) =>
                `| ${code(f.policy)} | ${f.enforcementLevel} | ${f.urn ? code(f.urn.split("::").pop()) : "(stack)"} | ${cell(f.message)} |`), "");
    }
    return lines.join("\n");
}

function main(): string {
    const args = parsePolicyArgs(process.argv.slice(2));
    const plan = readPlanFile(args.planFile, "plan-policy");
    const findings = checkResources(plan.resources, readPackConfig(args.configFile), undefined, { preview: args.preview });
    return renderFindings(plan.stack, findings, args.preview);
}

if (require.main === module) {
    runCommand(main);
}
