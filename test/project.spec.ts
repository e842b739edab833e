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
            // The types a project's config schema takes (pulumi/pulumi@v3.259.0:sdk/go/common/workspace/project.json,
            // simpleConfigType); an object arrives in the program as JSON, as an array does.
            assert.ok(["string", "integer", "boolean", "array", "object"].includes(decl.type), `${key}: type ${decl.type}`);
            if (decl.type === "array") assert.ok(decl.items?.type, `${key}: array without items`);
            // Every key has a default: the CLI refuses a stack that leaves a declared key of the project without one
            // unset (pulumi/pulumi@v3.259.0:pkg/workspace/config.go `mergeConfig`, "is missing configuration
            // value"), and a default of a key declared `secret: true` fails its check that the value is encrypted
            // (`validateStackConfigValue`); secrets are declared without it, and the program refuses them in clear.
            assert.ok("default" in decl, `${key}: a default`);
            assert.ok(decl.secret !== true, `${key}: declared secret, so no default can pass the CLI`);
            assert.ok(typeof decl.description === "string" && decl.description.length > 10, `${key} has no description`);
        }
    });

    it("states the Node.js version the dependencies require, in engines and in the README alike", () => {
        // The lowest version engines admits must satisfy every installed dependency's own engines.node (read from
        // node_modules, as npm reads it for EBADENGINE), and the README must name that version.
        const lowest = minimumOf(pkg.engines.node);
        for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
            const theirs = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "node_modules", name, "package.json"), "utf8")).engines?.node;
            if (theirs) assert.ok(satisfies(lowest, theirs), `${name} requires node ${theirs}; engines admits ${lowest.join(".")}`);
        }
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const stated = [...readme.matchAll(/Node\.js (\d+\.\d+) or later/g)].map((m) => m[1]);
        assert.ok(stated.length >= 2, "the quick start and the CLI section name the Node.js version");
        assert.deepStrictEqual([...new Set(stated)], [lowest.slice(0, 2).join(".")]);
    });

    it("pins every dependency to an exact version, and TypeScript inside @pulumi/pulumi's peer range", () => {
        for (const [name, version] of Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies })) {
            assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version} is not pinned`);
        }
        assert.ok(Number(pkg.devDependencies.typescript.split(".")[0]) < 7, "typescript must stay below 7");
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, "package-lock.json")));
    });
});

type Version = [number, number, number];

/** The version a `>=X.Y.Z` range starts at (the only form this project's engines uses). */
function minimumOf(range: string): Version {
    const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
    assert.ok(m, `engines.node ${JSON.stringify(range)} is not of the form >=X.Y.Z`);
    return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** True when `v` satisfies a node-semver range made of `||` alternatives of `>=`, `^` and plain comparators. */
function satisfies(v: Version, range: string): boolean {
    return range.split("||").some((alternative) => alternative.trim().replace(/([\^>=<])\s+/g, "$1").split(/\s+/).every((comparator) => {
        const m = /^(\^|>=|>|<=|<|=)?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(comparator.trim());
        assert.ok(m, `cannot read the engines range ${JSON.stringify(range)}`);
        const w: Version = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
        const c = compare(v, w);
        switch (m[1]) {
            case "^": return c >= 0 && v[0] === w[0];
            case ">=": return c >= 0;
            case ">": return c > 0;
            case "<=": return c <= 0;
            case "<": return c < 0;
            default: return m[3] === undefined ? v[0] === w[0] : c === 0;
        }
    }));
}
