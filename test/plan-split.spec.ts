/**
 * Split stacks in the offline plan (issue 15): `--ref ORG/PROJECT/STACK=PLAN.json` stands a stack's own --json
 * plan in for the stack a StackReference reads, and `--esc FILE` gives what a stack file's ESC `environment:`
 * opens to. The fixture program (test/fixtures/split-stack) reads the dev stack's outputs and config that an
 * environment may supply. What is expected follows the upstream sources:
 * - a StackReference answers with the stack's outputs, secret ones secret, read in previews too
 *   (pulumi/pulumi@v3.259.0:pkg/resource/deploy/builtins.go `readStackReference`, step.go `ReadStep.Apply`);
 * - the stack file's config wins over the environment's, objects merging key by key, and Pulumi.yaml's defaults
 *   fill only what neither sets (pkg/workspace/config.go `mergeConfig`; sdk/go/common/resource/config/object.go
 *   `Merge`); keys without a namespace are the project's (`parseConfigKey`);
 * - `esc open` prints values as JSON, `--format detailed` with `secret` and `unknown` flags; an unknown value
 *   becomes the config text `[unknown]` (pulumi/esc@v0.25.0:cmd/esc/cli/env_open.go, value.go; pulumi/pulumi
 *   pkg/workspace/config.go `toPlaintext`); later imports merge over earlier ones (esc eval/eval.go).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Plan, runPlan } from "../scripts/plan/engine";
import { loadStackConfig } from "../scripts/plan/stack-config";
import { readStackReferences } from "../scripts/plan/stack-reference";
import { plan, PROJECT_DIR } from "./harness";

const FIXTURE = path.join(PROJECT_DIR, "test", "fixtures", "split-stack");
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

function planCli(...args: string[]) {
    return spawnSync(process.execPath, ["--require", "sucrase/register/ts", path.join(PROJECT_DIR, "scripts/plan.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** A value as `esc open --format detailed` prints it (the trace, which the plan does not read, kept short). */
const v = (value: unknown, flags: { secret?: boolean; unknown?: boolean } = {}) => ({ value, ...flags, trace: { def: { begin: {}, end: {} } } });

