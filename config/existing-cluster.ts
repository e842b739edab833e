/**
 * `armfarm:clusterExisting`: attach the pools to a GKE cluster made elsewhere instead of creating one. With it,
 * the keys that shape a cluster armfarm creates do not apply (the cluster has its own), the amd64 pool's keys apply
 * only with `armfarm:clusterExistingAmd64Pool`, and the GCP provider's project and region, when set, must be the
 * cluster's.
 */
import { regionOf } from "../components/gcp/gke-data";
import { CLUSTER_PATH, CLUSTER_PATH_ACCEPTED, ExistingClusterRef, existingClusterProblem, parseClusterPath } from "../components/gcp/existing-cluster";
import { ConfigReader, show } from "./reader";

/** Keys of a cluster armfarm creates, which an existing cluster has of its own. */
export const CREATED_CLUSTER_KEYS = [
    "clusterLocation", "clusterName", "clusterReleaseChannel", "clusterSubnetCidr", "clusterPodCidr", "clusterServiceCidr",
    "clusterMasterCidr", "clusterMasterAuthorizedNetworks",
] as const;

/** Keys of the amd64 pool. */
const AMD64_POOL_KEYS = ["clusterAmd64MachineType", "clusterAmd64MinNodes", "clusterAmd64MaxNodes", "clusterAmd64Spot"] as const;

export interface ClusterAttachment {
    /** The cluster to add the pools to; undefined: armfarm creates its own. */
    existing?: ExistingClusterRef;
    /** With `existing`: add the amd64 pool too. */
    amd64Pool: boolean;
}

/** Reads `clusterExisting` and `clusterExistingAmd64Pool`, and refuses the keys that do not apply beside them. */
export function readClusterAttachment(r: ConfigReader, gcp: ConfigReader, enabled: boolean): ClusterAttachment {
    const path = r.optionalString("clusterExisting", { pattern: CLUSTER_PATH, accepted: CLUSTER_PATH_ACCEPTED });
    const existing = path === undefined ? undefined : parseClusterPath(path);
    const problem = existing && existingClusterProblem(existing);
    if (problem) r.fail("clusterExisting", `${r.shown("clusterExisting", path)} is not accepted: ${problem}`);
    const amd64Pool = r.boolean("clusterExistingAmd64Pool", { default: false });
    if (!existing || problem) {
        if (!path && r.isSetByStack("clusterExistingAmd64Pool")) {
            r.fail("clusterExistingAmd64Pool", "applies only with armfarm:clusterExisting (a cluster armfarm creates always has its amd64 pool); remove it, or name the cluster");
        }
        return { amd64Pool: false };
    }
    if (!enabled) return { amd64Pool: false };
    for (const key of CREATED_CLUSTER_KEYS) {
        if (r.isSetByStack(key)) {
            r.fail(key, `shapes a cluster armfarm creates, but armfarm:clusterExisting adds the pools to ${path}, which has its own; remove the key`);
        }
    }
    if (!amd64Pool) {
        for (const key of AMD64_POOL_KEYS) {
            if (r.isSetByStack(key)) {
                r.fail(key, "sets the amd64 pool, which armfarm adds to an existing cluster only with armfarm:clusterExistingAmd64Pool: true; set that, or remove the key");
            }
        }
    }
    const given = { project: gcp.optionalString("project"), region: gcp.optionalString("region") };
    const own = { project: existing.project, region: regionOf(existing.location) };
    for (const key of ["project", "region"] as const) {
        if (given[key] !== undefined && given[key] !== own[key]) {
            gcp.fail(key, `${show(given[key])} is not the ${key} of armfarm:clusterExisting (${own[key]}); leave gcp:${key} unset, or make it ${own[key]}`);
        }
    }
    return { existing, amd64Pool };
}
