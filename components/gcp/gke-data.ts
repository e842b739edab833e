/**
 * What armfarm knows about GKE and Compute Engine locations and machine series, as data with its source.
 * Checked before anything is registered, so a location without arm64 capacity fails in the plan, not after
 * a 10-minute cluster create.
 *
 * Sources, as stored and read in 2026: GKE "Arm workloads on GKE" (concepts/arm-on-gke) for the Arm series GKE
 * runs; Compute Engine "General-purpose machine family" (T2A machine types) and "Regions and zones" (machine
 * series by zone). Where a stored copy of Google's page could not confirm a fact, the comment says so.
 */
import { parseGceMachineType } from "../arch";

/**
 * Zones that offer Tau T2A machines. Source: Compute Engine "Regions and zones", the table of available machine
 * series by zone (T2A column), which GKE "Arm workloads on GKE" points to. T2A is offered in three regions and not
 * in every zone of them (us-central1-c, for example, has none). The stored copies of that page did not include
 * the per-zone table, so this list is the one recorded when T2A support was added, not re-confirmed in 2026.
 */
export const T2A_ZONES: readonly string[] = [
    "us-central1-a", "us-central1-b", "us-central1-f",
    "europe-west4-a", "europe-west4-b",
    "asia-southeast1-b", "asia-southeast1-c",
];

/**
 * The predefined Tau T2A machine types: `t2a-standard-N` only (no highmem or highcpu shapes), with these vCPU
 * counts, 4 GB of memory each. Source: Compute Engine "General-purpose machine family", T2A machine types table
 * (t2a-standard-1, -2, -4, -8, -16, -32, -48).
 */
export const T2A_VCPUS: readonly number[] = [1, 2, 4, 8, 16, 32, 48];

/**
 * The series armfarm checks by location. C4A and N4A (Axion) are not: the C4A region list armfarm kept was the
 * one from launch (Google Cloud blog, October 2024), no stored copy of Google's "Regions and zones" table could
 * confirm where C4A or N4A run now, and a stale allow-list refuses regions added since. GKE itself refuses a
 * pool in a location that lacks its series.
 */
export const LOCATION_CHECKED_FAMILIES: readonly string[] = ["t2a"];

/**
 * The port a private cluster's control plane must reach on the nodes for Istio's admission webhooks (sidecar
 * injection, config validation). GKE's own rule for private clusters, gke-<cluster>-<hash>-master, admits only
 * TCP 443 (metrics-server) and 10250 (kubelet) from the control plane's /28 to the nodes (GKE, "Automatically
 * created firewall rules"); istiod serves its webhooks behind its Service's port 443 on targetPort 15017
 * (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/service.yaml, https-webhook), and
 * istio.io's GKE platform setup says to open 15017 on private clusters. The API server calls the pod directly.
 */
export const MESH_WEBHOOK_PORT = 15017;

/** GKE release channels. Source: GKE "About release channels". */
export const RELEASE_CHANNELS: readonly string[] = ["RAPID", "REGULAR", "STABLE", "EXTENDED"];

/**
 * Machine series whose VMs boot only from Hyperdisk (no Persistent Disk). Source: Compute Engine "Machine
 * series" pages for C4A, N4 and C4, "Supported disk types". N4A: no stored copy of Google's N4A page could be
 * read; nextflow-io/nextflow #6841 (2026) reports that the C4, C4A, C4D, N4, N4A and N4D series take no
 * pd-balanced disk, which matches the rest of the fourth generation.
 */
const HYPERDISK_ONLY_FAMILIES: readonly string[] = ["c4a", "n4a", "n4", "c4"];

/** The boot disk type for a machine type: balanced Persistent Disk, or balanced Hyperdisk where PD is not offered. */
export function bootDiskType(machineType: string): string {
    const family = parseGceMachineType(machineType)?.family ?? "";
    return HYPERDISK_ONLY_FAMILIES.includes(family) ? "hyperdisk-balanced" : "pd-balanced";
}

/** Why `machineType` is not a machine type its (known) series offers, or undefined when it is or armfarm cannot tell. */
export function seriesShapeProblem(machineType: string): string | undefined {
    const parsed = parseGceMachineType(machineType);
    if (parsed?.family !== "t2a") return undefined;
    if (parsed.shape === "standard" && parsed.vcpus !== undefined && T2A_VCPUS.includes(parsed.vcpus) && !parsed.localSsd) return undefined;
    return `${JSON.stringify(machineType)} is not a Tau T2A machine type; T2A comes as ${T2A_VCPUS.map((n) => `t2a-standard-${n}`).join(", ")}`;
}

/** A GCP zone (`us-central1-a`), as opposed to a region (`us-central1`). */
export const GCP_ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;
/** A GCP region such as `us-central1` or `europe-west4`. */
export const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;

export function isZone(location: string): boolean {
    return GCP_ZONE.test(location);
}

/** The region of a zone or region: `us-central1-a` → `us-central1`. */
export function regionOf(location: string): string {
    return isZone(location) ? location.replace(/-[a-z]$/, "") : location;
}

/**
 * The zones of `location` where pools of `machineType`'s series can run, when armfarm knows them: the T2A
 * zones of the location for T2A, undefined otherwise (GKE then picks the cluster's zones).
 */
export function armZonesIn(machineType: string, location: string): string[] | undefined {
    if (parseGceMachineType(machineType)?.family !== "t2a") return undefined;
    return T2A_ZONES.filter((z) => z === location || regionOf(z) === location);
}

/**
 * Why `machineType` cannot run in `location`, or undefined when it can or armfarm cannot tell. Only T2A is
 * checked (LOCATION_CHECKED_FAMILIES): amd64 series are offered in every region, and the Axion series' locations
 * could not be confirmed.
 */
export function armLocationProblem(machineType: string, location: string): string | undefined {
    const family = parseGceMachineType(machineType)?.family ?? "";
    if (!LOCATION_CHECKED_FAMILIES.includes(family)) return undefined;
    if ((armZonesIn(machineType, location) ?? []).length > 0) return undefined;
    return `${JSON.stringify(location)} has no Tau T2A machines; T2A runs in ${T2A_ZONES.join(", ")} (or their regions)`;
}
