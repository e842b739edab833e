import * as assert from "assert";
import { ECR_LIFECYCLE_POLICY, ECR_REPOSITORY, immutableTags, lifecyclePolicy, scanOnPush } from "../rules/ecr";
import { IAM_POLICY, IAM_ROLE, IAM_ROLE_POLICY, noAdminPolicy } from "../rules/iam";
import { ARTIFACT_REGISTRY_REPOSITORY, artifactRegistryImmutableTags, S3_PUBLIC_ACCESS_BLOCK, s3BlockPublicAccess } from "../rules/storage";
import { cover, resource, stackViolations, violations } from "./cases";

const repo = (props: Record<string, any> = {}) => resource(ECR_REPOSITORY, {
    name: "istio/pilot", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, ...props,
});

describe("policy: ECR and IAM", () => {
    it("requires immutable tags", () => {
        cover(immutableTags);
        assert.deepStrictEqual(violations(immutableTags, repo()), []);
        assert.match(violations(immutableTags, repo({ imageTagMutability: "MUTABLE" }))[0], /imageTagMutability is "MUTABLE"; set it to "IMMUTABLE"/);
        assert.match(violations(immutableTags, repo({ imageTagMutability: undefined }))[0], /MUTABLE \(the default\)/);
        assert.strictEqual(violations(immutableTags, repo({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })).length, 1);
    });

    it("requires scan on push", () => {
        cover(scanOnPush);
        assert.deepStrictEqual(violations(scanOnPush, repo()), []);
        assert.strictEqual(violations(scanOnPush, repo({ imageScanningConfiguration: { scanOnPush: false } })).length, 1);
        assert.strictEqual(violations(scanOnPush, repo({ imageScanningConfiguration: undefined })).length, 1);
    });

    it("requires a lifecycle policy for every repository", () => {
        cover(lifecyclePolicy);
        const pilot = repo();
        const proxy = repo({ name: "istio/proxyv2" });
        const pilotPolicy = resource(ECR_LIFECYCLE_POLICY, { repository: "istio/pilot", policy: "{}" });
        assert.deepStrictEqual(stackViolations(lifecyclePolicy, [pilot, pilotPolicy]), []);
        assert.deepStrictEqual(stackViolations(lifecyclePolicy, [pilot, proxy, pilotPolicy]).map((m) => m.split(" has ")[0]),
            ['ECR repository "istio/proxyv2"']);
        // A policy whose repository the cloud has not named yet may be the missing one: no verdict.
        assert.deepStrictEqual(stackViolations(lifecyclePolicy, [pilot, proxy, pilotPolicy, resource(ECR_LIFECYCLE_POLICY, { repository: "[unknown]" })]), []);
    });

    it("refuses the AWS managed AdministratorAccess, attached or listed on a role, in any partition", () => {
        for (const type of ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"]) {
            for (const arn of ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"]) {
                assert.match(violations(noAdminPolicy, resource(type, { policyArn: arn }))[0], /^policyArn is arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess \(full administrator\)/, `${type} ${arn}`);
            }
            assert.deepStrictEqual(violations(noAdminPolicy, resource(type, { policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" })), []);
        }
        const role = resource(IAM_ROLE, { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "arn:aws:iam::aws:policy/AdministratorAccess"] });
        assert.deepStrictEqual(violations(noAdminPolicy, role).map((m) => m.split(" is ")[0]), ["managedPolicyArns[1]"]);
    });

    it("requires immutable tags on Artifact Registry Docker hubs too, not on remote or other repositories", () => {
        cover(artifactRegistryImmutableTags);
        const hub = (props: Record<string, any>) => resource(ARTIFACT_REGISTRY_REPOSITORY, { repositoryId: "istio", format: "DOCKER", ...props });
        assert.deepStrictEqual(violations(artifactRegistryImmutableTags, hub({ dockerConfig: { immutableTags: true } })), []);
        assert.match(violations(artifactRegistryImmutableTags, hub({ dockerConfig: { immutableTags: false } }))[0], /dockerConfig.immutableTags is false; set it to true/);
        assert.match(violations(artifactRegistryImmutableTags, hub({}))[0], /unset \(false\)/);
        assert.deepStrictEqual(violations(artifactRegistryImmutableTags, hub({ mode: "REMOTE_REPOSITORY" })), []);
        assert.deepStrictEqual(violations(artifactRegistryImmutableTags, hub({ format: "APT" })), []);
    });

    it("S3.8: requires all four settings of a bucket's public access block", () => {
        cover(s3BlockPublicAccess);
        const all = { bucket: "armfarm-dev-farm-cache-1", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
        assert.deepStrictEqual(violations(s3BlockPublicAccess, resource(S3_PUBLIC_ACCESS_BLOCK, all)), []);
        for (const key of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
            assert.match(violations(s3BlockPublicAccess, resource(S3_PUBLIC_ACCESS_BLOCK, { ...all, [key]: false }))[0], new RegExp(`^${key} is not true`));
        }
    });

    it("refuses * on *, in JSON text, objects and inline role policies", () => {
        cover(noAdminPolicy);
        const admin = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
        assert.match(violations(noAdminPolicy, resource(IAM_POLICY, { policy: JSON.stringify(admin) }))[0],
            /^policy: Statement\[0\] allows "\*" on "\*"/);
        assert.strictEqual(violations(noAdminPolicy, resource(IAM_ROLE_POLICY, { policy: admin })).length, 1);
        assert.match(violations(noAdminPolicy, resource(IAM_ROLE, { inlinePolicies: [{ name: "x", policy: JSON.stringify(admin) }] }))[0],
            /^inlinePolicies\[0\].policy: Statement\[0\]/);
        // `*` on one resource, one action on `*`, and a Deny of everything are all fine.
        const scoped = { Statement: [
            { Effect: "Allow", Action: ["*"], Resource: "arn:aws:s3:::bucket" },
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Effect: "Deny", Action: "*", Resource: "*" },
        ] };
        assert.deepStrictEqual(violations(noAdminPolicy, resource(IAM_POLICY, { policy: JSON.stringify(scoped) })), []);
    });
});
