/**
 * What the pack knows of CPU architectures, kept inside the pack so that it stands alone (it is published and
 * run from its own folder). The program defines the same facts in components/arch.ts, with their sources; a spec
 * (test/policy-standalone.spec.ts) checks that the two agree.
 */

/** AWS Graviton instance families (arm64). As components/arch.ts `GRAVITON_FAMILIES`. */
export const GRAVITON_FAMILIES: readonly string[] = [
    "a1",
    "m6g", "m6gd", "m7g", "m7gd", "m8g", "m8gd",
    "c6g", "c6gd", "c6gn", "c7g", "c7gd", "c7gn", "c8g", "c8gd",
    "r6g", "r6gd", "r7g", "r7gd", "r8g", "r8gd",
    "t4g", "x2gd", "x8g", "im4gn", "is4gen", "i4g", "i8g", "g5g", "hpc7g",
];

/** EC2 instance sizes. As components/arch.ts `EC2_SIZES`. */
export const EC2_SIZES: readonly string[] = [
    "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge", "8xlarge",
    "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal", "metal-24xl", "metal-48xl",
];

/** True when an EC2 instance type such as `m6g.4xlarge` is a Graviton type. As components/arch.ts. */
export function isGravitonInstanceType(type: string): boolean {
    const m = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(type);
    return m !== null && GRAVITON_FAMILIES.includes(m[1]) && EC2_SIZES.includes(m[2]);
}

/** GCE arm64 machine families. As components/arch.ts `GCE_ARM64_FAMILIES`. */
export const GCE_ARM64_FAMILIES: readonly string[] = ["t2a", "c4a", "n4a"];

/** The taint GKE puts on every arm64 node. As components/arch.ts `ARM64_TAINT`. */
export const ARM64_TAINT = { key: "kubernetes.io/arch", value: "arm64", effect: "NoSchedule" } as const;
