import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { MESH_WEBHOOK_PORT } from "./gke-data";
import { scopedName } from "../names";

export interface WebhookFirewallSettings {
    project: pulumi.Input<string>;
    /** The stem of the rule's name (names.ts): firewall rule names are unique in a project. */
    namePrefix: string;
    /** The cluster's VPC network (an id, self link or `projects/<p>/global/networks/<n>`). */
    network: pulumi.Input<string>;
    /** The control plane's /28 (`privateClusterConfig.masterIpv4CidrBlock`). */
    masterCidr: pulumi.Input<string>;
    /** The service accounts the cluster's nodes run as: the rule applies to those VMs (and their pods' alias ranges). */
    nodeServiceAccounts: pulumi.Input<pulumi.Input<string>[]>;
}

/** Firewall rule names: 1-63 characters. Source: Compute Engine API, firewalls resource, `name`. */
const MAX_FIREWALL_NAME = 63;

/**
 * Lets the control plane of a private cluster reach Istio's webhooks on the nodes: ingress on TCP 15017 only,
 * from the control plane's range only, to the cluster's nodes only (by their service account). Without it the
 * injection webhook (failurePolicy Fail) times out and no injected pod, the gateway's first, can be created.
 */
export function createWebhookFirewall(name: string, s: WebhookFirewallSettings, opts: pulumi.CustomResourceOptions): gcp.compute.Firewall {
    return new gcp.compute.Firewall(`${name}-mesh-webhooks`, {
        project: s.project,
        name: scopedName(s.namePrefix, "mesh-webhooks", MAX_FIREWALL_NAME),
        network: s.network,
        description: pulumi.interpolate`armfarm: the GKE control plane (${s.masterCidr}) calls Istio's admission webhooks on the nodes (tcp:${MESH_WEBHOOK_PORT})`,
        direction: "INGRESS",
        priority: 1000,
        sourceRanges: [s.masterCidr],
        targetServiceAccounts: s.nodeServiceAccounts,
        allows: [{ protocol: "tcp", ports: [String(MESH_WEBHOOK_PORT)] }],
    }, opts);
}
