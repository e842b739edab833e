import * as assert from "assert";
import { GKE_CLUSTER, GKE_NODE_POOL } from "../rules/gke";
import { HELM_RELEASE } from "../rules/istio";
import { FIREWALL, firewallNoIngressFromAnywhere, meshWebhookFirewall } from "../rules/mesh-firewall";
import { cover, resource, stackViolations, violations } from "./cases";

/**
 * The facts the rule encodes: GKE's automatic rule for private clusters admits only TCP 443 and 10250 from the
 * control plane's /28 to the nodes (GKE, "Automatically created firewall rules"); istiod's webhooks listen on
 * 15017 (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/service.yaml, https-webhook
 * targetPort 15017), which istio.io's GKE platform setup says to open on private clusters.
 */
const NODES = "mesh-nodes@acme.iam.gserviceaccount.com";
const cluster = (props: Record<string, any> = {}) => resource(GKE_CLUSTER, {
    name: "prod", network: "projects/acme/global/networks/mesh",
    privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: "172.16.0.32/28" }, ...props,
}, "cluster");
const pool = resource(GKE_NODE_POOL, { cluster: "prod", nodeConfig: { serviceAccount: NODES, machineType: "t2a-standard-4" } }, "pool");
const istiod = resource(HELM_RELEASE, { chart: "istiod", repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" }, values: {} }, "istiod");
const firewall = (props: Record<string, any> = {}) => resource(FIREWALL, {
    network: "https://www.googleapis.com/compute/v1/projects/acme/global/networks/mesh", direction: "INGRESS",
    sourceRanges: ["172.16.0.32/28"], targetServiceAccounts: [NODES], allows: [{ protocol: "tcp", ports: ["15017"] }], ...props,
}, "webhooks");
const verdict = (...extra: ReturnType<typeof resource>[]) => stackViolations(meshWebhookFirewall, [cluster(), pool, istiod, ...extra]);

describe("policy: Istio's webhooks on a private GKE cluster", () => {
    it("accepts a rule for tcp:15017 from the control plane's range to the nodes, by account, tag or for all", () => {
        cover(meshWebhookFirewall);
        assert.deepStrictEqual(verdict(firewall()), []);
        assert.deepStrictEqual(verdict(firewall({ allows: [{ protocol: "tcp", ports: ["443", "15000-15100"] }] })), []);
        assert.deepStrictEqual(verdict(firewall({ targetServiceAccounts: undefined, targetTags: undefined, sourceRanges: ["172.16.0.0/16"] })), []);
        const tagged = resource(GKE_NODE_POOL, { cluster: "prod", nodeConfig: { serviceAccount: NODES, tags: ["mesh-node"] } }, "tagged");
        assert.deepStrictEqual(stackViolations(meshWebhookFirewall,
            [cluster(), tagged, istiod, firewall({ targetServiceAccounts: undefined, targetTags: ["mesh-node"] })]), []);
    });

    it("flags a private cluster running Istio with GKE's own rule only, or a rule that misses port, source, target or network", () => {
        const [message] = verdict();
        assert.match(message, /the private GKE cluster "prod" runs Istio, but no firewall rule lets its control plane \(172\.16\.0\.32\/28\) reach the nodes on tcp:15017/);
        // GKE's automatic rule, as that page describes it: 443 and 10250 only.
        assert.strictEqual(verdict(firewall({ allows: [{ protocol: "tcp", ports: ["443", "10250"] }] })).length, 1);
        assert.strictEqual(verdict(firewall({ sourceRanges: ["10.0.0.0/8"] })).length, 1, "not from the control plane");
        assert.strictEqual(verdict(firewall({ targetServiceAccounts: ["other@acme.iam.gserviceaccount.com"] })).length, 1, "not to the nodes");
        assert.strictEqual(verdict(firewall({ network: "projects/acme/global/networks/other" })).length, 1, "another network");
        assert.strictEqual(verdict(firewall({ direction: "EGRESS" })).length, 1);
        assert.strictEqual(verdict(firewall({ disabled: true })).length, 1);
    });

    // NodePoolArgs.cluster "May be specified in the format projects/{{project}}/locations/{{location}}/clusters/{{cluster}}
    // or as just the name" (@pulumi/gcp 9.37.0 container/nodePool.d.ts).
    it("finds a cluster's pools whether they name it by name or by path", () => {
        const byPath = resource(GKE_NODE_POOL, { cluster: "projects/acme/locations/us-central1/clusters/prod", nodeConfig: { serviceAccount: NODES } }, "by-path");
        const other = firewall({ targetServiceAccounts: ["other@acme.iam.gserviceaccount.com"] });
        assert.strictEqual(stackViolations(meshWebhookFirewall, [cluster(), byPath, istiod, other]).length, 1, "a rule to other nodes does not reach this pool");
        assert.deepStrictEqual(stackViolations(meshWebhookFirewall, [cluster(), byPath, istiod, firewall()]), []);
    });

    it("refuses any enabled ingress rule open to the internet, the webhook rule included", () => {
        cover(firewallNoIngressFromAnywhere);
        assert.deepStrictEqual(violations(firewallNoIngressFromAnywhere, firewall()), []);
        for (const anywhere of ["0.0.0.0/0", "::/0"]) {
            assert.match(violations(firewallNoIngressFromAnywhere, firewall({ sourceRanges: [anywhere] }))[0], new RegExp(`sourceRanges holds ${anywhere.replace(/[/.]/g, "\\$&")}`));
        }
        assert.deepStrictEqual(violations(firewallNoIngressFromAnywhere, firewall({ sourceRanges: ["0.0.0.0/0"], direction: "EGRESS" })), []);
        assert.deepStrictEqual(violations(firewallNoIngressFromAnywhere, firewall({ sourceRanges: ["0.0.0.0/0"], disabled: true })), []);
        // A rule of denies only admits nobody.
        assert.deepStrictEqual(violations(firewallNoIngressFromAnywhere, firewall({ sourceRanges: ["0.0.0.0/0"], allows: [], denies: [{ protocol: "all" }] })), []);
    });

    it("leaves clusters without Istio, and clusters with public nodes, alone", () => {
        assert.deepStrictEqual(stackViolations(meshWebhookFirewall, [cluster(), pool]), []);
        assert.deepStrictEqual(stackViolations(meshWebhookFirewall, [cluster({ privateClusterConfig: { enablePrivateNodes: false } }), pool, istiod]), []);
    });
});
