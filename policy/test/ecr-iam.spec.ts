import * as assert from "assert";
import { ECR_LIFECYCLE_POLICY, ECR_REPOSITORY, immutableTags, lifecyclePolicy, scanOnPush } from "../rules/ecr";
import { IAM_POLICY, IAM_ROLE, IAM_ROLE_POLICY, noAdminPolicy } from "../rules/iam";
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
