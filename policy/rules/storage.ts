/** Where images and caches are kept outside ECR: Artifact Registry hubs, and S3 buckets. */
import { ResourceRule } from "./rule";
import { flag, record, show, text } from "./values";

export const ARTIFACT_REGISTRY_REPOSITORY = "gcp:artifactregistry/repository:Repository";
export const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";

/** The settings of a bucket's public access block, all four of which keep it private (Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage"). */
const PUBLIC_ACCESS_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const artifactRegistryImmutableTags: ResourceRule = {
    kind: "resource",
    name: "artifact-registry-immutable-tags",
    description: "Docker repositories of Artifact Registry have immutable tags (dockerConfig.immutableTags), as ecr-immutable-tags requires of ECR: a published hub:tag never changes under a running mesh.",
    enforcementLevel: "mandatory",
    types: [ARTIFACT_REGISTRY_REPOSITORY],
    check(props) {
        if ((text(props.format) ?? "").toUpperCase() !== "DOCKER") return [];
        // A remote or virtual repository holds no image pushed to it.
        const mode = text(props.mode);
        if (mode !== undefined && mode !== "STANDARD_REPOSITORY") return [];
        return flag(record(props.dockerConfig).immutableTags) === true
            ? []
            : [`dockerConfig.immutableTags is ${show(record(props.dockerConfig).immutableTags ?? "unset (false)")}; set it to true so that a pushed tag can never point to other images`];
    },
};

export const s3BlockPublicAccess: ResourceRule = {
    kind: "resource",
    name: "s3-block-public-access",
    description: `AWS Security Hub S3.8: a bucket's public access block turns on all four settings (${PUBLIC_ACCESS_SETTINGS.join(", ")}).`,
    enforcementLevel: "mandatory",
    types: [S3_PUBLIC_ACCESS_BLOCK],
    check(props) {
        const off = PUBLIC_ACCESS_SETTINGS.filter((k) => flag(props[k]) !== true);
        return off.length === 0 ? [] : [`${off.join(", ")} ${off.length === 1 ? "is" : "are"} not true; turn all four on so that no ACL or bucket policy can make the bucket public`];
    },
};

export const storageRules: ResourceRule[] = [artifactRegistryImmutableTags, s3BlockPublicAccess];
