import * as assert from "assert";
import { plan } from "./harness";
import { checkResources } from "../policy/check";
import { RULES } from "../policy/rules";
import { FIREWALL, meshWebhookFirewall } from "../policy/rules/mesh-firewall";
import { covered } from "../policy/test/cases";
// The policy specs register the rules they cover when loaded; load them here too, so that the coverage check
// holds whether this file runs alone or with them.
import "../policy/test/ec2.spec";
import "../policy/test/ecr-iam.spec";
import "../policy/test/gke.spec";
import "../policy/test/istio.spec";
import "../policy/test/mesh-firewall.spec";
import "../policy/test/mtls.spec";
import "../policy/test/ssm.spec";

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

    it("passes a PERMISSIVE stack, which the config accepts, with advice and no mandatory finding", async () => {
        const view = await plan({ "armfarm:meshMtlsMode": "PERMISSIVE" });
        const findings = checkResources(view.resources);
        assert.deepStrictEqual(findings.filter((f) => f.enforcementLevel === "mandatory"), []);
        assert.deepStrictEqual(findings.filter((f) => f.policy === "istio-permissive-mtls").map((f) => f.urn?.split("::").pop()), ["mesh-mtls"]);
    });

    it("finds the dev stack's webhook firewall rule for istiod, and misses it when the plan lacks it", async () => {
        const view = await plan();
        assert.deepStrictEqual(checkResources(view.resources, {}, [meshWebhookFirewall]), []);
        const without = view.resources.filter((r) => r.type !== FIREWALL);
        assert.deepStrictEqual(checkResources(without, {}, [meshWebhookFirewall]).map((f) => [f.policy, f.urn?.split("::").pop()]),
            [["gke-mesh-webhook-firewall", "cluster-gke"]]);
    });
});
