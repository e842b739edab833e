/** Facts the build farm relies on, each with its source. */

/**
 * Ubuntu LTS releases whose arm64 AMI ids Canonical publishes as SSM public parameters. Source: Canonical,
 * "Find Ubuntu images on AWS" (parameter path /aws/service/canonical/ubuntu/server/<release>/stable/current/
 * <arch>/hvm/<volume>/ami-id; 24.04 publishes ebs-gp3 images, 22.04 ebs-gp2).
 */
export const UBUNTU_RELEASES: Readonly<Record<string, { codename: string; volume: "ebs-gp2" | "ebs-gp3" }>> = {
    "22.04": { codename: "jammy", volume: "ebs-gp2" },
    "24.04": { codename: "noble", volume: "ebs-gp3" },
};

/** The SSM public parameter that holds the current AMI id of an Ubuntu release for an architecture. */
export function ubuntuAmiParameter(release: string, arch: "arm64" | "amd64" = "arm64"): string {
    const r = UBUNTU_RELEASES[release];
    if (!r) throw new Error(`no Ubuntu release ${release}; known: ${Object.keys(UBUNTU_RELEASES).join(", ")}`);
    return `/aws/service/canonical/ubuntu/server/${release}/stable/current/${arch}/hvm/${r.volume}/ami-id`;
}

/**
 * The smallest root volume an Istio image build fits on: the build-tools images (~10 GB), Go module and build
 * caches, the envoy binaries and the images themselves. A from-source envoy build needs far more (its Bazel
 * cache alone passes 100 GB), which the build's own config check asks for.
 */
export const MIN_BUILD_VOLUME_GIB = 100;

/** The largest gp3 volume, in GiB (16 TiB; Amazon EBS User Guide, "Amazon EBS General Purpose SSD volumes"). */
export const MAX_GP3_VOLUME_GIB = 16384;

/**
 * An ECR namespace: repository name components of lowercase letters and digits, with single `.`, `_` or `-`
 * between them, joined by `/` (ECR API Reference, CreateRepository `repositoryName`).
 */
export const ECR_NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
export const ECR_NAMESPACE_ACCEPTED = "an ECR repository namespace of lowercase letters, digits, and . _ - / separators, such as istio";

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy, `retentionInDays`). */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * The images an Istio release publishes under its hub (docker.io/istio): the control plane, the sidecar and
 * gateway proxy, the CNI node agent, the ambient node proxy, and istioctl. Source: istio/istio
 * `tools/docker.yaml`, the image targets of `make docker`.
 */
export const ISTIO_IMAGES: readonly string[] = ["pilot", "proxyv2", "install-cni", "ztunnel", "istioctl"];

/** The tag that marks a build host (on the launch template's instances and on each build's host group). */
export const BUILD_HOST_TAG = { key: "armfarm:role", value: "build-host" } as const;

/**
 * The role tag of from-source's x86 host, which compiles amd64 envoy only: not a Graviton build host, so the
 * policy pack's Graviton rule for build hosts does not apply to it.
 */
export const ENVOY_AMD64_HOST_ROLE = "envoy-amd64-host";

/** The root device name of Canonical's Ubuntu AMIs. */
export const UBUNTU_ROOT_DEVICE = "/dev/sda1";

/**
 * ECR lifecycle: only tagged development images expire. No rule matches untagged images, because the
 * per-platform images that a multi-arch index points to are untagged, and an untagged-image expiry deletes
 * them from under the index (aws/containers-roadmap #1466). Release tags are never expired.
 *
 * One rule per prefix: several entries in one rule's `tagPrefixList` are ANDed, so that a rule selects only
 * images that carry a tag with each prefix (Amazon ECR User Guide, "Lifecycle policy parameters": "If you
 * specify multiple tags, only the images with all specified tags are selected"), and `["dev-", "pr-"]` in one
 * rule would expire nothing.
 */
export const DEV_TAG_PREFIXES: readonly string[] = ["dev-", "pr-"];
export const DEV_TAG_EXPIRY_DAYS = 30;

export function ecrLifecyclePolicy(): string {
    return JSON.stringify({
        rules: DEV_TAG_PREFIXES.map((prefix, i) => ({
            rulePriority: i + 1,
            description: `Expire ${prefix} tags ${DEV_TAG_EXPIRY_DAYS} days after their push; never untagged images`,
            selection: {
                tagStatus: "tagged",
                tagPrefixList: [prefix],
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: DEV_TAG_EXPIRY_DAYS,
            },
            action: { type: "expire" },
        })),
    });
}
