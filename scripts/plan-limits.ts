/**
 * How long a `pulumi up` of each stack may take, from its offline plan, and so the limits its CI job needs:
 *
 *   node --require sucrase/register/ts scripts/plan-limits.ts dev=dev.json [prod=prod.json] [unplanned=]
 *
 * prints one JSON object, by stack: `jobMinutes` (the job's timeout-minutes) and `sessionSeconds` (how long the
 * cloud credentials and the Pulumi token must last: they are fetched once, when the job starts). A job that is
 * killed, or whose credentials expire, in the middle of an update leaves pending operations and a held lease
 * (README, "When a run is interrupted"), so the limits cover the longest the update can wait:
 * - the build: its wait command (`command:local:Command`, components/aws/build-wait/) gives up after the host's
 *   and the build's own bounds, as its settings (ARMFARM_BUILD_WAIT) give them, plus WAIT_MARGIN_SECONDS; an SSM
 *   association that waits itself (`waitForSuccessTimeoutSeconds`) counts too;
 * - the Helm releases, one after another: each waits up to its `timeout` (Helm's default 300 s,
 *   helm/helm@v4.1.0:pkg/cmd/install.go);
 * - and a margin for the rest: checkout, installs, the preview `pulumi up` runs first, a new GKE cluster and its
 *   node pools (SETUP_MINUTES).
 * A stack without a plan (`name=`: the offline plan cannot read its ESC environment or StackReferences) gets
 * the minutes the team declares for it in ARMFARM_UP_MINUTES (JSON, `{"build": 300}`; up.yml passes the
 * repository variable PULUMI_UP_MINUTES), and fails without them: the largest limits would still be too short
 * for a long from-source build, and credentials that expire mid-update are what these limits exist to prevent.
 * A stack that needs more than a job can hold fails here, before its update starts, naming what to change.
 *
 * The ceilings: a job on a GitHub-hosted runner runs at most 6 hours (GitHub Docs, "Usage limits, billing, and
 * administration": "Each job in a workflow can run for up to 6 hours of execution time"), and a role session
 * from configure-aws-credentials lasts 15 minutes to 12 hours (aws-actions/configure-aws-credentials@v6.2.3:
 * README.md, `role-duration-seconds`), up to the role's own maximum session duration.
 */
import * as fs from "fs";
import { WAIT_MARGIN_SECONDS } from "../components/aws/build-wait/wait";
import { readPlanFile } from "./plan/diff";
import { runCommand } from "./plan/cli";
import { StackFileError } from "./plan/stack-config";

/** Everything but the build's wait and the releases: installs, the preview `up` runs first, a new cluster. */
export const SETUP_MINUTES = 30;
/** The longest a job on a GitHub-hosted runner may run. */
export const MAX_JOB_MINUTES = 360;
/** The longest role session configure-aws-credentials can ask for. */
export const MAX_SESSION_SECONDS = 43200;
/** The shortest it asks for by default: one hour. */
export const MIN_SESSION_SECONDS = 3600;
/** Helm's own timeout for a release that sets none. */
const HELM_DEFAULT_TIMEOUT_SECONDS = 300;

export interface StackLimits {
    /** The job's timeout-minutes. */
    jobMinutes: number;
    /** How long the credentials and the token must last: the job's whole run. */
    sessionSeconds: number;
    /** What the limits are made of, for the log. */
    basis: string;
}

interface PlanLike {
    resources: { type: string; inputs: Record<string, unknown> }[];
}

const seconds = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0);

/** How long a resource of the plan makes `pulumi up` wait for a build, in seconds (0 for any other resource). */
function buildWaitSeconds(r: PlanLike["resources"][number]): number {
    if (r.type === "aws:ssm/association:Association") return seconds(r.inputs.waitForSuccessTimeoutSeconds);
    if (r.type !== "command:local:Command") return 0;
    const text = (r.inputs.environment as Record<string, unknown> | undefined)?.ARMFARM_BUILD_WAIT;
    if (typeof text !== "string" || !text.startsWith("{")) return 0;
    const settings = JSON.parse(text) as { hostReadySeconds?: unknown; buildSeconds?: unknown };
    return seconds(settings.hostReadySeconds) + seconds(settings.buildSeconds) + WAIT_MARGIN_SECONDS;
}