describe("split stacks in the offline plan", function () {
    this.timeout(60000);
    let dir: string;
    let devPlanFile: string;
    let devPlan: Plan;
    const write = (name: string, content: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
        return file;
    };
    /** Plans the fixture's `build` stack (or another stack file) through the engine, as the CLI would. */
    const planFixture = async (options: { refs?: string[]; esc?: string[]; stackFile?: string; preview?: boolean } = {}) =>
        runPlan({
            projectDir: FIXTURE, stack: "build", preview: options.preview,
            config: loadStackConfig(FIXTURE, options.stackFile ?? path.join(FIXTURE, "Pulumi.build.yaml"), options.esc),
            stackReferences: readStackReferences(options.refs ?? []),
        });

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-split-"));
        devPlan = (await plan()).plan;
        devPlanFile = write("dev.json", devPlan);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    describe("--ref", () => {
        it("answers a StackReference with the referenced stack's plan outputs, secrets still secret, in an update and a preview", async () => {
            for (const preview of [false, true]) {
                const built = await planFixture({ refs: [`acme/armfarm/dev=${devPlanFile}`], preview });
                assert.strictEqual(built.outputs.buildHub, devPlan.outputs.farmHub);
                assert.strictEqual(built.outputs.buildHub, "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio");
                // The dev stack's kubeconfig output is secret; only that output is, not the whole reference.
                assert.strictEqual(devPlan.outputs.kubeconfig, "[secret]");
                assert.strictEqual(built.outputs.kubeconfig, "[secret]");
                assert.strictEqual(built.outputs.kubeconfigLength, "[secret]", "what derives from a secret output is secret");
                assert.strictEqual(built.outputs.farmOutputCount, "[secret]", "the outputs as a whole hold a secret");
                const logs = built.resources.find((r) => r.type === LOG_GROUP)!;
                assert.strictEqual(logs.inputs.name, `${devPlan.outputs.farmLogGroupName}/split`);
                assert.strictEqual(built.outputs.logGroupArn, preview ? "[unknown]" : "arn:aws:logs:eu-west-1:123456789012:log-group:/armfarm-dev/farm/split");
            }
        });

        it("fails naming the stack when a reference has no --ref", async () => {
            await assert.rejects(planFixture(), /reads stack acme\/armfarm\/dev with a StackReference, and no --ref gives its plan: add --ref acme\/armfarm\/dev=PLAN\.json/);
            // A --ref for another stack does not stand in for it.
            const prodPlanFile = write("prod.json", { ...devPlan, stack: "prod" });
            await assert.rejects(planFixture({ refs: [`acme/armfarm/prod=${prodPlanFile}`] }), /reads stack acme\/armfarm\/dev with a StackReference/);
        });

        it("refuses a plan of another stack, a --preview plan, and a malformed --ref", async () => {
            assert.throws(() => readStackReferences([`acme/armfarm/farm=${devPlanFile}`]), /dev\.json is the plan of stack "dev", not of "farm"/);
            const previewPlan = planCli("--preview", "--json");
            const previewFile = write("dev-preview.json", previewPlan.stdout);
            assert.throws(() => readStackReferences([`acme/armfarm/dev=${previewFile}`]), /has unknown outputs \(a --preview plan\)/);
            const bad = planCli("--ref", "dev.json", "--json");
            assert.deepStrictEqual([bad.status, bad.stdout], [1, ""]);
            assert.match(bad.stderr, /--ref "dev\.json" is not ORG\/PROJECT\/STACK=PLAN\.json/);
            assert.throws(() => readStackReferences([`a/b/dev=${devPlanFile}`, `a/b/dev=${devPlanFile}`]), /given twice/);
        });
    });

    describe("--esc", () => {
        const withEnvironment = (environment: string, config = "") =>
            write(`Pulumi.env-${Math.random().toString(36).slice(2)}.yaml`, `environment:\n${environment}\nconfig:\n  aws:region: eu-west-1\n${config}`);

        it("fails naming the environment when the stack file opens one and no --esc is given", () => {
            const listed = withEnvironment("  - armfarm/shared\n  - armfarm/build", "  splitstack:farmStack: acme/armfarm/dev\n");
            assert.throws(() => loadStackConfig(FIXTURE, listed), /opens the ESC environments armfarm\/shared, armfarm\/build \(environment:\).*--esc FILE \(esc open ORG\/armfarm\/shared --format detailed > FILE\)/);
            const inline = withEnvironment("  imports:\n    - armfarm/shared\n  values:\n    pulumiConfig:\n      logRetentionDays: 7");
            assert.throws(() => loadStackConfig(FIXTURE, inline), /opens the ESC environment armfarm\/shared/);
            const run = planCli("--config", listed);
            assert.deepStrictEqual([run.status, run.stdout], [1, ""]);
            assert.match(run.stderr, /armfarm\/shared/);
            const noEnvironment = write("plain.json", { pulumiConfig: {} });
            assert.throws(() => loadStackConfig(FIXTURE, path.join(FIXTURE, "Pulumi.build.yaml"), [noEnvironment]), /has no environment: to open/);
        });

        it("merges the environment's pulumiConfig under the stack file's config and over Pulumi.yaml's defaults; secrets stay [secret]", async () => {
            const stackFile = withEnvironment("  - armfarm/build", "  splitstack:labels:\n    env: prod\n");
            const opened = write("build.detailed.json", v({
                pulumiConfig: v({
                    farmStack: v("acme/armfarm/dev"),
                    logRetentionDays: v(14),
                    labels: v({ team: v("mesh"), env: v("dev") }),
                    token: v("s3cr3t-from-esc", { secret: true }),
                    "aws:region": v("us-west-2"),
                }),
                environmentVariables: v({ AWS_PROFILE: v("ci") }),
            }));
            const config = loadStackConfig(FIXTURE, stackFile, [opened]);
            assert.strictEqual(config.values["splitstack:farmStack"], "acme/armfarm/dev", "a key without namespace is the project's");
            assert.strictEqual(config.values["aws:region"], "eu-west-1", "the stack file wins");
            assert.strictEqual(config.values["splitstack:logRetentionDays"], "14", "the environment wins over Pulumi.yaml's default");
            assert.deepStrictEqual(JSON.parse(config.values["splitstack:labels"]), { team: "mesh", env: "prod" }, "objects merge, the stack file's keys win");
            assert.strictEqual(config.values["splitstack:token"], "[secret]");
            assert.deepStrictEqual(config.secretKeys, ["splitstack:token"]);
            assert.ok(!JSON.stringify(config).includes("s3cr3t"), "the secret's value goes nowhere");

            const built = await planFixture({ stackFile, esc: [opened], refs: [`acme/armfarm/dev=${devPlanFile}`] });
            const logs = built.resources.find((r) => r.type === LOG_GROUP)!;
            assert.deepStrictEqual([logs.inputs.retentionInDays, logs.inputs.tags], [14, { env: "prod", team: "mesh" }]);
            assert.deepStrictEqual([built.outputs.region, built.outputs.token], ["eu-west-1", "[secret]"]);
            assert.ok(!JSON.stringify(built).includes("s3cr3t"));
        });

        it("reads the plain JSON of esc open, a redacted [secret] as a secret, an unknown as [unknown], and layers several files in order", () => {
            const stackFile = withEnvironment("  - acme/base\n  - acme/build");
            const base = write("base.json", { pulumiConfig: { farmStack: "acme/armfarm/dev", labels: { team: "mesh", tier: "1" }, logRetentionDays: 7 } });
            const build = write("build.json", v({ pulumiConfig: v({
                labels: v({ tier: v("2") }), token: v("[secret]"), logRetentionDays: v(null, { unknown: true }),
            }) }));
            const plain = write("plain-secret.json", { pulumiConfig: { token: "[secret]" } });
            const config = loadStackConfig(FIXTURE, stackFile, [base, build]);
            assert.deepStrictEqual(JSON.parse(config.values["splitstack:labels"]), { team: "mesh", tier: "2" });
            assert.strictEqual(config.values["splitstack:logRetentionDays"], "[unknown]");
            assert.strictEqual(config.values["splitstack:token"], "[secret]");
            assert.deepStrictEqual(loadStackConfig(FIXTURE, stackFile, [base, plain]).secretKeys, ["splitstack:token"]);
            assert.throws(() => loadStackConfig(FIXTURE, stackFile, [write("broken.json", "{")]), /--esc .*broken\.json: cannot read/);
        });

        it("feeds the armfarm program from the command line: an environment's value reaches the plan", () => {
            const stackFile = write("Pulumi.farm.yaml", "environment:\n  - armfarm/farm-env\nconfig:\n  armfarm:parts: [farm]\n  armfarm:farmInstanceType: c7g.2xlarge\n");
            const opened = write("farm.json", { pulumiConfig: { "aws:region": "eu-west-1", farmLogRetentionDays: 90, farmInstanceType: "m7g.4xlarge" } });
            const run = planCli("--config", stackFile, "--esc", opened, "--json");
            assert.strictEqual(run.status, 0, run.stderr);
            const doc = JSON.parse(run.stdout);
            const logGroup = doc.resources.find((r: any) => r.type === LOG_GROUP);
            const template = doc.resources.find((r: any) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
            assert.deepStrictEqual([logGroup.inputs.retentionInDays, template.inputs.instanceType], [90, "c7g.2xlarge"]);
            assert.strictEqual(doc.outputs.farmHub, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/armfarm-dev/istio");
        });
    });
});
