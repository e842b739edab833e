/**
 * Shared knowledge of CPU architectures: which machine types are arm64 on AWS and GCP, the platform names
 * that OCI image indexes use, and the taint GKE puts on arm64 nodes. Every component reads it from here.
 */

/** OCI platform names, as `docker buildx --platform` and image indexes write them. */
export const PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Kubernetes architecture names (the `kubernetes.io/arch` node label). */
export type KubeArch = "amd64" | "arm64";

export function platformOf(arch: KubeArch): Platform {
    return `linux/${arch}`;
}

/**
 * AWS Graviton instance families (arm64). Source: AWS, "Amazon EC2 instance types", the general purpose,
 * compute, memory, storage and accelerated families whose processor is AWS Graviton, Graviton2, 3, 3E or 4.
 */
export const GRAVITON_FAMILIES: readonly string[] = [
    "a1",
    "m6g", "m6gd", "m7g", "m7gd", "m8g", "m8gd",
    "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gd",
    "r6g", "r6gd", "r7g", "r7gd", "r8g", "r8gd",
    "t4g", "x2gd", "x8g", "im4gn", "is4gen", "i4g", "i8g", "g5g", "hpc7g",
];

/** Instance sizes, smallest first. */
export const EC2_SIZES: readonly string[] = [
    "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge", "8xlarge",
    "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal", "metal-24xl", "metal-48xl",
];

/** Splits an EC2 instance type such as `m6g.4xlarge` into family and size, or undefined if it has no such shape. */
export function parseEc2InstanceType(type: string): { family: string; size: string } | undefined {
    const m = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(type);
    return m ? { family: m[1], size: m[2] } : undefined;
}

/** True when an EC2 instance type runs on a Graviton (arm64) processor. */
export function isGravitonInstanceType(type: string): boolean {
    const parsed = parseEc2InstanceType(type);
    return parsed !== undefined && GRAVITON_FAMILIES.includes(parsed.family) && EC2_SIZES.includes(parsed.size);
}

/**
 * GCE arm64 machine families that GKE runs nodes on. Source: GKE, "Arm workloads on GKE"
 * (cloud.google.com/kubernetes-engine/docs/concepts/arm-on-gke, as stored in 2026): Standard clusters run Arm
 * nodes on the C4A and N4A (Google Axion) and Tau T2A (Ampere Altra) series, N4A marked as preview there.
 */
export const GCE_ARM64_FAMILIES: readonly string[] = ["t2a", "c4a", "n4a"];

/** The taint GKE puts on every arm64 node by itself, and the toleration that lets a pod land there. */
export const ARM64_TAINT = { key: "kubernetes.io/arch", value: "arm64", effect: "NoSchedule" } as const;
export const ARM64_TOLERATION = { key: "kubernetes.io/arch", operator: "Equal", value: "arm64", effect: "NoSchedule" } as const;

/**
 * GCE amd64 machine families armfarm accepts for the amd64 pool. Source: Google Cloud, "Machine families
 * resource and comparison guide": the general purpose E2, N1, N2, N2D, N4, C3, C3D, C4 and Tau T2D series
 * (Intel or AMD processors).
 */
export const GCE_AMD64_FAMILIES: readonly string[] = ["e2", "n1", "n2", "n2d", "n4", "c3", "c3d", "c4", "t2d"];

/** The shape of a predefined GCE machine type: `t2a-standard-4` → family t2a, class standard, 4 vCPUs. */
export interface GceMachineType {
    family: string;
    /** standard, highmem, highcpu; or micro, small, medium for E2's shared-core types. */
    shape: string;
    /** vCPUs, or undefined for shared-core types. */
    vcpus?: number;
    /** True for the `-lssd` variants that come with local SSDs. */
    localSsd: boolean;
}

/** Splits a predefined GCE machine type into its parts, or undefined if it has no such shape. */
export function parseGceMachineType(type: string): GceMachineType | undefined {
    const m = /^([a-z][a-z0-9]*)-(standard|highmem|highcpu)-(\d+)(-lssd)?$/.exec(type);
    if (m) return { family: m[1], shape: m[2], vcpus: Number(m[3]), localSsd: m[4] !== undefined };
    const shared = /^(e2)-(micro|small|medium)$/.exec(type);
    return shared ? { family: shared[1], shape: shared[2], localSsd: false } : undefined;
}

/** The Kubernetes architecture of a GCE machine type's nodes, or undefined for a type armfarm does not know. */
export function gceArchOf(type: string): KubeArch | undefined {
    const parsed = parseGceMachineType(type);
    if (!parsed) return undefined;
    if (GCE_ARM64_FAMILIES.includes(parsed.family)) return "arm64";
    if (GCE_AMD64_FAMILIES.includes(parsed.family)) return "amd64";
    return undefined;
}

/** True when a GCE machine type runs on an arm64 processor (Tau T2A, or Axion C4A or N4A). */
export function isGceArm64(type: string): boolean {
    return gceArchOf(type) === "arm64";
}

/** The architectures armfarm schedules on, in the order the plan and outputs list them. */
export const KUBE_ARCHES: readonly KubeArch[] = ["amd64", "arm64"];

/**
 * Well-known node labels. Source: Kubernetes, "Well-Known Labels, Annotations and Taints": the kubelet sets
 * `kubernetes.io/arch` from the node's GOARCH; cloud providers set `topology.kubernetes.io/zone`.
 */
export const ARCH_LABEL = "kubernetes.io/arch";
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** The tolerations a pod needs to land on any of `arches` (only arm64 nodes carry a taint). */
export function tolerationsFor(arches: readonly KubeArch[]): { key: string; operator: string; value: string; effect: string }[] {
    return arches.includes("arm64") ? [{ ...ARM64_TOLERATION }] : [];
}

/** A required node affinity that keeps a pod on nodes of `arches` only. */
export function archAffinity(arches: readonly KubeArch[]) {
    return {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: ARCH_LABEL, operator: "In", values: [...arches] }] }],
            },
        },
    };
}

/**
 * Graviton families whose same-size types are interchangeable for a build host (same vCPUs and memory, a newer
 * or older generation), oldest first. Source: AWS, "Amazon EC2 instance types": general purpose m6g/m7g/m8g
 * (4 GiB per vCPU), compute optimized c6g/c7g/c8g (2 GiB), memory optimized r6g/r7g/r8g (8 GiB); each offers
 * the sizes medium to 16xlarge.
 */
export const GRAVITON_GENERATIONS: readonly (readonly string[])[] = [
    ["m6g", "m7g", "m8g"],
    ["c6g", "c7g", "c8g"],
    ["r6g", "r7g", "r8g"],
];

/**
 * The instance types a spot request may fall back to for `type`: the type itself first, then the same size in
 * the other generations of its class. A type outside these classes has no equivalents.
 */
export function gravitonEquivalents(type: string): string[] {
    const parsed = parseEc2InstanceType(type);
    const generation = parsed && GRAVITON_GENERATIONS.find((g) => g.includes(parsed.family));
    if (!parsed || !generation || EC2_SIZES.indexOf(parsed.size) > EC2_SIZES.indexOf("16xlarge")) return [type];
    return [type, ...generation.filter((f) => f !== parsed.family).map((f) => `${f}.${parsed.size}`)];
}
