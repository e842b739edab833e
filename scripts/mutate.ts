/**
 * `npm run mutate`: breaks, one at a time, the lines the mission relies on (scripts/mutate/mutations.ts), runs
 * the specs that guard each, and reports which breaks the suite caught. Each break is made in a copy of the
 * repository, so the working tree is never touched.
 *
 *   npm run mutate                 every mutation
 *   npm run mutate -- --only farm  the mutations whose id starts with `farm`
 *   npm run mutate -- --json       one JSON document
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MUTATIONS, Mutation } from "./mutate/mutations";

const PROJECT_DIR = path.resolve(__dirname, "..");

export interface Outcome {
    id: string;
    caught: boolean;
    /** Why the break was not made: its text was not found where the mutation says. */
    stale?: string;
    seconds: number;
}

/**
 * A copy of the repository's tracked and new files, sharing its node_modules. A link to a directory (an install of
 * dependencies shared between checkouts, which `node_modules/` in .gitignore does not match) is linked, not copied.
 */
function copyProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-mutate-"));
    const files = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_DIR, encoding: "utf8" })
        .stdout.split("\n").filter(Boolean);
    for (const file of files) {
        const from = path.join(PROJECT_DIR, file);
        if (!fs.existsSync(from)) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        if (fs.statSync(from).isDirectory()) fs.symlinkSync(fs.realpathSync(from), path.join(dir, file));
        else fs.copyFileSync(from, path.join(dir, file));
    }
    if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** Makes one break in the copy, runs its specs, and puts the file back. */
export function tryMutation(dir: string, m: Mutation): Outcome {
    const start = Date.now();
    const file = path.join(dir, m.file);
    const original = fs.readFileSync(file, "utf8");
    const count = original.split(m.find).length - 1;
    if (count !== 1) return { id: m.id, caught: false, stale: `${m.file} holds ${JSON.stringify(m.find)} ${count} times, not once`, seconds: 0 };
    fs.writeFileSync(file, original.replace(m.find, m.replace));
    try {
        const run = spawnSync(process.execPath, [
            path.join(dir, "node_modules", "mocha", "bin", "mocha.js"), "--no-config", "--require", "sucrase/register/ts",
            "--extension", "ts", "--timeout", "60000", "--bail", "--reporter", "dot", ...m.specs,
        ], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: process.env.CI ?? "" } });
        return { id: m.id, caught: run.status !== 0, seconds: Math.round((Date.now() - start) / 1000) };
    } finally {
        fs.writeFileSync(file, original);
    }
}

function main(): number {
    const args = process.argv.slice(2);
    const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
    const chosen = MUTATIONS.filter((m) => !only || m.id.startsWith(only));
    const dir = copyProject();
    const outcomes: Outcome[] = [];
    try {
        for (const m of chosen) {
            const outcome = tryMutation(dir, m);
            outcomes.push(outcome);
            if (!args.includes("--json")) {
                process.stdout.write(`${outcome.stale ? "STALE " : outcome.caught ? "caught" : "MISSED"} ${m.id} (${outcome.seconds}s)${outcome.stale ? `: ${outcome.stale}` : ""}\n`);
            }
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const made = outcomes.filter((o) => !o.stale);
    const caught = made.filter((o) => o.caught).length;
    const score = made.length ? Math.round((1000 * caught) / made.length) / 10 : 0;
    if (args.includes("--json")) {
        process.stdout.write(`${JSON.stringify({ caught, made: made.length, stale: outcomes.length - made.length, score, outcomes }, null, 2)}\n`);
    } else {
        process.stdout.write(`${caught} of ${made.length} breaks caught (${score}%)${outcomes.length > made.length ? `, ${outcomes.length - made.length} stale` : ""}\n`);
    }
    return outcomes.some((o) => o.stale) ? 2 : 0;
}

if (require.main === module) {
    process.exitCode = main();
}
