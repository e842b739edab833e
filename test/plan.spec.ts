/**
 * The offline plan's command line, run for real (`node --require sucrase/register/ts scripts/plan.ts`), as
 * DESIGN.md fixes it: --stack, --config, --json and its document, [secret] masking, exit 1 with one message
 * on bad config and nothing on stdout, byte-identical output on repeated runs.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "./harness";
import { loadStackConfig } from "../scripts/plan/stack-config";

function planCli(...args: string[]) {
    const run = spawnSync(process.execPath, ["--require", "sucrase/register/ts", path.join(PROJECT_DIR, "scripts/plan.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the offline plan's command line", function () {
    this.timeout(60000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-plan-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prints one JSON document of the documented shape, the same on every run", () => {
        const first = planCli("--json");
        const second = planCli("--stack", "dev", "--json");
        assert.strictEqual(first.status, 0, first.stderr);
        assert.strictEqual(first.stdout, second.stdout, "two runs print byte-identical JSON");
        const plan = JSON.parse(first.stdout);
        assert.deepStrictEqual(Object.keys(plan), ["project", "stack", "resources", "outputs"]);
        assert.deepStrictEqual([plan.project, plan.stack], ["armfarm", "dev"]);
        const lt = plan.resources.find((r: any) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
        assert.deepStrictEqual(Object.keys(lt).filter((k) => k !== "outputs"), ["urn", "type", "name", "custom", "parent", "inputs", "options"]);
        assert.deepStrictEqual(Object.keys(lt.options).sort(), ["customTimeouts", "deleteBeforeReplace", "dependsOn", "ignoreChanges",
            "protect", "provider", "replaceOnChanges", "retainOnDelete"]);
        assert.match(lt.urn, /^urn:pulumi:dev::armfarm::armfarm:aws:GravitonBuildFarm\$aws:ec2\/launchTemplate:LaunchTemplate::farm-hosts$/);
        assert.strictEqual(plan.outputs.kubeconfig, "[secret]", "secret outputs are masked");
    });

    it("prints the whole plan into a pipe, not only the pipe's first 64 KiB", () => {
        const toFile = planCli("--json");
        const piped = spawnSync("sh", ["-c", `"${process.execPath}" --require sucrase/register/ts scripts/plan.ts --json | cat`],
            { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        assert.strictEqual(piped.status, 0, piped.stderr);
        assert.ok(toFile.stdout.length > 64 * 1024, "the dev plan is larger than a pipe's buffer");
        assert.strictEqual(piped.stdout, toFile.stdout);
        // A reader that stops early closes the pipe: the plan then ends quietly, as other tools do.
        const head = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" --require sucrase/register/ts scripts/plan.ts --json | head -c 10`],
            { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.deepStrictEqual([head.status, head.stdout, head.stderr], [0, toFile.stdout.slice(0, 10), ""]);
    });

    it("prints a readable tree without --json", () => {
        const run = planCli();
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /^Offline plan of stack dev \(project armfarm\)/);
        assert.match(run.stdout, /\+ {3}└─ armfarm:aws:GravitonBuildFarm|├─ armfarm:aws:GravitonBuildFarm +farm/);
        assert.match(run.stdout, /aws:ecr:Repository +farm-pilot +\[protect; retain on delete\]/);
        assert.match(run.stdout, /Resources:\n {4}\+ \d+ to create/);
    });

    it("refuses, as the CLI does, a stack that leaves a declared key without a default unset", () => {
        // pulumi/pulumi@v3.259.0:pkg/workspace/config.go `mergeConfig`: such a key of the project's namespace is
        // missing, and `pulumi preview` and `pulumi up` stop before the program runs.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-project-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), [
            "name: demo", "runtime: nodejs", "config:",
            "  region: {type: string}", "  zone: {type: string}", "  size: {type: integer, default: 3}", "  aws:region: {type: string}", "",
        ].join("\n"));
        const stack = path.join(dir, "Pulumi.team.yaml");
        fs.writeFileSync(stack, "config:\n  demo:zone: a\n");
        assert.throws(() => loadStackConfig(dir, stack), /^Error: Stack 'team' is missing configuration value 'region' \(the Pulumi CLI refuses/);
        fs.writeFileSync(stack, "config: {}\n");
        assert.throws(() => loadStackConfig(dir, stack), /is missing configuration values 'region' and 'zone'/);
        // Set, or given a default, it is there; a key of another namespace is the provider's to want.
        fs.writeFileSync(stack, "config:\n  demo:region: r\n  demo:zone: z\n");
        assert.deepStrictEqual(loadStackConfig(dir, stack).values, { "demo:region": "r", "demo:size": "3", "demo:zone": "z" });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads another stack file with --config, and shows secure values as [secret]", () => {
        const file = path.join(dir, "Pulumi.other.yaml");
        fs.writeFileSync(file, [
            "config:",
            "  aws:region: eu-west-1",
            "  armfarm:parts: [farm]",
            "  armfarm:farmInstanceType: c7g.2xlarge",
            "  armfarm:farmVpcCidr:",
            "    secure: AAABAKZ0ZXN0aW5nLWNpcGhlcnRleHQ=",
            "",
        ].join("\n"));
        const config = loadStackConfig(PROJECT_DIR, file);
        assert.deepStrictEqual(config.secretKeys, ["armfarm:farmVpcCidr"]);
        assert.strictEqual(config.values["armfarm:farmVpcCidr"], "[secret]");
        assert.ok(!JSON.stringify(config).includes("AAABAKZ0"), "the ciphertext is not passed on");
        assert.strictEqual(config.values["armfarm:farmLogRetentionDays"], "30", "Pulumi.yaml's defaults apply");
        // A secure value the program validates fails without showing anything but the placeholder.
        const run = planCli("--config", file, "--json");
        assert.strictEqual(run.status, 1);
        assert.strictEqual(run.stdout, "");
        assert.match(run.stderr, /armfarm:farmVpcCidr: its secure value, which the offline plan cannot decrypt to check, is not accepted; expected/);
    });

    // The CLI decodes a stack file's value with its YAML type and hands the program its JSON (pulumi/pulumi@v3.259.0
    // sdk/go/common/resource/config/value.go `Value.UnmarshalYAML`, object.go `unmarshalObject` and `MarshalString`).
    it("passes a scalar as the CLI does: by its YAML type, as JSON text, a null as null", () => {
        const file = path.join(dir, "Pulumi.scalars.yaml");
        fs.writeFileSync(file, [
            "config:", "  aws:region: us-east-1", "  armfarm:farmRootVolumeGiB: 2e2", "  armfarm:farmSpot: True",
            "  armfarm:buildIstioRelease: 1.30", "  armfarm:namePrefix: ~", "  armfarm:meshHub:", "  armfarm:meshTag: '1.30'",
            "  armfarm:clusterName: \"a\\x62c\"", "  armfarm:farmLogRetentionDays: 0x1E", "  armfarm:labels: {n: 1.50, t: true}", "",
        ].join("\n"));
        const { values } = loadStackConfig(PROJECT_DIR, file);
        assert.deepStrictEqual([
            values["armfarm:farmRootVolumeGiB"], values["armfarm:farmSpot"], values["armfarm:buildIstioRelease"], values["armfarm:namePrefix"],
            values["armfarm:meshHub"], values["armfarm:meshTag"], values["armfarm:clusterName"], values["armfarm:farmLogRetentionDays"],
        ], ["200", "true", "1.3", "null", "null", "1.30", "abc", "30"]);
        // A structured value goes as JSON, its YAML types kept.
        assert.strictEqual(values["armfarm:labels"], JSON.stringify({ n: 1.5, t: true }));
        const run = planCli("--config", file, "--json");
        assert.deepStrictEqual([run.status, run.stdout], [1, ""]);
        assert.match(run.stderr, /armfarm:buildIstioRelease: "1\.3" is not accepted/);
        const notMapping = path.join(dir, "Pulumi.notmap.yaml");
        fs.writeFileSync(notMapping, "config: hello\n");
        assert.throws(() => loadStackConfig(PROJECT_DIR, notMapping), /config: is "hello"; expected a mapping of keys to values/);
    });

    // An error the program finds while it runs (a zone without the type) is the program's, named by its key, in one
    // line: not the SDK's serialization chain, nor its runtime log of every invoke the failed value reached.
    it("prints an error found while the program runs as the one message the program threw, naming its key", () => {
        const file = path.join(dir, "Pulumi.zone.yaml");
        fs.writeFileSync(file, fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8") + "  armfarm:farmAvailabilityZones: [us-east-1e]\n");
        const run = planCli("--config", file, "--json");
        assert.deepStrictEqual([run.status, run.stdout], [1, ""]);
        assert.strictEqual(run.stderr, "availabilityZones (armfarm:farmAvailabilityZones): us-east-1e does not offer m6g.4xlarge; " +
            "zones of this region that do: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f\n");
    });

    // npm runs a script in the package's root and passes where it was started as INIT_CWD (npm docs, "scripts").
    it("reads relative paths from where npm run was started", () => {
        const run = spawnSync("npm", ["run", "-s", "plan", "--", "--stack", "farm", "--config", "Pulumi.farm.yaml", "--json"],
            { cwd: path.join(PROJECT_DIR, "examples", "split"), encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_lifecycle_event: "" } });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(JSON.parse(run.stdout).stack, "farm");
    });

    it("exits 1 with one message naming the key, the value and what is accepted, and prints nothing on stdout", () => {
        const file = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(file, "config:\n  aws:region: us-east-1\n  armfarm:parts: [farm]\n  armfarm:farmInstanceType: m5.xlarge\n");
        const run = planCli("--config", file, "--json");
        assert.deepStrictEqual([run.status, run.stdout], [1, ""]);
        assert.match(run.stderr, /^Invalid stack configuration \(1 problem\):\n {2}- armfarm:farmInstanceType: "m5.xlarge" is not an arm64 Graviton instance type; use a type of a Graviton family/);
        const missing = planCli("--stack", "nowhere");
        assert.deepStrictEqual([missing.status, missing.stdout], [1, ""]);
        assert.match(missing.stderr, /Pulumi\.nowhere\.yaml: no such stack file/);
        const unknown = planCli("--frobnicate");
        assert.strictEqual(unknown.status, 1);
        assert.match(unknown.stderr, /unknown argument "--frobnicate"\nusage: npm run plan --/);
    });
});
