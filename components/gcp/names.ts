/**
 * GCP names that must be unique in a project (service account ids, the Workload Identity pool id, firewall rule
 * names, the hub's repository id) start with the stack's name prefix (../names.ts), whether the stack creates its
 * own cluster or attaches pools to an existing one (whose name both share, so it cannot be the stem).
 */
import { scopedName } from "../names";

/** A service account id (6-30 characters): `<prefix>-<suffix>`. */
export function serviceAccountId(prefix: string, suffix: string): string {
    return scopedName(prefix, suffix, 30);
}

/** A Workload Identity pool id (4-32 characters): `<prefix>-<suffix>`. */
export function workloadIdentityPoolId(prefix: string, suffix: string): string {
    return scopedName(prefix, suffix, 32);
}
