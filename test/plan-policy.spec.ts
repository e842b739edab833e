/**
 * scripts/plan-policy.ts: the policy pack over an offline plan, as the Markdown the offline diff workflow adds
 * for reviewers; with --preview, as a first `pulumi preview` presents the plan to the pack (policy/check.ts).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePolicyArgs } from "../scripts/plan-policy";
import { plan, PROJECT_DIR } from "./harness";
import { previewPlan } from "./preview-harness";

function policyCli(...args: string[]) {
    return spawnSync(process.execPath, ["--require", "sucrase/register/ts", path.join(PROJECT_DIR, "scripts/plan-policy.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8" });
}

describe("the policy pack over an offline plan, for reviewers", function () {
    this.timeout(60000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-policy-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("counts and lists what the pack finds in the dev stack's first preview, and what it cannot judge yet", async () => {
        const file = path.join(dir, "dev-preview.json");
        const preview = await previewPlan();
        fs.writeFileSync(file, JSON.stringify(preview.plan));
        const run = policyCli(file, "--preview");
        assert.strictEqual(run.status, 0, run.stderr);
        // The two build-host advisories, and one for each Helm release the preview cannot show (its cluster is new).
        const releases = preview.ofType("kubernetes:helm.sh/v3:Release").length;
        assert.ok(releases >= 3, `${releases} releases`);
        assert.match(run.stdout, new RegExp(`^#### Policy pack over the offline plan of stack \`dev\`, as a first \`pulumi preview\` presents it\\n\\n\\*\\*0 mandatory\\*\\* violations, ${2 + releases} advisories, \\d+ that cannot judge yet`));
        assert.match(run.stdout, /\| `istio-unjudged-at-preview` \| advisory \| `mesh-istiod-1-30-3` \| this preview shows nothing of mesh-istiod-1-30-3/);
        assert.match(run.stdout, /\| `ec2-build-hosts-spot` \| advisory \| `build-host` \| build hosts run on spot capacity/);
        assert.match(run.stdout, /\| advisory \| [^|]+ \| can't run policy '[a-z0-9-]+' from policy pack 'armfarm@v0\.1\.0' during preview: /);
    });

    it("puts a mandatory violation first, and reads the pack's config as pulumi's --policy-pack-config does", async () => {
        const file = path.join(dir, "dev.json");
        const view = await plan();
        const broken = view.plan.resources.map((r) => r.name === "farm-pilot" && r.type === "aws:ecr/repository:Repository"
            ? { ...r, inputs: { ...r.inputs, imageTagMutability: "MUTABLE" } } : r);
        fs.writeFileSync(file, JSON.stringify({ ...view.plan, resources: broken }));
        const run = policyCli(file);
        assert.strictEqual(run.status, 0, run.stderr);
        const rows = run.stdout.split("\n").filter((l) => l.startsWith("| `"));
        assert.match(rows[0], /^\| `ecr-immutable-tags` \| mandatory \| `farm-pilot` \| imageTagMutability is "MUTABLE"/);
        assert.match(run.stdout, /\*\*1 mandatory\*\* violation, 2 advisories\./);
        const config = path.join(dir, "policy-config.json");
        fs.writeFileSync(config, JSON.stringify({ "istio-hub-verified-multi-arch": { verifiedHubs: ["docker.io/istio"] } }));
        assert.strictEqual(policyCli(file, "--config", config).status, 0);
    });

    it("fails only when it cannot read its input", () => {
        const missing = policyCli(path.join(dir, "none.json"));
        assert.strictEqual(missing.status, 1);
        assert.match(missing.stderr, /plan-policy .*none\.json: cannot read a plan/);
        assert.throws(() => parsePolicyArgs([]), /no plan given/);
        assert.deepStrictEqual(parsePolicyArgs(["p.json", "--preview"]), { planFile: "p.json", preview: true, configFile: undefined });
    });
});
