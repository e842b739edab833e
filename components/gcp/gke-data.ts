/**
 * What armfarm knows about GKE and Compute Engine locations and machine series, as data with its source.
 * Checked before anything is registered, so a location without arm64 capacity fails in the plan, not after
 * a 10-minute cluster create.
 */
import { parseGceMachineType } from "../arch";

/**
 * Zones that offer Tau T2A machines. Source: Google Cloud, Compute Engine "Regions and zones", the table of
 * available machine series by zone (T2A column), and GKE "Arm workloads on GKE", which points to it. T2A is
 * offered in three regions and not in every zone of them (us-central1-c, for example, has none).
 */
export const T2A_ZONES: readonly string[] = [
    "us-central1-a", "us-central1-b", "us-central1-f",
    "europe-west4-a", "europe-west4-b",
    "asia-southeast1-b", "asia-southeast1-c",
];

/**
 * Regions that offer Axion C4A machines. Source: Google Cloud, "C4A machine series" general availability
 * (Google Cloud blog, October 2024) and Compute Engine "Regions and zones". The list is kept per region:
 * armfarm checks C4A at region level and lets GKE refuse a zone of these regions that lacks it.
 */
export const C4A_REGIONS: readonly string[] = [
    "us-central1", "us-east1", "us-east4", "europe-west1", "europe-west3", "europe-west4", "asia-southeast1",
];

/** GKE release channels. Source: GKE "About release channels". */
export const RELEASE_CHANNELS: readonly string[] = ["RAPID", "REGULAR", "STABLE", "EXTENDED"];

/**
 * Machine series whose VMs boot only from Hyperdisk (no Persistent Disk). Source: Compute Engine "Machine
 * series" pages for C4A, N4 and C4, "Supported disk types".
 */
const HYPERDISK_ONLY_FAMILIES: readonly string[] = ["c4a", "n4", "c4"];

/** The boot disk type for a machine type: balanced Persistent Disk, or balanced Hyperdisk where PD is not offered. */
export function bootDiskType(machineType: string): string {
    const family = parseGceMachineType(machineType)?.family ?? "";
    return HYPERDISK_ONLY_FAMILIES.includes(family) ? "hyperdisk-balanced" : "pd-balanced";
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
 * Why `machineType` cannot run in `location`, or undefined when it can. Only arm64 series are checked: amd64
 * series are offered in every region.
 */
export function armLocationProblem(machineType: string, location: string): string | undefined {
    const family = parseGceMachineType(machineType)?.family;
    if (family === "t2a") {
        if ((armZonesIn(machineType, location) ?? []).length > 0) return undefined;
        return `${JSON.stringify(location)} has no Tau T2A machines; T2A runs in ${T2A_ZONES.join(", ")} (or their regions)`;
    }
    if (family === "c4a") {
        if (C4A_REGIONS.includes(regionOf(location))) return undefined;
        return `${JSON.stringify(location)} has no Axion C4A machines; C4A runs in ${C4A_REGIONS.join(", ")}`;
    }
    return undefined;
}
