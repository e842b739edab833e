import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { planningWith, PlanView } from "./harness";
import { PlannedResource } from "../scripts/plan/engine";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const { plan, planError } = planningWith({
    "armfarm:parts": ["farm", "cluster", "mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3",
});
// The gateway chart's own values schema (istio/istio@1.30.3:manifests/charts/gateway/values.schema.json).
const gatewaySchema = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "istio-1.30.3", "gateway-values.schema.json"), "utf8"));
const validate = new Ajv({ strict: false, allErrors: true }).compile(gatewaySchema);
const gatewayValues = (view: PlanView) => view.get(RELEASE, "mesh-gateway").inputs.values as Record<string, any>;

describe("the mesh's gateway Service (armfarm:meshGatewayService)", () => {
    it("is external by default: the chart's own LoadBalancer, with a public address", async () => {
        const view = await plan();
        // No `service` key: the chart's values.yaml defaults service.type to LoadBalancer, with no annotations.
        assert.strictEqual(gatewayValues(view).service, undefined);
        const service = view.outputs.meshGatewayService as Record<string, string>;
        assert.deepStrictEqual([service.type, service.name], ["LoadBalancer", "istio-ingressgateway"]);
        assert.match(service.address, /^203\.0\.113\.\d+$/);
    });

    it("is internal with GKE's internal load balancer annotation, a key the chart's schema takes", async () => {
        const view = await plan({ "armfarm:meshGatewayService": "internal" });
        const values = gatewayValues(view);
        // GKE, "LoadBalancer Service parameters": networking.gke.io/load-balancer-type: "Internal" makes an internal
        // passthrough Network Load Balancer, in every GKE version it supports.
        assert.deepStrictEqual(values.service, { type: "LoadBalancer", annotations: { "networking.gke.io/load-balancer-type": "Internal" } });
        assert.ok(validate(values), JSON.stringify(validate.errors));
        const service = view.outputs.meshGatewayService as Record<string, string>;
        assert.strictEqual(service.type, "LoadBalancer");
        assert.match(service.address, /^10\.60\.\d+\.\d+$/, "an address of the nodes' subnet, not a public one");
    });

    it("is no gateway at all with none: no release, no Service read, no gateway output, the rest of the mesh as before", async () => {
        const view = await plan({ "armfarm:meshGatewayService": "none" });
        const releases = view.ofType(RELEASE).map((r: PlannedResource) => r.name);
        assert.deepStrictEqual(releases, ["mesh-base", "mesh-cni", "mesh-istiod-1-30-3"]);
        assert.deepStrictEqual(view.ofType("kubernetes:core/v1:Service"), []);
        assert.strictEqual(view.outputs.meshGatewayService, undefined);
        assert.strictEqual((view.outputs.meshImages as Record<string, string>).gateway, undefined);
        assert.deepStrictEqual(view.ofType("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration").map((r) => r.name), ["mesh-tag-default"]);
        assert.strictEqual(view.ofType("kubernetes:security.istio.io/v1:PeerAuthentication").length, 1);
    });

    it("refuses other values, and internal off GKE, naming the key", async () => {
        assert.match(await planError({ "armfarm:meshGatewayService": "private" }),
            /armfarm:meshGatewayService: "private" is not accepted; use one of external, internal, none/);
        assert.match(await planError({ "armfarm:meshGatewayService": "internal", "armfarm:meshPlatform": "none" }),
            /armfarm:meshGatewayService: "internal" asks GKE for an internal load balancer .* but armfarm:meshPlatform is "none"/);
    });
});
