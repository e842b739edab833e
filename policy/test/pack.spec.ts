import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { plan } from "../../test/harness";
import { checkResources } from "../check";
import { RULES } from "../rules";
import { covered } from "./cases";
// The policy specs register the rules they cover when loaded; load them here too, so that the coverage check
// holds whether this file runs alone or with them.
import "./ec2.spec";
import "./ecr-iam.spec";
import "./gke.spec";
import "./istio.spec";
import "./mesh-firewall.spec";
import "./mtls.spec";

const PACK_DIR = path.resolve(__dirname, "..");

describe("policy pack", () => {
    it("passes the dev stack's plan: no mandatory violation, and the advisories it expects", async () => {
        const view = await plan();
        const findings = checkResources(view.resources);
        assert.deepStrictEqual(findings.filter((f) => f.enforcementLevel === "mandatory"), []);
        // The dev farm's hosts get public IPs (its own VPC has no NAT gateway), and its builds run on spot
        // (farmSpot): the pack says so, as advice.
        assert.deepStrictEqual(findings.map((f) => [f.policy, f.urn?.split("::").pop()]),
            [["ec2-build-hosts-public-ip", "farm-hosts"], ["ec2-build-hosts-spot", "build-host"]]);
    });

    it("finds a mandatory violation in a plan that breaks a rule", async () => {
        const view = await plan();
        const repos = view.resources.map((r) => r.type === "aws:ecr/repository:Repository" && r.name === "farm-pilot"
            ? { ...r, inputs: { ...r.inputs, imageTagMutability: "MUTABLE" } }
            : r);
        const mandatory = checkResources(repos).filter((f) => f.enforcementLevel === "mandatory");
        assert.deepStrictEqual(mandatory.map((f) => [f.policy, f.urn?.split("::").pop()]), [["ecr-immutable-tags", "farm-pilot"]]);
    });

    it("has a spec rejecting and accepting a resource for every policy", () => {
        const missing = RULES.map((r) => r.name).filter((n) => !covered.has(n));
        assert.deepStrictEqual(missing, []);
        assert.strictEqual(new Set(RULES.map((r) => r.name)).size, RULES.length, "policy names are unique");
    });

    it("declares itself as pulumi --policy-pack loads it: PulumiPolicy.yaml, and a package.json with a version", () => {
        assert.match(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    });

    it("starts under Pulumi's policy-pack runner from the project's node_modules (type-checked, serving gRPC)", async () => {
        // What `pulumi preview --policy-pack policy` runs: @pulumi/pulumi's run-policy-pack, in the pack's folder,
        // with ts-node type-checking the pack. It prints the port it serves on once every policy is loaded.
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
        const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: PACK_DIR });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout.once("data", (d) => resolve(String(d).trim()));
            child.once("exit", (code) => reject(new Error(`the pack exited with ${code}:\n${stderr}`)));
        }).finally(() => child.kill());
        assert.match(port, /^\d+$/, `expected a port, got ${port}; stderr:\n${stderr}`);
    });
});
