/**
 * The rules a node pool must satisfy, as pure functions returning what is wrong (or undefined). The stack
 * config (config/cluster.ts) and GkeArmCluster both apply them, so a bad value fails the same way whether it
 * comes from a stack file or from code.
 */
import { gceArchOf, GCE_AMD64_FAMILIES, GCE_ARM64_FAMILIES, KubeArch, parseGceMachineType } from "../arch";
import { armLocationProblem, seriesShapeProblem } from "./gke-data";

/** The most nodes a pool may scale to (a guard against a typo such as 300 for 3). */
export const MAX_POOL_NODES = 100;

/** Why `machineType` cannot be the machine type of the `arch` pool, or undefined when it can. */
export function machineTypeProblem(arch: KubeArch, machineType: string): string | undefined {
    const families = arch === "arm64" ? GCE_ARM64_FAMILIES : GCE_AMD64_FAMILIES;
    const example = arch === "arm64" ? "t2a-standard-4" : "e2-standard-4";
    const actual = gceArchOf(machineType);
    if (actual === arch) return seriesShapeProblem(machineType);
    if (actual !== undefined) {
        return `${JSON.stringify(machineType)} is an ${actual} machine type, not ${arch}; use a type of the ${families.join(", ")} families, such as ${example}`;
    }
    const known = parseGceMachineType(machineType) !== undefined;
    return `${JSON.stringify(machineType)} is not ${known ? "a machine family armfarm knows" : "a predefined GCE machine type"}; ` +
        `use a type of the ${families.join(", ")} families, such as ${example}`;
}

/** Why the pool's arm64 `machineType` cannot run in `location`, or undefined when it can. */
export function locationProblem(machineType: string, location: string): string | undefined {
    return armLocationProblem(machineType, location);
}

/** Why `[min, max]` are not usable autoscaling bounds, or undefined when they are. */
export function boundsProblem(min: number, max: number): string | undefined {
    if (!Number.isInteger(min) || min < 0) return `the minimum ${min} is not an integer of 0 or more`;
    if (!Number.isInteger(max) || max < 1 || max > MAX_POOL_NODES) return `the maximum ${max} is not an integer from 1 to ${MAX_POOL_NODES}`;
    if (min > max) return `the minimum ${min} is above the maximum ${max}; the bounds are out of order`;
    return undefined;
}
