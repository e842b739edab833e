/**
 * The policy pack stands alone, so that it runs from its own folder and can be published to an organization
 * (`pulumi policy publish`, which uploads what `npm pack` makes of the pack's folder:
 * pulumi/pulumi@v3.259.0:pkg/backend/httpstate/policypack.go `Publish`, sdk/nodejs/npm/npm.go `Pack`):
 * - its own dependencies, pinned and locked in policy/package.json and policy/package-lock.json;
 * - nothing imported from outside policy/, and the program's knowledge it needs copied in, equal to the program's;
 * - started under Pulumi's policy-pack runner (@pulumi/pulumi's run-policy-pack, which type-checks the pack with
 *   the ts-node and TypeScript it finds beside it) from its published files and its own node_modules.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import * as arch from "../components/arch";
import { BUILD_HOST_TAG as PROGRAM_BUILD_HOST_TAG } from "../components/aws/farm-data";
import * as cidr from "../components/cidr";
import { MESH_WEBHOOK_PORT } from "../components/gcp/gke-data";
import * as istioData from "../components/k8s/istio-data";
import * as packArch from "../policy/rules/arch";
import * as packCidr from "../policy/rules/cidr";
import * as packMesh from "../policy/rules/mesh-data";
import { BUILD_HOST_TAG } from "../policy/rules/ec2";
import { PROJECT_DIR } from "./harness";

const PACK_DIR = path.join(PROJECT_DIR, "policy");
const PACK_MODULES = path.join(PACK_DIR, "node_modules");
const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));

/** The pack's own sources, tests included, without its node_modules. */
function packSources(dir = PACK_DIR): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : packSources(full);
        return /\.ts$/.test(e.name) ? [full] : [];
    });
}

/** Every module a TypeScript file imports or requires. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const patterns = [
        /^\s*(?:import|export)\s[^"';]*?\bfrom\s+["']([^"']+)["']/gm,
        /^\s*import\s+["']([^"']+)["']/gm,
        /\brequire\(\s*["']([^"']+)["']\s*\)/g,
    ];
    return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]));
}

/** The pack's own node_modules, installed by `npm ci --prefix policy` (.ci/run); outside CI a spec may skip. */
function requirePackModules(ctx: Mocha.Context): void {
    if (fs.existsSync(path.join(PACK_MODULES, "@pulumi", "pulumi"))) return;
    const message = "the policy pack's own dependencies are not installed (npm ci --prefix policy)";
    if (process.env.CI === "true") throw new Error(`${message}; CI must install them in .ci/run`);
    console.warn(`      skipped: ${message}`);
    ctx.skip();
}

/** Starts the policy-pack runner as `pulumi preview --policy-pack DIR` does; resolves with what it prints first. */
function startRunner(dir: string): Promise<{ port: string; stderr: string }> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    assert.ok(fs.realpathSync(runner).startsWith(fs.realpathSync(PACK_MODULES) + path.sep), `the runner comes from the pack's node_modules, not ${runner}`);
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: dir });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise<{ port: string; stderr: string }>((resolve, reject) => {
        child.stdout.once("data", (d) => resolve({ port: String(d).trim(), stderr }));
        child.once("exit", (code) => reject(new Error(`the pack exited with ${code}:\n${stderr}`)));
    }).finally(() => child.kill());
}

