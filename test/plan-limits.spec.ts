/**
 * scripts/plan-limits.ts: the CI job limits and credential lifetimes an update of each stack needs, read from
 * its offline plan. The waits they must cover are the build's (its wait gives up after the 20 min its host may
 * take to boot, the build's own timeout, 30 min for a mirror and 120 for prebuilt-envoy by default, and a 10 min
 * margin: components/aws/build-wait/wait.ts) and the Helm releases', one after another. A job on a GitHub-hosted runner runs
 * at most 6 hours; configure-aws-credentials asks for 1 hour unless told, and for 12 hours at most.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { limitsFor } from "../scripts/plan-limits";
import { plan, PROJECT_DIR } from "./harness";

const ISTIO_SHA = "4a5f1e8c2b7d9a0e3f6c1b8d5a2e9f7c4b1d8a6e";
const PREBUILT = { "armfarm:buildMode": "prebuilt-envoy", "armfarm:buildIstioRelease": undefined, "armfarm:buildIstioSha": ISTIO_SHA };
const FROM_SOURCE = {
    ...PREBUILT, "armfarm:buildMode": "from-source", "armfarm:farmRootVolumeGiB": 400,
    "armfarm:buildProxySha": "1b2c3d4e5f60718293a4b5c6d7e8f90112233445", "armfarm:buildToolsSha": "5566778899aabbccddeeff00112233445566778a",
};

describe("CI job limits from the offline plan", function () {
    this.timeout(60000);

    it("covers a mirror build's 60 min and the four releases' 10 min each, with credentials for the whole job", async () => {
        const limits = limitsFor("dev", (await plan()).plan);
        // 30 min of setup + 20 + 30 + 10 for the build + 4 x 600 s for istio-base, istio-cni, istiod and the
        // gateway: 130 min, to the next quarter hour.
        assert.deepStrictEqual([limits.jobMinutes, limits.sessionSeconds], [135, 135 * 60]);
        assert.strictEqual(limits.basis, "30 min of setup, 60 min for the build, 40 min for the Helm releases");
        assert.ok(limits.sessionSeconds > 3600, "more than configure-aws-credentials' one hour by default");
    });

    it("covers a prebuilt-envoy build's 150 min", async () => {
        const limits = limitsFor("dev", (await plan(PREBUILT)).plan);
        assert.deepStrictEqual([limits.jobMinutes, limits.sessionSeconds], [225, 225 * 60]);
    });

    it("refuses, before the update starts, a from-source build no job can hold, naming the key to lower", async () => {
        const fromSource = (await plan(FROM_SOURCE)).plan;
        // From source the build waits 20 + 360 + 10 min (README, "Building from source": 360 min by default):
        // with setup and the releases, more than a hosted job's 6 hours.
        assert.throws(() => limitsFor("dev", fromSource), /^Error: stack dev: an update may take 460 min \(30 min of setup, 390 min for the build, 40 min for the Helm releases\), longer than a job can hold \(360 min on a GitHub-hosted runner, 12 h of credentials\); lower armfarm:buildTimeoutMinutes by at least 100 min, or run this update from a machine whose credentials last the whole build$/);
        // Bounded to fit, it runs.
        const bounded = limitsFor("dev", (await plan({ ...FROM_SOURCE, "armfarm:buildTimeoutMinutes": 240 })).plan);
        assert.deepStrictEqual([bounded.jobMinutes, bounded.sessionSeconds], [345, 345 * 60]);
    });

    it("refuses a stack without a plan unless its minutes are declared, and gives a stack without build or mesh the least", () => {
        // A from-source build waits 390 min by default: no fallback is long enough, so none is guessed.
        assert.throws(() => limitsFor("build", undefined), /^Error: stack build: its offline plan could not be read .*declare its job minutes in the repository variable PULUMI_UP_MINUTES, such as \{"build": 180\}$/);
        assert.deepStrictEqual([limitsFor("x", undefined, 360, 200).jobMinutes, limitsFor("x", undefined, 360, 200).sessionSeconds], [200, 12000]);
        assert.deepStrictEqual(limitsFor("x", undefined, 360, 20).sessionSeconds, 3600);
        for (const bad of [0, 361, 12.5, "90" as unknown as number]) assert.throws(() => limitsFor("x", undefined, 360, bad), /PULUMI_UP_MINUTES gives .*; expected whole minutes from 1 to 360/);
        assert.deepStrictEqual([limitsFor("x", { resources: [] }).jobMinutes, limitsFor("x", { resources: [] }).sessionSeconds], [30, 3600]);
        // A release without a timeout waits Helm's default 300 s.
        const release = { type: "kubernetes:helm.sh/v3:Release", inputs: {} };
        assert.strictEqual(limitsFor("x", { resources: [release, release, release] }).basis, "30 min of setup, 0 min for the build, 15 min for the Helm releases");
        // An SSM association that waits for its run itself counts as the build's wait.
        const association = { type: "aws:ssm/association:Association", inputs: { waitForSuccessTimeoutSeconds: 3900 } };
        assert.strictEqual(limitsFor("x", { resources: [association] }).basis, "30 min of setup, 65 min for the build, 0 min for the Helm releases");
    });

    it("prints the limits by stack from the command line, as up.yml reads them", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-limits-"));
        try {
            const file = path.join(dir, "dev.json");
            fs.writeFileSync(file, JSON.stringify((await plan()).plan));
            const limitsCli = (minutes?: string) => spawnSync(process.execPath, ["--require", "sucrase/register/ts", "scripts/plan-limits.ts", `dev=${file}`, "prod="],
                { cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, ARMFARM_UP_MINUTES: minutes ?? "" } });
            const run = limitsCli('{"prod": 240}');
            assert.strictEqual(run.status, 0, run.stderr);
            const limits = JSON.parse(run.stdout);
            assert.deepStrictEqual(Object.keys(limits), ["dev", "prod"]);
            assert.deepStrictEqual([limits.dev.jobMinutes, limits.dev.sessionSeconds, limits.prod.jobMinutes], [135, 8100, 240]);
            const undeclared = limitsCli();
            assert.deepStrictEqual([undeclared.status, undeclared.stdout], [1, ""]);
            assert.match(undeclared.stderr, /stack prod: its offline plan could not be read/);
            assert.match(limitsCli("[240]").stderr, /PULUMI_UP_MINUTES is "\[240\]"; expected a JSON object of minutes by stack/);
            const bad = spawnSync(process.execPath, ["--require", "sucrase/register/ts", "scripts/plan-limits.ts", "no stack"], { cwd: PROJECT_DIR, encoding: "utf8" });
            assert.strictEqual(bad.status, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
