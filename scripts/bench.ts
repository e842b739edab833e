/**
 * Benchmark: evaluates the dev stack's program under the mock engine (the offline plan) in two runtime paths,
 * several runs each, and prints the median wall time and peak memory of both and their ratio.
 *
 *  - project path: what Pulumi.yaml sets up (`nodeargs: --require sucrase/register/ts`), the program's
 *    types stripped file by file, nothing type-checked (`npm test` type-checks once with `tsc --noEmit`);
 *  - default path: Pulumi's default for a TypeScript program, ts-node with type-checking on every run.
 *
 *   npm run bench -- [--runs N] [--default-runs N]
 *
 * Targets on a 2-core machine: the project path under 2 s and 300 MB, at least 8 times faster than the default.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

const ROOT = path.resolve(__dirname, "..");
const PROBE = path.join(__dirname, "bench", "max-rss.js");

interface Sample { seconds: number; rssMiB: number }

const PATHS = {
    project: ["--require", "sucrase/register/ts"],
    default: ["--require", "ts-node/register"],
} as const;

function runOnce(nodeArgs: readonly string[]): Sample {
    const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-bench-")), "rss");
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [...nodeArgs, "--require", PROBE, "scripts/plan.ts", "--json"], {
        cwd: ROOT,
        env: { ...process.env, BENCH_RSS_FILE: rssFile, TS_NODE_TRANSPILE_ONLY: undefined, TS_NODE_TYPE_CHECK: undefined },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.status !== 0) throw new Error(`plan failed (${nodeArgs.join(" ")}):\n${run.stderr}`);
    JSON.parse(run.stdout); // the run must have produced the whole plan
    const rssMiB = Number(fs.readFileSync(rssFile, "utf8")) / 1024;
    fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
    return { seconds, rssMiB };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(label: string, nodeArgs: readonly string[], runs: number) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
        samples.push(runOnce(nodeArgs));
        process.stderr.write(`  ${label} run ${i + 1}/${runs}: ${samples[i].seconds.toFixed(2)} s, ${samples[i].rssMiB.toFixed(0)} MiB\n`);
    }
    return { seconds: median(samples.map((s) => s.seconds)), rssMiB: median(samples.map((s) => s.rssMiB)), peakMiB: Math.max(...samples.map((s) => s.rssMiB)) };
}

function flag(name: string, fallback: number): number {
    const i = process.argv.indexOf(name);
    const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number of runs`);
    return value;
}

function main(): void {
    const runs = flag("--runs", 5);
    const defaultRuns = flag("--default-runs", 3);
    runOnce(PATHS.project); // warm the file system cache, not counted
    const project = measure("project", PATHS.project, runs);
    const fallback = measure("default", PATHS.default, defaultRuns);
    const rows = [
        ["path", "runs", "median wall", "median peak RSS", "max peak RSS"],
        ["project (sucrase, transpile-only)", String(runs), `${project.seconds.toFixed(2)} s`, `${project.rssMiB.toFixed(0)} MiB`, `${project.peakMiB.toFixed(0)} MiB`],
        ["default (ts-node, type-checked)", String(defaultRuns), `${fallback.seconds.toFixed(2)} s`, `${fallback.rssMiB.toFixed(0)} MiB`, `${fallback.peakMiB.toFixed(0)} MiB`],
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    console.log(`Offline plan of the dev stack, ${os.cpus().length} cores, node ${process.version}`);
    for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  "));
    console.log(`speed-up: ${(fallback.seconds / project.seconds).toFixed(1)}x faster; memory: ${(fallback.rssMiB / project.rssMiB).toFixed(1)}x less`);
    const verdicts = [
        [`project path under 2 s`, project.seconds < 2],
        [`project path under 300 MB`, project.peakMiB * 1.048576 < 300],
        [`at least 8x faster than the default path`, fallback.seconds / project.seconds >= 8],
    ] as const;
    for (const [what, ok] of verdicts) console.log(`${ok ? "met" : "NOT met"}: ${what}`);
}

main();