describe("the policy pack stands alone", function () {
    this.timeout(60000);

    it("keeps its copy of the program's knowledge equal to the program's", () => {
        assert.deepStrictEqual(packArch.GRAVITON_FAMILIES, arch.GRAVITON_FAMILIES);
        assert.deepStrictEqual(packArch.EC2_SIZES, arch.EC2_SIZES);
        assert.deepStrictEqual(packArch.GCE_ARM64_FAMILIES, arch.GCE_ARM64_FAMILIES);
        assert.deepStrictEqual(packArch.ARM64_TAINT, arch.ARM64_TAINT);
        assert.deepStrictEqual(BUILD_HOST_TAG, PROGRAM_BUILD_HOST_TAG);
        const types = [...arch.GRAVITON_FAMILIES, "m7i", "c6i", "t3"].flatMap((f) => [...arch.EC2_SIZES, "huge"].map((s) => `${f}.${s}`));
        for (const t of [...types, "m6g", "m6g.", ".large", "M6G.LARGE"]) {
            assert.strictEqual(packArch.isGravitonInstanceType(t), arch.isGravitonInstanceType(t), t);
        }
    });

    it("keeps its copy of the mesh's facts and of the CIDR arithmetic equal to the program's", () => {
        assert.deepStrictEqual(packMesh.MTLS_MODES, istioData.MTLS_MODES);
        assert.deepStrictEqual(packMesh.PLAINTEXT_TOLERANT_MTLS_MODES, istioData.PLAINTEXT_TOLERANT_MTLS_MODES);
        assert.strictEqual(packMesh.INHERIT_MTLS_MODE, istioData.INHERIT_MTLS_MODE);
        assert.strictEqual(packMesh.DEFAULT_ISTIO_NAMESPACE, istioData.DEFAULT_ISTIO_NAMESPACE);
        assert.strictEqual(packMesh.MESH_WEBHOOK_PORT, MESH_WEBHOOK_PORT);
        const blocks = ["0.0.0.0/0", "10.0.0.0/8", "10.40.0.0/16", "10.40.0.1/16", "172.16.0.32/28", "172.16.0.40/28", "172.16.0.32/27",
            "192.168.1.0/24", "255.255.255.255/32", "256.0.0.0/8", "10.0.0.0/33", "10.0.0/8", "::/0", "203.0.113.7/32"];
        for (const b of blocks) assert.strictEqual(packCidr.isIpv4Cidr(b), cidr.isIpv4Cidr(b), b);
        const valid = blocks.filter(cidr.isIpv4Cidr);
        for (const outer of valid) for (const inner of valid) {
            assert.strictEqual(packCidr.cidrContains(outer, inner), cidr.cidrContains(outer, inner), `${outer} ⊇ ${inner}`);
        }
    });

    it("imports nothing from outside its folder, and no package it does not depend on", () => {
        const deps = Object.keys(pkg.dependencies);
        const builtins = new Set(builtinModules);
        const outside: string[] = [];
        for (const file of packSources()) {
            for (const spec of importsOf(file)) {
                if (spec.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), spec);
                    if (!target.startsWith(PACK_DIR + path.sep)) outside.push(`${path.relative(PACK_DIR, file)}: ${spec}`);
                    continue;
                }
                const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                if (!deps.includes(name) && !builtins.has(name)) outside.push(`${path.relative(PACK_DIR, file)}: ${spec} (not a dependency)`);
            }
        }
        assert.deepStrictEqual(outside, []);
        assert.ok(packSources().length > 10, "the scan reads the pack's sources");
    });

    it("pins its dependencies to exact versions, locked, with TypeScript below 7", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package-lock.json"), "utf8"));
        assert.deepStrictEqual(Object.keys(pkg.dependencies).sort(), ["@pulumi/policy", "@pulumi/pulumi", "@types/node", "ts-node", "typescript"]);
        for (const [name, version] of Object.entries<string>(pkg.dependencies)) {
            assert.match(version, /^\d+\.\d+\.\d+$/, `${name} ${version} is not an exact version`);
            assert.strictEqual(lock.packages[`node_modules/${name}`].version, version, `the lock holds ${name} ${version}`);
        }
        assert.deepStrictEqual(lock.packages[""].dependencies, pkg.dependencies);
        assert.ok(Number(pkg.dependencies.typescript.split(".")[0]) < 7);
        // The SDK the pack runs under is the program's.
        const root = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        assert.strictEqual(pkg.dependencies["@pulumi/pulumi"], root.dependencies["@pulumi/pulumi"]);
        assert.strictEqual(pkg.dependencies["@pulumi/policy"], root.dependencies["@pulumi/policy"]);
    });

    it("publishes the pack's files and nothing else", () => {
        const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: PACK_DIR, encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        const files = (JSON.parse(run.stdout)[0].files as { path: string }[]).map((f) => f.path).sort();
        const rules = fs.readdirSync(path.join(PACK_DIR, "rules")).filter((f) => f.endsWith(".ts")).map((f) => `rules/${f}`);
        assert.deepStrictEqual(files, ["PulumiPolicy.yaml", "index.ts", "package.json", ...rules].sort());
        assert.match(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    });

    it("starts under Pulumi's policy-pack runner from its own folder, type-checked by its own TypeScript", async function () {
        requirePackModules(this);
        const typescript = require.resolve("typescript", { paths: [path.dirname(require.resolve("@pulumi/pulumi", { paths: [PACK_DIR] }))] });
        // Compared as real paths, as the runner's is: the pack's node_modules may be a link to an install elsewhere.
        assert.ok(fs.realpathSync(typescript).startsWith(fs.realpathSync(PACK_MODULES) + path.sep), typescript);
        const { port, stderr } = await startRunner(PACK_DIR);
        assert.match(port, /^\d+$/, `expected a port, got ${port}; stderr:\n${stderr}`);
    });

    it("starts from its published files alone, with its own node_modules", async function () {
        requirePackModules(this);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-pack-"));
        try {
            const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--loglevel=error"], { cwd: PACK_DIR, encoding: "utf8" });
            for (const { path: file } of JSON.parse(run.stdout)[0].files as { path: string }[]) {
                fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
                fs.copyFileSync(path.join(PACK_DIR, file), path.join(dir, file));
            }
            fs.symlinkSync(PACK_MODULES, path.join(dir, "node_modules"));
            const { port, stderr } = await startRunner(dir);
            assert.match(port, /^\d+$/, `expected a port, got ${port}; stderr:\n${stderr}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
