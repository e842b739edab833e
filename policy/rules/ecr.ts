/** ECR repositories: tags that cannot move, scans on push, and a lifecycle policy for every repository. */
import { ResourceRule, StackRule } from "./rule";
import { isUnknown, record, show, text } from "./values";

export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const ECR_LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

export const immutableTags: ResourceRule = {
    kind: "resource",
    name: "ecr-immutable-tags",
    description: "AWS Security Hub ECR.2: ECR repositories have immutable tags, so that a published hub:tag never changes under a running mesh.",
    enforcementLevel: "mandatory",
    types: [ECR_REPOSITORY],
    check(props) {
        // IMMUTABLE_WITH_EXCLUSION lets the listed tag filters move: that is a mutable tag by another name.
        return props.imageTagMutability === "IMMUTABLE"
            ? []
            : [`imageTagMutability is ${show(props.imageTagMutability ?? "MUTABLE (the default)")}; set it to "IMMUTABLE" so that a pushed tag can never point to other images`];
    },
};

export const scanOnPush: ResourceRule = {
    kind: "resource",
    name: "ecr-scan-on-push",
    description: "AWS Security Hub ECR.1: ECR repositories scan every image on push.",
    enforcementLevel: "mandatory",
    types: [ECR_REPOSITORY],
    check(props) {
        return record(props.imageScanningConfiguration).scanOnPush === true
            ? []
            : ["imageScanningConfiguration.scanOnPush is not true; turn it on so that every pushed image is scanned for known vulnerabilities"];
    },
};

export const lifecyclePolicy: StackRule = {
    kind: "stack",
    name: "ecr-lifecycle-policy",
    description: "AWS Security Hub ECR.3: every ECR repository in the stack has a lifecycle policy.",
    enforcementLevel: "mandatory",
    check(resources) {
        const policies = resources.filter((r) => r.type === ECR_LIFECYCLE_POLICY).map((r) => r.props.repository);
        // A policy whose repository is not known yet (computed by the cloud) could belong to any repository.
        if (policies.some((p) => p === undefined || isUnknown(p))) return [];
        const covered = new Set(policies.map(text));
        return resources
            .filter((r) => r.type === ECR_REPOSITORY)
            .filter((r) => text(r.props.name) !== undefined && !covered.has(text(r.props.name)))
            .map((r) => ({
                urn: r.urn,
                message: `ECR repository ${show(r.props.name)} has no aws.ecr.LifecyclePolicy; add one so that development tags expire (and never expire untagged images that multi-arch indexes point to)`,
            }));
    },
};

export const ecrRules = { resource: [immutableTags, scanOnPush], stack: [lifecyclePolicy] };
