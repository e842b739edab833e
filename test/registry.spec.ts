/**
 * Reading a hub as the build's verification and the mesh's preflight do: the credentials each kind of hub gets,
 * and a registry that answers as the docker provider does when it refuses, lacks the tag, or lacks a platform.
 * The provider reads a manifest list over the registry API and fails with "got bad response from registry:
 * <status>" when the registry answers anything but 200 after the token exchange
 * (kreuzwerker/terraform-provider-docker internal/provider/data_source_docker_registry_image_manifests.go,
 * `doManifestRequest`); @pulumi/docker 5.x bridges it.
 */
import * as assert from "assert";
import { plan, planError, planningWith } from "./harness";
import { manifestsFor } from "../scripts/plan/mocks/registry";

const MANIFESTS = "docker:index/getRegistryImageManifests:getRegistryImageManifests";
const ECR_TOKEN = "aws:ecr/getAuthorizationToken:getAuthorizationToken";
const GCP_CLIENT = "gcp:organizations/getClientConfig:getClientConfig";

interface Read { name: string; auth?: { address: string; username?: string; password?: string } }

/**
 * A registry per host: ECR and Artifact Registry refuse a read without the right credentials (401), as private
 * registries do; a public hub needs none. Tags in `missing` are not found (404); `platforms` overrides an index.
 */
function registries(reads: Read[], opts: { missing?: string[]; platforms?: Record<string, string[]>; down?: boolean } = {}) {
    return {
        invokes: {
            [MANIFESTS]: (inputs: any) => {
                const read: Read = { name: String(inputs.name), auth: inputs.authConfig };
                reads.push(read);
                const host = read.name.split("/")[0];
                if (opts.down) throw new Error("got bad response from registry: 503 Service Unavailable");
                const expected = host.includes(".dkr.ecr.") ? { username: "AWS", password: "plan-token" }
                    : host.endsWith("-docker.pkg.dev") ? { username: "oauth2accesstoken", password: "plan-access-token" } : undefined;
                if (expected && (read.auth?.username !== expected.username || read.auth?.password !== expected.password || read.auth?.address !== host)) {
                    throw new Error("got bad response from registry: 401 Unauthorized");
                }
                if (opts.missing?.some((m) => read.name.endsWith(m))) throw new Error("got bad response from registry: 404 Not Found");
                const override = Object.entries(opts.platforms ?? {}).find(([suffix]) => read.name.includes(suffix));
                return manifestsFor(read.name, override?.[1]);
            },
        },
    };
}

describe("reading a hub (build verification and mesh preflight)", () => {
    it("reads an ECR hub with the deployer's ECR token, for the hub's own registry id", async () => {
        const reads: Read[] = [];
        const tokens: any[] = [];
        await planningWith({ "armfarm:parts": ["farm", "build"], "armfarm:buildPublishTo": "ecr" }).plan({}, { mocks: {
            invokes: { ...registries(reads).invokes, [ECR_TOKEN]: (i: any) => { tokens.push(i); return { id: "t", userName: "AWS", password: "plan-token", authorizationToken: "x", proxyEndpoint: "p", expiresAt: "2099" }; } },
        } });
        assert.ok(reads.length >= 4);
        for (const r of reads) {
            assert.deepStrictEqual(r.auth, { address: "123456789012.dkr.ecr.us-east-1.amazonaws.com", username: "AWS", password: "plan-token" });
        }
        assert.ok(tokens.every((t) => t.registryId === "123456789012"), JSON.stringify(tokens));
    });

    it("reads an Artifact Registry hub with the deployer's OAuth access token", async () => {
        const reads: Read[] = [];
        const clients: unknown[] = [];
        await plan({}, { mocks: { invokes: { ...registries(reads).invokes, [GCP_CLIENT]: () => {
            clients.push(1);
            return { id: "c", accessToken: "plan-access-token", project: "armfarm-dev", region: "us-central1", zone: "us-central1-a", defaultLabels: {} };
        } } } });
        const ar = reads.filter((r) => r.name.startsWith("us-central1-docker.pkg.dev/"));
        assert.ok(ar.length >= 4 && clients.length > 0);
        for (const r of ar) assert.deepStrictEqual(r.auth, { address: "us-central1-docker.pkg.dev", username: "oauth2accesstoken", password: "plan-access-token" });
    });

    it("reads a public hub with no credentials", async () => {
        const reads: Read[] = [];
        await planningWith({ "armfarm:parts": ["mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3" }).plan({}, { mocks: registries(reads) });
        assert.ok(reads.length >= 3);
        for (const r of reads) assert.strictEqual(r.auth, undefined, r.name);
    });

    it("fails as the registry refuses a read without the right credentials", async () => {
        const reads: Read[] = [];
        const message = await planningWith({ "armfarm:parts": ["farm", "build"], "armfarm:buildPublishTo": "ecr" }).planError({}, { mocks: {
            invokes: { ...registries(reads).invokes, [ECR_TOKEN]: () => ({ id: "t", userName: "AWS", password: "expired", authorizationToken: "x", proxyEndpoint: "p", expiresAt: "2020" }) },
        } });
        assert.match(message, /got bad response from registry: 401 Unauthorized/);
    });

    it("fails naming the status when the tag is not there, or the registry is down", async () => {
        assert.match(await planningWith({ "armfarm:parts": ["mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3" })
            .planError({}, { mocks: registries([], { missing: ["/pilot:1.30.3-distroless"] }) }), /got bad response from registry: 404 Not Found/);
        assert.match(await planError({}, { mocks: registries([], { down: true }) }), /got bad response from registry: 503 Service Unavailable/);
    });

    it("fails naming the image and the platform when an index lacks linux/amd64, not only linux/arm64", async () => {
        const message = await planningWith({ "armfarm:parts": ["mesh"], "armfarm:meshHub": "docker.io/istio", "armfarm:meshTag": "1.30.3" })
            .planError({}, { mocks: registries([], { platforms: { "/pilot:": ["linux/arm64"] } }) });
        assert.match(message, /docker\.io\/istio\/pilot:1\.30\.3-distroless has no linux\/amd64 image \(its index lists linux\/arm64\)/);
    });
});
