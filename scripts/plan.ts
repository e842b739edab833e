/**
 * The offline plan: runs the program under the Pulumi SDK's mock engine with a stack's config and prints what
 * `pulumi up` would create, with no Pulumi CLI, plugins or cloud credentials.
 *
 *   npm run plan -- [--stack NAME] [--config FILE] [--preview] [--ref ORG/PROJECT/STACK=PLAN.json]... [--esc FILE]... [--json]
 *   npm run plan -- [--stack NAME] [--config FILE] [--preview] --diff BASE.json [--json]
 *
 * With --preview it plays a first `pulumi preview` instead of a first `pulumi up` (outputs the cloud computes are
 * `[unknown]`, see plan/preview.ts). --ref stands a stack's own --json plan in for the stack a StackReference
 * reads (plan/stack-reference.ts); --esc gives what the stack file's ESC `environment:` opens to (plan/esc.ts).
 * With --diff it compares this checkout's plan with an earlier one (written by --json) and prints what differs
 * as Markdown (or, with --json, as one JSON document).
 */
import * as path from "path";
import { runPlan } from "./plan/engine";
import { diffPlans, readPlanFile, renderDiff } from "./plan/diff";
import { renderTree } from "./plan/render";
import { loadStackConfig, StackFileError } from "./plan/stack-config";
import { readStackReferences } from "./plan/stack-reference";
import { runCommand } from "./plan/cli";

const PROJECT_DIR = path.resolve(__dirname, "..");
/**
 * Where the user ran the command: `npm run plan` runs in the package's root, and says where it was started in
 * INIT_CWD (npm docs, "scripts": "the directory from which npm run was invoked"), so that a relative --config,
 * --ref, --esc or --diff means what the user's shell meant. Run otherwise (node scripts/plan.ts), the working
 * directory is the user's.
 */
const USER_DIR = process.env.npm_lifecycle_event === "plan" && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

/** A file the user named, from where the user ran the command. */
const userPath = (file: string) => path.resolve(USER_DIR, file);
const USAGE = "usage: npm run plan -- [--stack NAME] [--config FILE] [--preview] [--ref ORG/PROJECT/STACK=PLAN.json]... " +
    "[--esc FILE]... [--json] [--diff BASE.json]";

export interface PlanArgs {
    stack: string;
    configFile?: string;
    json: boolean;
    /** Play a first `pulumi preview` rather than a first `pulumi up`. */
    preview: boolean;
    /** `ORG/PROJECT/STACK=PLAN.json`: the plans that stand in for the stacks StackReferences read. */
    refs: string[];
    /** What the stack file's ESC environment opens to (`esc open`), in import order. */
    escFiles: string[];
    /** A plan written earlier by `--json`, to compare this checkout's plan with. */
    diffBase?: string;
}

export function parseArgs(argv: string[]): PlanArgs {
    const args: PlanArgs = { stack: "dev", json: false, preview: false, refs: [], escFiles: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new StackFileError(`${arg} needs a value\n${USAGE}`);
            return v;
        };
        if (arg === "--stack") args.stack = value();
        else if (arg === "--config") args.configFile = value();
        else if (arg === "--json") args.json = true;
        else if (arg === "--preview") args.preview = true;
        else if (arg === "--ref") args.refs.push(value());
        else if (arg === "--esc") args.escFiles.push(value());
        else if (arg === "--diff") args.diffBase = value();
        else throw new StackFileError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
    if (!/^[A-Za-z0-9_.-]+$/.test(args.stack)) throw new StackFileError(`--stack ${JSON.stringify(args.stack)} is not a stack name`);
    return args;
}

/**
 * What a failed serialization adds in front of the program's own error, once for each property the failed value
 * flowed into (@pulumi/pulumi runtime/rpc.js, `serializeProperty`): a config error found while the program runs
 * (a zone without the instance type, an existing cluster the API does not find) then reads as it was thrown.
 */
const SERIALIZATION_PREFIX = /^(?:Error: )?(?:(?:error serializing property|Error serializing arguments for invoke) "?[^":]*"?: (?:[A-Za-z]*Error: )?)+/;

/** Errors that are a fault of the program, not of the stack's config: their stack says where. */
const PROGRAM_FAULTS = new Set(["TypeError", "ReferenceError", "RangeError", "SyntaxError"]);

/** The one message a failed plan prints: the program's own error, without the SDK's prefixes. */
export function planErrorMessage(err: unknown): string {
    const message = (err instanceof Error ? err.message : String(err)).replace(SERIALIZATION_PREFIX, "");
    return err instanceof Error && PROGRAM_FAULTS.has(err.name) && err.stack ? `${message}\n${err.stack.split("\n").slice(1).join("\n")}` : message;
}

/**
 * Without an engine, the SDK prints the program's info and debug logs with console.log, and its own errors with
 * console.error (`error: [runtime] ...`, with a stack, once for every invoke or resource a failed value reached).
 * They are held while the program runs: a plan that succeeds prints them to stderr, so that stdout holds the plan
 * alone; a plan that fails prints only its one message.
 */
async function withProgramLogsHeld<T>(run: () => Promise<T>): Promise<T> {
    const [log, error] = [console.log, console.error];
    const held: unknown[][] = [];
    console.log = (...args: unknown[]) => { held.push(args); };
    console.error = (...args: unknown[]) => { held.push(args); };
    let result: T;
    try {
        result = await run();
    } catch (err) {
        throw new StackFileError(planErrorMessage(err));
    } finally {
        [console.log, console.error] = [log, error];
    }
    for (const args of held) console.error(...args);
    return result;
}

async function main(): Promise<string> {
    const args = parseArgs(process.argv.slice(2));
    const stackFile = args.configFile
        ? userPath(args.configFile)
        : path.join(PROJECT_DIR, `Pulumi.${args.stack}.yaml`);
    const config = loadStackConfig(PROJECT_DIR, stackFile, args.escFiles.map(userPath));
    const stackReferences = readStackReferences(args.refs.map((ref) => {
        const cut = ref.indexOf("=");
        return cut > 0 ? `${ref.slice(0, cut + 1)}${userPath(ref.slice(cut + 1))}` : ref;
    }));
    // The base is read first: a missing or malformed base fails before the program runs.
    const base = args.diffBase === undefined ? undefined : readPlanFile(userPath(args.diffBase));
    const plan = await withProgramLogsHeld(() =>
        runPlan({ projectDir: PROJECT_DIR, stack: args.stack, config, preview: args.preview, stackReferences }));
    if (base) {
        const diff = diffPlans(base, plan);
        return args.json ? JSON.stringify(diff, null, 2) + "\n" : renderDiff(diff, path.basename(args.diffBase!));
    }
    return args.json ? JSON.stringify(plan, null, 2) + "\n" : renderTree(plan, args.preview);
}

if (require.main === module) {
    runCommand(main);
}
