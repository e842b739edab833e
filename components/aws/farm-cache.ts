/**
 * The farm's build cache: one S3 bucket that from-source builds keep their envoy tarballs in (keyed by proxy
 * commit, architecture and toolchain, so that an unchanged proxy skips envoy entirely) and that bazel-remote
 * keeps bazel's action cache and outputs in (so that a small proxy patch recompiles only what changed). It is
 * private and encrypted, forgets objects after a set age, and is not protected: a cache may be lost, and
 * destroying the farm empties it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { fit } from "../names";

/** Where in the bucket each kind of cache lives. */
export const CACHE_PREFIXES = { envoy: "envoy/", bazel: "bazel/" } as const;

export interface BuildCache {
    bucket: aws.s3.Bucket;
    /** Everything a host must have before it uses the bucket. */
    ready: pulumi.Resource[];
}

export function createBuildCache(name: string, args: { scope: string; expiryDays: number; tags: Record<string, string> },
    opts: pulumi.CustomResourceOptions): BuildCache {
    // Bucket names are global to every AWS account: the farm's scope, and 26 characters the provider makes unique
    // (a prefix of at most 37, hashicorp/terraform-provider-aws internal/service/s3/bucket.go, `bucket_prefix`).
    const bucket = new aws.s3.Bucket(`${name}-cache`, {
        bucketPrefix: `${fit(args.scope, 30).replace(/-+$/, "")}-cache-`, forceDestroy: true, tags: args.tags,
    }, opts);
    const ready: pulumi.Resource[] = [
        new aws.s3.BucketPublicAccessBlock(`${name}-cache`, {
            bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, opts),
        // No ACLs: only the farm's policies grant access (Amazon S3 User Guide, "Controlling ownership of objects").
        new aws.s3.BucketOwnershipControls(`${name}-cache`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts),
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-cache`, {
            bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        }, opts),
        new aws.s3.BucketLifecycleConfiguration(`${name}-cache`, {
            bucket: bucket.id,
            rules: [
                { id: "forget-old-cache-entries", status: "Enabled", filter: {}, expiration: { days: args.expiryDays } },
                { id: "abort-stale-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
            ],
        }, opts),
    ];
    return { bucket, ready };
}
