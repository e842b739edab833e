import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Plan, PlannedResource } from "../scripts/plan/engine";
import { code, diffPlans, diffValues, readPlanFile, renderDiff } from "../scripts/plan/diff";
import { pathMatches } from "../scripts/plan/diff-replace";
import { parseArgs } from "../scripts/plan";
import { plan, PROJECT_DIR } from "./harness";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/** A resource as the plan writes it, for cases the program cannot produce (a secret input, options it never sets). */
function synthetic(type: string, name: string, inputs: Record<string, unknown>, options: Partial<PlannedResource["options"]> = {}): PlannedResource {
    return {
        urn: `urn:pulumi:dev::armfarm::${type}::${name}`, type, name, custom: true, parent: null, inputs,
        options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [],
            dependsOn: [], provider: null, customTimeouts: null, ...options },
    };
}

const withResources = (p: Plan, ...extra: PlannedResource[]): Plan => ({ ...p, resources: [...p.resources, ...extra] });

let base: Plan;

describe("offline plan diff", () => {
    before(async () => {
        base = (await plan()).plan;
    });

    it("shows a changed instance type as an update of the launch template, with old and new values", async () => {
        const head = (await plan({ "armfarm:farmInstanceType": "c7g.4xlarge" })).plan;
        const diff = diffPlans(base, head);
        assert.deepStrictEqual([diff.added, diff.removed], [[], []]);
        // What the farm tells builds of other stacks (farmCore) changes with it.
        assert.deepStrictEqual(diff.outputs.map((o) => [o.path, o.old, o.new]), [
            ["farmCore.amd64InstanceType", "m6i.4xlarge", "c7i.4xlarge"],
            ["farmCore.instanceType", "m6g.4xlarge", "c7g.4xlarge"],
            ["farmCore.spotInstanceTypes[0]", "m6g.4xlarge", "c7g.4xlarge"],
            ["farmCore.spotInstanceTypes[1]", "m7g.4xlarge", "c6g.4xlarge"],
        ]);
        // The launch templates (the x86 one follows the Graviton type: c7g.4xlarge gives c7i.4xlarge), and the
        // build's host groups, whose instance types follow the farm's.
        assert.deepStrictEqual(diff.changed.map((c) => [c.type, c.name, c.replaceReasons]), [
            [LAUNCH_TEMPLATE, "farm-hosts", []],
            [LAUNCH_TEMPLATE, "farm-hosts-amd64", []],
            ["aws:autoscaling/group:Group", "build-host", []],
            ["aws:autoscaling/group:Group", "build-host-on-demand", []],
        ]);
        assert.deepStrictEqual(diff.changed[1].changes.find((c) => c.path === "instanceType"),
            { path: "instanceType", kind: "update", old: "m6i.4xlarge", new: "c7i.4xlarge", secret: false });
        assert.deepStrictEqual(diff.changed[0].changes.find((c) => c.path === "instanceType"),
            { path: "instanceType", kind: "update", old: "m6g.4xlarge", new: "c7g.4xlarge", secret: false });
        const md = renderDiff(diff, "base.json");
        assert.match(md, /\*\*0 to add, 0 to remove, 4 to change\*\*/);
        assert.match(md, /- \*\*update\*\* `aws:ec2\/launchTemplate:LaunchTemplate` `farm-hosts`/);
        assert.ok(md.includes("| `instanceType` | `m6g.4xlarge` | `c7g.4xlarge` |"), md);
    });

    it("shows a changed hub: the output, and the protected repositories it replaces", async () => {
        const head = (await plan({ "armfarm:farmRepositoryPrefix": "mesh" })).plan;
        const diff = diffPlans(base, head);
        assert.deepStrictEqual(diff.outputs.find((o) => o.path === "farmHub"), {
            path: "farmHub", kind: "update", secret: false,
            old: "123456789012.dkr.ecr.us-east-1.amazonaws.com/armfarm-dev/istio", new: "123456789012.dkr.ecr.us-east-1.amazonaws.com/mesh",
        });
        const replaced = diff.changed.filter((c) => c.replaceReasons.length > 0);
        assert.deepStrictEqual(replaced.map((c) => `${c.type} ${c.name}`).sort(), [
            "aws:ecr/lifecyclePolicy:LifecyclePolicy farm-install-cni", "aws:ecr/lifecyclePolicy:LifecyclePolicy farm-pilot",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy farm-proxyv2", "aws:ecr/lifecyclePolicy:LifecyclePolicy farm-ztunnel",
            "aws:ecr/repository:Repository farm-install-cni", "aws:ecr/repository:Repository farm-pilot",
            "aws:ecr/repository:Repository farm-proxyv2", "aws:ecr/repository:Repository farm-ztunnel",
        ]);
        const md = renderDiff(diff, "base.json");
        assert.match(md, /- \*\*replace\*\* `aws:ecr\/repository:Repository` `farm-pilot`: `name` cannot change in place\. It is \*\*protected\*\*/);
        assert.match(md, /\(8 to replace\)/);
    });

    it("shows a changed mesh hub: the istiod release's values, from the build's hub to one set in config", async () => {
        const head = (await plan({ "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3" })).plan;
        const diff = diffPlans(base, head);
        const istiod = diff.changed.find((c) => c.name === "mesh-istiod-1-30-3")!;
        assert.deepStrictEqual(istiod.changes.find((c) => c.path === "values.global.hub"),
            { path: "values.global.hub", kind: "update", old: "us-central1-docker.pkg.dev/armfarm-dev/armfarm-dev-istio", new: "docker.io/istio", secret: false });
        assert.deepStrictEqual(istiod.replaceReasons, []);
        assert.ok(renderDiff(diff, "b").includes("| `values.global.hub` | `us-central1-docker.pkg.dev/armfarm-dev/armfarm-dev-istio` | `docker.io/istio` |"));
    });

    it("shows added node pools, and a pool replaced by a new machine type", async () => {
        const farmOnly = (await plan({ "armfarm:parts": ["farm"] })).plan;
        const withCluster = (await plan({ "armfarm:parts": ["farm", "cluster"] })).plan;
        const added = diffPlans(farmOnly, withCluster);
        assert.deepStrictEqual(added.added.filter((r) => r.type === "gcp:container/nodePool:NodePool").map((r) => r.name), ["cluster-amd64", "cluster-arm64"]);
        assert.deepStrictEqual([added.removed, added.changed], [[], []]);
        assert.match(renderDiff(added, "b"), /#### Added\n\n[\s\S]*- \*\*create\*\* `gcp:container\/nodePool:NodePool` `cluster-arm64`/);
        const bigger = (await plan({ "armfarm:clusterArm64MachineType": "t2a-standard-8" })).plan;
        const pool = diffPlans(base, bigger).changed.find((c) => c.name === "cluster-arm64")!;
        assert.deepStrictEqual(pool.changes.find((c) => c.path === "nodeConfig.machineType"),
            { path: "nodeConfig.machineType", kind: "update", old: "t2a-standard-4", new: "t2a-standard-8", secret: false });
        assert.ok(pool.replaceReasons.length > 0, "a machine type change replaces the pool");
    });

    it("reports a secret change without either value, whichever side holds the secret", () => {
        // No resource input of this program is secret (its secrets are outputs, such as kubeconfig), so these
        // synthetic resources stand for one, such as a registry credential.
        const secretThen = synthetic("kubernetes:core/v1:Secret", "pull", { stringData: { password: "[secret]" } });
        const plainNow = synthetic("kubernetes:core/v1:Secret", "pull", { stringData: { password: "hunter2-now-in-clear" } });
        const plainThen = synthetic("kubernetes:core/v1:Secret", "pull", { stringData: { password: "old-token-4711" } });
        for (const [from, to] of [[secretThen, plainNow], [plainThen, secretThen]]) {
            const diff = diffPlans(withResources(base, from), withResources(base, to));
            assert.deepStrictEqual(diff.changed[0].changes, [{ path: "stringData.password", kind: "update", secret: true }]);
            const md = renderDiff(diff, "b") + JSON.stringify(diff);
            assert.ok(!md.includes("hunter2") && !md.includes("old-token"), "no value of a secret path shows, from either plan");
            assert.match(md, /\| `stringData.password` \| \*secret\* \| \*secret, changed: value not shown\* \|/);
        }
        // A whole secret object that disappears is reported as removed, still without its value.
        assert.deepStrictEqual(diffValues({ auth: "[secret]" }, {}), [{ path: "auth", kind: "delete", secret: true }]);
        // Two secrets look alike offline: no change can be claimed.
        assert.deepStrictEqual(diffValues({ auth: "[secret]" }, { auth: "[secret]" }), []);
    });

    it("calls out replaceOnChanges and option changes", () => {
        const before = synthetic("kubernetes:helm.sh/v3:Release", "mesh-cni", { chart: "cni", values: { cni: { chained: true } } });
        const after = synthetic("kubernetes:helm.sh/v3:Release", "mesh-cni", { chart: "cni", values: { cni: { chained: false } } },
            { replaceOnChanges: ["values.cni.*"], protect: true });
        const [change] = diffPlans(withResources(base, before), withResources(base, after)).changed;
        assert.deepStrictEqual(change.replaceReasons, ["`values.cni.chained` is in replaceOnChanges"]);
        assert.deepStrictEqual(change.options.map((o) => [o.path, o.old, o.new]), [["protect", false, true], ["replaceOnChanges[0]", undefined, "values.cni.*"]]);
        assert.ok(pathMatches("ingress[*].cidrBlocks", "ingress[2].cidrBlocks[0]"));
        assert.ok(!pathMatches("nodeConfig.machineType", "nodeConfig.machine"));
    });

    it("prints values so that nothing in them escapes their code span", () => {
        assert.strictEqual(code("a|b"), "`a\\|b`");
        assert.strictEqual(code("x ``y`` @team <img>"), "```x ``y`` @team <img>```");
        assert.strictEqual(code("`edge"), "`` `edge ``");
        assert.match(code("x".repeat(500)), /… \(500 characters\)`$/);
    });

    it("runs from the command line: --diff BASE.json, and refuses a base that is not a plan", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-diff-"));
        try {
            const run = (...args: string[]) => spawnSync(process.execPath,
                ["--require", "sucrase/register/ts", path.join(PROJECT_DIR, "scripts/plan.ts"), ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
            const older = { ...base, resources: base.resources.filter((r) => r.name !== "farm-ztunnel") };
            fs.writeFileSync(path.join(dir, "base.json"), JSON.stringify(older));
            const ok = run("--diff", path.join(dir, "base.json"));
            assert.strictEqual(ok.status, 0, ok.stderr);
            assert.match(ok.stdout, /Against `base.json`: \*\*2 to add, 0 to remove, 0 to change\*\*/);
            assert.match(ok.stdout, /- \*\*create\*\* `aws:ecr\/repository:Repository` `farm-ztunnel`/);

            fs.writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ resources: "none" }));
            const bad = run("--diff", path.join(dir, "bad.json"));
            assert.deepStrictEqual([bad.status, bad.stdout], [1, ""]);
            assert.match(bad.stderr, /bad.json: not a plan written by npm run -s plan -- --json/);
            assert.throws(() => readPlanFile(path.join(dir, "missing.json")), /cannot read a plan/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.deepStrictEqual(parseArgs(["--diff", "b.json", "--stack", "prod"]), {
            stack: "prod", json: false, diffBase: "b.json", preview: false, refs: [], escFiles: [],
        });
        assert.throws(() => parseArgs(["--diff"]), /--diff needs a value/);
    });
});
