/**
 * The cluster the pools join, as the rest of GkeArmCluster sees it: one the component creates (network, control
 * plane), or an existing one it only reads. Either way: its name, how to reach it, and what the webhook rule and
 * the hub's readers need to know of its nodes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import { KubeArch } from "../arch";
import { ClusterApis, needing } from "./apis";
import { Settings } from "./cluster-args";
import { createControlPlane } from "./control-plane";
import { ClusterFacts, projectOfNetwork } from "./existing-cluster";
import { clusterKubeconfig, existingClusterKubeconfig } from "./kubeconfig";
import { createNetwork } from "./network";
import { NodeIdentity } from "./node-pools";
import { createWebhookFirewall } from "./webhook-firewall";

export interface ClusterTarget {
    name: pulumi.Output<string>;
    /** The IP endpoint. */
    endpoint: pulumi.Output<string>;
    /** The DNS-based endpoint; "" for an existing cluster whose DNS endpoint takes no outside traffic. */
    dnsEndpoint: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    /** The rule that opens istiod's webhooks to the control plane, when the cluster needs one, as a list. */
    webhookRules: pulumi.Output<gcp.compute.Firewall[]>;
    /** Service accounts and architectures of the cluster's other pools (none on a cluster of the component's own). */
    otherAccounts: pulumi.Output<string[]>;
    otherArchitectures: pulumi.Output<KubeArch[]>;
}

/** A cluster of the component's own: its network, its control plane, and the webhook rule for its private nodes. */
export function createOwnCluster(name: string, s: Settings, labels: Record<string, string>, nodes: NodeIdentity, apis: ClusterApis,
    parent: pulumi.CustomResourceOptions): ClusterTarget {
    const network = createNetwork(name, s, needing(parent, apis.compute));
    const cluster = createControlPlane(name, { ...s, labels }, network, nodes, needing(parent, apis.container));
    const rule = createWebhookFirewall(name, { project: s.project, namePrefix: s.namePrefix, network: network.network.id, masterCidr: s.masterCidr, nodeServiceAccounts: [nodes.email] },
        needing(parent, apis.compute));
    return {
        name: cluster.name,
        endpoint: cluster.endpoint,
        dnsEndpoint: cluster.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint,
        kubeconfig: clusterKubeconfig(s.project, cluster),
        webhookRules: pulumi.output([rule]),
        otherAccounts: pulumi.output([]),
        otherArchitectures: pulumi.output([]),
    };
}

/**
 * An existing cluster, read and never managed. Its private nodes get the webhook rule from the control-plane range
 * GKE reports for the cluster, on its network (in that network's project), to its pools' service accounts and
 * armfarm's; a cluster that reports
 * no such range (public nodes, whose control plane GKE connects to them itself, or a private cluster without a
 * peered range) gets none, which the plan says for private nodes.
 */
export function attachToExisting(name: string, s: Settings, facts: pulumi.Output<ClusterFacts>, nodes: NodeIdentity, apis: ClusterApis,
    parent: pulumi.CustomResourceOptions): ClusterTarget {
    const ref = s.existingCluster!;
    const accounts = pulumi.all([nodes.email, facts]).apply(([own, f]) => [...new Set([own, ...f.nodeAccounts])].sort());
    const webhookRules = facts.apply((f) => {
        if (f.privateNodes && !f.masterCidr) {
            pulumi.log.warn(`${ref.name} has private nodes but reports no control-plane range, so armfarm adds no firewall rule for istiod's ` +
                `webhooks (tcp:15017); if sidecar injection times out, open that port from the control plane to the nodes`);
        }
        return f.privateNodes && f.masterCidr
            // A rule belongs to its network's project: a Shared VPC's host project, when the cluster uses one.
            ? [createWebhookFirewall(name, { project: projectOfNetwork(f.network) ?? s.project, namePrefix: s.namePrefix, network: f.network, masterCidr: f.masterCidr, nodeServiceAccounts: accounts },
                needing(parent, apis.compute))]
            : [];
    });
    return {
        name: pulumi.output(ref.name),
        endpoint: facts.endpoint,
        dnsEndpoint: facts.dnsEndpoint,
        kubeconfig: existingClusterKubeconfig(ref, facts),
        webhookRules,
        otherAccounts: pulumi.all([nodes.email, facts]).apply(([own, f]) => f.nodeAccounts.filter((a) => a !== own)),
        otherArchitectures: facts.architectures,
    };
}
