import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { MESH_WEBHOOK_PORT } from "./gke-data";

export interface WebhookFirewallSettings {
    project: pulumi.Input<string>;
    network: gcp.compute.Network;
    /** The control plane's /28 (`privateClusterConfig.masterIpv4CidrBlock`). */
    masterCidr: string;
    /** The service account every node runs as: the rule applies to those VMs (and their pods' alias ranges). */
    nodeServiceAccount: pulumi.Input<string>;
}

/**
 * Lets the control plane of a private cluster reach Istio's webhooks on the nodes: ingress on TCP 15017 only,
 * from the control plane's range only, to the cluster's nodes only (by their service account). Without it the
 * injection webhook (failurePolicy Fail) times out and no injected pod, the gateway's first, can be created.
 */
export function createWebhookFirewall(name: string, s: WebhookFirewallSettings, opts: pulumi.CustomResourceOptions): gcp.compute.Firewall {
    return new gcp.compute.Firewall(`${name}-mesh-webhooks`, {
        project: s.project,
        network: s.network.id,
        description: `armfarm: the GKE control plane (${s.masterCidr}) calls Istio's admission webhooks on the nodes (tcp:${MESH_WEBHOOK_PORT})`,
        direction: "INGRESS",
        priority: 1000,
        sourceRanges: [s.masterCidr],
        targetServiceAccounts: [s.nodeServiceAccount],
        allows: [{ protocol: "tcp", ports: [String(MESH_WEBHOOK_PORT)] }],
    }, opts);
}
