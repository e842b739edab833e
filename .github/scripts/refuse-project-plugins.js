// Refuses a Pulumi.yaml that brings plugins of its own (its `plugins:` key: providers, languages, analyzers).
//
// The Pulumi CLI looks for a plugin among the project's own first: `workspace.GetPluginPath(...,
// host.GetProjectPlugins())` in pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go
// (`NewPolicyAnalyzer`) and sdk/go/common/workspace/plugins.go. A Pulumi.yaml naming an analyzer `policy`, or
// a language plugin `nodejs`, would so replace the runner of the policy pack with a program of the pull
// request's, which reports no violation whatever the pack says. armfarm uses no plugin of its own, so the
// preview and `up` refuse any.
//
// Usage: node refuse-project-plugins.js PROJECT_DIR TRUSTED_DIR
// Every project file the CLI would take there is read (Pulumi.yaml, Pulumi.yml, Pulumi.json: pulumi/pulumi
// sdk/go/common/workspace/paths.go, the project file name with each of encoding.Exts). The YAML parser, which
// reads JSON too, is js-yaml from TRUSTED_DIR's node_modules (the base branch's policy pack), never the pull
// request's: a parser of the pull request's could answer that there is no such key.
"use strict";
const fs = require("fs");
const path = require("path");

/**
 * The top-level keys that name plugins, or that could: Pulumi.json is read with Go's encoding/json, which matches a
 * key to a field by Unicode case folding (golang/go src/encoding/json/fold.go), so that "pluginſ" (a long s) is
 * `plugins` there. A project file's own keys are ASCII; any other top-level key is refused with them.
 */
function projectPlugins(text, yaml) {
    const doc = yaml.load(text);
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return [];
    return Object.keys(doc).filter((key) => /[^\x20-\x7e]/.test(key) || key.toLowerCase() === "plugins");
}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"];

function main([projectDir, trustedDir]) {
    if (!projectDir || !trustedDir) {
        process.stderr.write("usage: refuse-project-plugins.js PROJECT_DIR TRUSTED_DIR\n");
        return 2;
    }
    const yaml = require(require.resolve("js-yaml", { paths: [path.resolve(trustedDir)] }));
    let refused = 0;
    for (const name of PROJECT_FILES) {
        const file = path.join(projectDir, name);
        if (!fs.existsSync(file)) continue;
        let keys;
        try {
            keys = projectPlugins(fs.readFileSync(file, "utf8"), yaml);
        } catch (err) {
            process.stderr.write(`::error::${name} is not YAML this check can read (${err.message}); refused\n`);
            refused++;
            continue;
        }
        if (keys.length > 0) {
            process.stderr.write(`::error::${name} sets ${keys.join(", ")}: plugins of the project's own would run instead of ` +
                "Pulumi's (the policy pack's runner among them), so the preview and the update refuse them; remove the key\n");
            refused++;
        }
    }
    return refused > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
module.exports = { projectPlugins };