/**
 * The limits a stack's update needs, or an error naming the stack and what to change. Without a plan, the
 * minutes the team declared for the stack (`declaredMinutes`) stand in for what the plan would have given.
 */
export function limitsFor(stack: string, plan: PlanLike | undefined, maxJobMinutes = MAX_JOB_MINUTES, declaredMinutes?: number): StackLimits {
    const ceiling = Math.min(maxJobMinutes, MAX_SESSION_SECONDS / 60);
    if (!plan) {
        if (declaredMinutes === undefined) {
            throw new StackFileError(`stack ${stack}: its offline plan could not be read (an ESC environment or a StackReference), so how long ` +
                `its update may take is not known; declare its job minutes in the repository variable PULUMI_UP_MINUTES, such as {"${stack}": 180}`);
        }
        if (!Number.isInteger(declaredMinutes) || declaredMinutes < 1 || declaredMinutes > ceiling) {
            throw new StackFileError(`stack ${stack}: PULUMI_UP_MINUTES gives ${JSON.stringify(declaredMinutes)}; expected whole minutes from 1 to ${ceiling}`);
        }
        return {
            jobMinutes: declaredMinutes, sessionSeconds: Math.max(MIN_SESSION_SECONDS, declaredMinutes * 60),
            basis: "no offline plan of the stack: the minutes PULUMI_UP_MINUTES declares for it",
        };
    }
    const build = Math.max(0, ...plan.resources.map(buildWaitSeconds));
    const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .reduce((sum, r) => sum + (seconds(r.inputs.timeout) || HELM_DEFAULT_TIMEOUT_SECONDS), 0);
    const needed = SETUP_MINUTES + Math.ceil(build / 60) + Math.ceil(releases / 60);
    const basis = `${SETUP_MINUTES} min of setup, ${Math.ceil(build / 60)} min for the build, ${Math.ceil(releases / 60)} min for the Helm releases`;
    if (needed > ceiling) {
        throw new StackFileError(`stack ${stack}: an update may take ${needed} min (${basis}), longer than a job can hold ` +
            `(${maxJobMinutes} min on a GitHub-hosted runner, ${MAX_SESSION_SECONDS / 3600} h of credentials); lower armfarm:buildTimeoutMinutes ` +
            `by at least ${needed - ceiling} min, or run this update from a machine whose credentials last the whole build`);
    }
    // Rounded up to a quarter hour, within the ceiling.
    const jobMinutes = Math.min(Math.ceil(needed / 15) * 15, ceiling);
    return { jobMinutes, sessionSeconds: Math.max(MIN_SESSION_SECONDS, jobMinutes * 60), basis };
}

/** The minutes declared per stack (ARMFARM_UP_MINUTES, a JSON object), or an error naming the variable. */
function declaredMinutes(text: string | undefined): Record<string, unknown> {
    if (!text) return {};
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        parsed = undefined;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new StackFileError(`PULUMI_UP_MINUTES is ${JSON.stringify(text)}; expected a JSON object of minutes by stack, such as {"build": 180}`);
    }
    return parsed as Record<string, unknown>;
}

function main(argv: string[]): string {
    const limits: Record<string, StackLimits> = {};
    const declared = declaredMinutes(process.env.ARMFARM_UP_MINUTES);
    for (const arg of argv) {
        const cut = arg.indexOf("=");
        const stack = cut > 0 ? arg.slice(0, cut) : "";
        if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new StackFileError(`${JSON.stringify(arg)} is not STACK=PLAN.json or STACK=`);
        const file = arg.slice(cut + 1);
        const plan = file && fs.existsSync(file) && fs.statSync(file).size > 0 ? readPlanFile(file, "plan-limits") : undefined;
        limits[stack] = limitsFor(stack, plan, MAX_JOB_MINUTES, declared[stack] as number | undefined);
        process.stderr.write(`${stack}: ${limits[stack].jobMinutes} min, credentials for ${limits[stack].sessionSeconds} s (${limits[stack].basis})\n`);
    }
    return JSON.stringify(limits) + "\n";
}

if (require.main === module) {
    runCommand(() => main(process.argv.slice(2)));
}
