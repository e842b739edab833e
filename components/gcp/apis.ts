import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

/**
 * The Google APIs the cluster's resources call, each with what needs it. A fresh project has none of them
 * enabled; the Service Usage API that enables them is on by default in projects made with the console or gcloud
 * (Service Usage, "Enabled services") and is a prerequisite.
 */
export const CLUSTER_APIS = {
    /** The VPC, subnet, router, Cloud NAT and the webhook firewall rule. */
    compute: "compute.googleapis.com",
    /** The cluster and its node pools. */
    container: "container.googleapis.com",
    /** The hub: the repository, its IAM members, and the registry reads of the mesh's preflight. */
    artifactregistry: "artifactregistry.googleapis.com",
    /** Service accounts, their IAM members, and Workload Identity pools and providers. */
    iam: "iam.googleapis.com",
    /**
     * The nodes' project role bindings: gcp.projects.IAMMember reads and writes the project's IAM policy through
     * Resource Manager (terraform-provider-google, google/services/resourcemanager/iam_project.go,
     * GetResourceIamPolicy / SetResourceIamPolicy). gcp.projects.Service itself reads the project through it
     * (resource_google_project_service.go, resourceGoogleProjectServiceRead: Projects.Get), so every other API
     * waits for this one.
     */
    cloudresourcemanager: "cloudresourcemanager.googleapis.com",
} as const;

/**
 * What the build hosts call at run time to push without a key: Security Token Service exchanges their AWS
 * credentials for a federated token, and IAM Credentials mints the push account's token from it (Google Cloud
 * IAM, "Workload Identity Federation with AWS": the token exchange, then service account impersonation).
 */
export const FEDERATION_APIS = {
    sts: "sts.googleapis.com",
    iamcredentials: "iamcredentials.googleapis.com",
} as const;

export type ClusterApis = { [K in keyof typeof CLUSTER_APIS]: gcp.projects.Service };
export type FederationApis = { [K in keyof typeof FEDERATION_APIS]: gcp.projects.Service };

/**
 * One `gcp.projects.Service` per API, left enabled on destroy (other workloads in the project may use it, and
 * disabling an API can fail or cascade) and never disabling the services that depend on it.
 */
function enable<K extends string>(name: string, project: pulumi.Input<string>, apis: Record<K, string>,
    opts: pulumi.CustomResourceOptions): Record<K, gcp.projects.Service> {
    return Object.fromEntries(Object.entries<string>(apis).map(([key, service]) => [key, new gcp.projects.Service(`${name}-api-${key}`, {
        project,
        service,
        disableOnDestroy: false,
        disableDependentServices: false,
    }, opts)])) as Record<K, gcp.projects.Service>;
}

/** Enables the cluster's APIs, Resource Manager first (the others are read through it). */
export function enableClusterApis(name: string, project: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): ClusterApis {
    const { cloudresourcemanager, ...rest } = CLUSTER_APIS;
    const crm = enable(name, project, { cloudresourcemanager }, opts);
    return { ...crm, ...enable(name, project, rest, needing(opts, crm.cloudresourcemanager)) };
}

/** Enables the APIs the build hosts' keyless pushes call, after Resource Manager. */
export function enableFederationApis(name: string, project: pulumi.Input<string>, apis: ClusterApis,
    opts: pulumi.CustomResourceOptions): FederationApis {
    return enable(name, project, FEDERATION_APIS, needing(opts, apis.cloudresourcemanager));
}

/** `opts`, waiting also for `resources` (such as the APIs a resource calls). */
export function needing(opts: pulumi.CustomResourceOptions, ...resources: pulumi.Resource[]): pulumi.CustomResourceOptions {
    const earlier = opts.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn];
    return { ...opts, dependsOn: [...earlier, ...resources] as pulumi.Input<pulumi.Resource>[] };
}
