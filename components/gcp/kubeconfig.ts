import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import * as YAML from "yaml";

/**
 * A kubeconfig for the cluster that authenticates with `gke-gcloud-auth-plugin` (the deployer's own gcloud
 * credentials, fetched at each use), so it holds no token and no client certificate. Source: GKE "Install
 * kubectl and configure cluster access", the exec credential plugin.
 */
export function renderKubeconfig(contextName: string, endpoint: string, caCertificate: string): string {
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: contextName, cluster: { server: `https://${endpoint}`, "certificate-authority-data": caCertificate } }],
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

/** The kubeconfig of a cluster, as a secret output (it names the endpoint and the cluster's CA). */
export function clusterKubeconfig(project: pulumi.Input<string>, cluster: gcp.container.Cluster): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([project, cluster.location, cluster.name, cluster.endpoint, cluster.masterAuth]).apply(
        ([p, location, clusterName, endpoint, auth]) =>
            renderKubeconfig(`gke_${p}_${location}_${clusterName}`, endpoint, auth.clusterCaCertificate ?? "")));
}
