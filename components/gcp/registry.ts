import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

export interface HubSettings {
    project: pulumi.Input<string>;
    region: string;
    repositoryId: string;
    labels: Record<string, string>;
}

export interface Hub {
    repository: gcp.artifactregistry.Repository;
    /** `<region>-docker.pkg.dev/<project>/<repository>`: Istio's `global.hub`. */
    url: pulumi.Output<string>;
}

/** The hub of an Artifact Registry Docker repository: `<region>-docker.pkg.dev/<project>/<repository>`. */
export function artifactRegistryHub(region: string, project: string, repositoryId: string): string {
    return `${region}-docker.pkg.dev/${project}/${repositoryId}`;
}

/**
 * The mesh's hub on GCP: an Artifact Registry Docker repository in the cluster's region, with immutable tags
 * (a tag, once pushed as a multi-arch index, always names the same images), protected, and readable by the
 * nodes' service account.
 */
export function createHub(name: string, s: HubSettings, nodeServiceAccount: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions): Hub {
    const repository = new gcp.artifactregistry.Repository(`${name}-hub`, {
        project: s.project,
        location: s.region,
        repositoryId: s.repositoryId,
        format: "DOCKER",
        description: "armfarm: multi-arch (linux/amd64 + linux/arm64) Istio images for the mesh",
        dockerConfig: { immutableTags: true },
        labels: s.labels,
    }, { ...opts, protect: true });
    new gcp.artifactregistry.RepositoryIamMember(`${name}-hub-nodes`, {
        project: repository.project,
        location: repository.location,
        repository: repository.name,
        role: "roles/artifactregistry.reader",
        member: pulumi.interpolate`serviceAccount:${nodeServiceAccount}`,
    }, opts);
    const url = pulumi.all([repository.location, repository.project, repository.repositoryId]).apply(([l, p, id]) => artifactRegistryHub(l, p, id));
    return { repository, url };
}

/**
 * Read access to the hub for the service accounts of an existing cluster's own pools, so that the mesh's pods
 * scheduled there pull its images too: one member each, named by a digest of the account (the list is the one the
 * cluster reports at each update).
 */
export function grantHubReads(name: string, repository: gcp.artifactregistry.Repository, accounts: pulumi.Output<string[]>,
    opts: pulumi.CustomResourceOptions): pulumi.Output<gcp.artifactregistry.RepositoryIamMember[]> {
    return accounts.apply((emails) => emails.map((email) => new gcp.artifactregistry.RepositoryIamMember(
        `${name}-hub-reader-${createHash("sha256").update(email).digest("hex").slice(0, 8)}`, {
            project: repository.project,
            location: repository.location,
            repository: repository.name,
            role: "roles/artifactregistry.reader",
            member: `serviceAccount:${email}`,
        }, opts)));
}
