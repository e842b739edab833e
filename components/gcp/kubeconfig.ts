import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import * as YAML from "yaml";

/**
 * A kubeconfig for the cluster's DNS-based endpoint (or, given the cluster CA, its IP endpoint) that authenticates with `gke-gcloud-auth-plugin` (the
 * deployer's own gcloud credentials, fetched at each use), so it holds no token and no client certificate.
 * Sources: GKE "Install kubectl and configure cluster access" (the exec credential plugin); GKE "About network
 * isolation" (the DNS-based endpoint: one name per cluster, reachable from any network that reaches Google Cloud
 * APIs, each request authorized by IAM before the API server sees it).
 *
 * No `certificate-authority-data`: the DNS endpoint is served by Google's front end with a publicly trusted
 * certificate, not one signed by the cluster's CA; pinning the cluster CA there fails every handshake with
 * "x509: certificate signed by unknown authority" (hashicorp/terraform-provider-kubernetes #2637,
 * gke-labs/kube-agents #1797 and #1806, crossplane-contrib/provider-upjet-gcp #988), and clients fall back to
 * the system trust store, as `gcloud container clusters get-credentials --dns-endpoint` writes it.
 */
export function renderKubeconfig(contextName: string, host: string, caCertificate?: string): string {
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: contextName, cluster: { server: `https://${host}`, ...(caCertificate ? { "certificate-authority-data": caCertificate } : {}) } }],
        contexts: [{ name: contextName, context: { cluster: contextName, user: contextName } }],
        "current-context": contextName,
        users: [{
            name: contextName,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "gke-gcloud-auth-plugin",
                    installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin (or the google-cloud-cli-gke-gcloud-auth-plugin package)",
                    provideClusterInfo: true,
                    interactiveMode: "IfAvailable",
                },
            },
        }],
    });
}

/** The parts of a cluster its kubeconfig names. */
export type KubeconfigSource = Pick<gcp.container.Cluster, "location" | "name" | "controlPlaneEndpointsConfig">;

/** The kubeconfig of a cluster, through its DNS-based endpoint, as a secret output (it names the endpoint). */
export function clusterKubeconfig(project: pulumi.Input<string>, cluster: KubeconfigSource): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([project, cluster.location, cluster.name, cluster.controlPlaneEndpointsConfig]).apply(
        ([p, location, clusterName, endpoints]) => renderKubeconfig(`gke_${p}_${location}_${clusterName}`, endpoints.dnsEndpointConfig.endpoint)));
}

/**
 * The kubeconfig of an existing cluster: through its DNS-based endpoint when that takes traffic from outside
 * Google Cloud (`dnsEndpointConfig.allowExternalTraffic`), as for a cluster armfarm creates. A cluster whose DNS
 * endpoint does not is reached as `gcloud container clusters get-credentials` reaches it without `--dns-endpoint`:
 * at its IP endpoint, trusting the cluster CA, which only works from a network that endpoint admits (an authorized
 * network, or the VPC for a private endpoint); the plan says so.
 */
export function existingClusterKubeconfig(ref: { project: string; location: string; name: string },
    facts: pulumi.Output<{ dnsEndpoint: string; endpoint: string; caCertificate: string }>): pulumi.Output<string> {
    return pulumi.secret(facts.apply((f) => {
        const context = `gke_${ref.project}_${ref.location}_${ref.name}`;
        if (f.dnsEndpoint) return renderKubeconfig(context, f.dnsEndpoint);
        pulumi.log.warn(`${ref.name} takes no traffic from outside Google Cloud on its DNS-based endpoint, so the kubeconfig and the mesh ` +
            `use its IP endpoint ${f.endpoint} with the cluster CA: run pulumi up from a network that endpoint admits, or allow the DNS ` +
            `endpoint (gcloud container clusters update ${ref.name} --location ${ref.location} --enable-dns-access)`);
        return renderKubeconfig(context, f.endpoint, f.caCertificate);
    }));
}
