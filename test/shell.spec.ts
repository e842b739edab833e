import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./harness";
import { requireTool, shellcheck } from "./tools";

const BUILD_DIR = path.join(PROJECT_DIR, "components", "build");

describe("shell scripts that run on build hosts", () => {
    const scripts = fs.readdirSync(BUILD_DIR).filter((f) => f.endsWith(".sh")).sort();

    it("exist as real files", () => {
        assert.ok(scripts.includes("host-setup.sh"), `components/build holds ${scripts.join(", ")}`);
    });

    for (const script of scripts) {
        it(`${script} passes shellcheck at every severity`, function () {
            requireTool(this, "shellcheck");
            const result = shellcheck(path.join(BUILD_DIR, script));
            assert.strictEqual(result.status, 0, result.output);
        });

        it(`${script} stops at the first failure (set -euo pipefail)`, () => {
            const text = fs.readFileSync(path.join(BUILD_DIR, script), "utf8");
            assert.match(text, /^#!\/usr\/bin\/env bash\n/);
            assert.match(text, /^set -euo pipefail$/m);
        });
    }

    it("shellcheck finds a real fault (the check is not vacuous)", function () {
        requireTool(this, "shellcheck");
        const result = shellcheck(path.join(BUILD_DIR, "probe.sh"), "#!/usr/bin/env bash\nrm -rf $DIR/*\n");
        assert.notStrictEqual(result.status, 0);
        assert.match(result.output, /SC2086|SC2115/);
    });
});
