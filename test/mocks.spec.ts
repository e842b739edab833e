/**
 * The offline plan's fakes behave as the services they stand for, failures included, so that a plan that works
 * offline does not fail on its first real run for a reason the fake hid.
 */
import * as assert from "assert";
import { withProjectApis } from "../scripts/plan/mocks/gcp-apis";
import { gcpMocks } from "../scripts/plan/mocks/gcp";
import { k8sMocks } from "../scripts/plan/mocks/k8s";

describe("offline plan mocks", () => {
    describe("a fresh GCP project", () => {
        const project = "armfarm-dev";
        const network = { project, autoCreateSubnetworks: false };

        it("refuses a call to an API that is not enabled, as Google answers it (403 SERVICE_DISABLED)", () => {
            const apis = withProjectApis(gcpMocks);
            assert.throws(() => apis.resources["gcp:compute/network:Network"]("n", network),
                /Error 403: Compute Engine API has not been used in project \d+ before or it is disabled\. .*compute\.googleapis\.com.*SERVICE_DISABLED/);
        });

        it("serves an API once its Service is created, reading the project through Resource Manager first", () => {
            const apis = withProjectApis(gcpMocks);
            const enable = (service: string) => apis.resources["gcp:projects/service:Service"](service, { project, service });
            // A Service reads the project through Resource Manager (terraform-provider-google,
            // resource_google_project_service.go): before that API is on, enabling another one fails.
            assert.throws(() => enable("compute.googleapis.com"), /Cloud Resource Manager API has not been used/);
            assert.deepStrictEqual(enable("cloudresourcemanager.googleapis.com"), { id: `${project}/cloudresourcemanager.googleapis.com`, project });
            enable("compute.googleapis.com");
            assert.match(String(apis.resources["gcp:compute/network:Network"]("n", network).id), /^projects\/armfarm-dev\/global\/networks\//);
            // Each table starts from a project with every API off.
            assert.throws(() => withProjectApis(gcpMocks).resources["gcp:compute/network:Network"]("n", network), /SERVICE_DISABLED/);
        });
    });

    it("answers a webhook configuration as the API server does: its name as id, defaults filled in, no CA bundle yet", () => {
        // Kubernetes API reference, admissionregistration.k8s.io/v1: MutatingWebhook.matchPolicy defaults to
        // Equivalent, timeoutSeconds to 10, RuleWithOperations.scope to "*".
        const state = k8sMocks().resources["kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration"]("tag", {
            metadata: { name: "istio-revision-tag-default" },
            webhooks: [{ name: "rev.namespace.sidecar-injector.istio.io", rules: [{ operations: ["CREATE"] }], clientConfig: { service: { name: "istiod-1-30-3" } } }],
        }) as any;
        assert.strictEqual(state.id, "istio-revision-tag-default");
        assert.deepStrictEqual([state.webhooks[0].matchPolicy, state.webhooks[0].timeoutSeconds, state.webhooks[0].rules[0].scope], ["Equivalent", 10, "*"]);
        assert.strictEqual(state.webhooks[0].clientConfig.caBundle, undefined);
    });

    it("reads back the Service a gateway release rendered, and fails on one no release made, as the API server does", () => {
        const k8s = k8sMocks();
        const service = (id: string) => k8s.resources["kubernetes:core/v1:Service"]("gw", {}, id) as any;
        assert.throws(() => service("istio-ingress/istio-ingressgateway"), /services "istio-ingressgateway" not found/);
        const release = (values: Record<string, unknown>) => k8s.resources["kubernetes:helm.sh/v3:Release"]("gateway",
            { name: "istio-ingressgateway", namespace: "istio-ingress", values });
        // The gateway chart's values.yaml: service.type LoadBalancer unless set (istio/istio@1.30.3).
        release({});
        assert.strictEqual(service("istio-ingress/istio-ingressgateway").spec.type, "LoadBalancer");
        assert.match(service("istio-ingress/istio-ingressgateway").status.loadBalancer.ingress[0].ip, /^203\.0\.113\./);
        release({ service: { type: "LoadBalancer", annotations: { "networking.gke.io/load-balancer-type": "Internal" } } });
        assert.match(service("istio-ingress/istio-ingressgateway").status.loadBalancer.ingress[0].ip, /^10\.60\.\d+\.\d+$/);
        release({ service: { type: "ClusterIP" } });
        assert.deepStrictEqual(service("istio-ingress/istio-ingressgateway").status.loadBalancer, {});
    });
});
