import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { planError, PROJECT_DIR } from "./harness";

const project = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));

describe("the Pulumi project", () => {
    it("runs the program transpile-only, with the transpiler a runtime dependency", () => {
        assert.strictEqual(project.name, "armfarm");
        assert.strictEqual(project.runtime.name, "nodejs");
        assert.strictEqual(project.runtime.options.typescript, false);
        assert.strictEqual(project.runtime.options.nodeargs, "--require sucrase/register/ts");
        assert.ok(pkg.dependencies.sucrase, "sucrase must be installed by a production install, as pulumi loads it");
        assert.strictEqual(pkg.main, "index.ts");
    });

    it("declares every key the program reads, each with a type, a default and a description, and no other", async () => {
        const message = await planError({ "armfarm:probeForKnownKeys": "x" });
        const known = /known keys: (.*)$/m.exec(message)![1].split(", ").sort();
        const declared = Object.keys(project.config).sort();
        assert.deepStrictEqual(declared, known);
        for (const [key, decl] of Object.entries<any>(project.config)) {
            assert.ok(["string", "integer", "boolean", "array"].includes(decl.type), `${key}: type ${decl.type}`);
            if (decl.type === "array") assert.ok(decl.items?.type, `${key}: array without items`);
            // A secret has no default: Pulumi would keep it in the project file in clear.
            assert.ok(decl.secret === true ? !("default" in decl) : "default" in decl, `${key}: a default, unless it is a secret`);
            assert.ok(typeof decl.description === "string" && decl.description.length > 10, `${key} has no description`);
        }
    });

    it("pins every dependency to an exact version, and TypeScript inside @pulumi/pulumi's peer range", () => {
        for (const [name, version] of Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies })) {
            assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version} is not pinned`);
        }
        assert.ok(Number(pkg.devDependencies.typescript.split(".")[0]) < 7, "typescript must stay below 7");
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, "package-lock.json")));
    });
});
