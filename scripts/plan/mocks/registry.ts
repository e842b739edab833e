import { MockTable, stableHex } from "./fake";

/**
 * Registries: every image the plan asks about is a multi-arch index listing linux/amd64 and linux/arm64, with
 * digests derived from its name. Tests replace these answers to show a hub that lacks a platform.
 */
export function manifestsFor(name: string, platforms: string[] = ["linux/amd64", "linux/arm64"]) {
    const manifest = (os: string, architecture: string, key: string) =>
        ({ os, architecture, mediaType: "application/vnd.oci.image.manifest.v1+json", sha256Digest: `sha256:${stableHex(64, name, key)}` });
    return {
        id: name,
        name,
        // BuildKit adds an attestation manifest per image, listed as platform unknown/unknown.
        manifests: [
            ...platforms.map((p) => manifest(p.split("/")[0], p.split("/")[1], p)),
            ...platforms.map((p) => manifest("unknown", "unknown", `attestation ${p}`)),
        ],
    };
}

export const registryMocks: MockTable = {
    resources: {},
    invokes: {
        "docker:index/getRegistryImageManifests:getRegistryImageManifests": (inputs) => manifestsFor(String(inputs.name)),
        "docker:index/getRegistryImage:getRegistryImage": (inputs) => ({ id: inputs.name, name: inputs.name, sha256Digest: `sha256:${stableHex(64, String(inputs.name))}` }),
        "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs) => ({
            id: "ecr-token", authorizationToken: "QVdTOnBsYW4tdG9rZW4=", userName: "AWS", password: "plan-token",
            expiresAt: "2099-01-01T00:00:00Z", proxyEndpoint: `https://${inputs.registryId ?? "123456789012"}.dkr.ecr.us-east-1.amazonaws.com`, region: "us-east-1",
        }),
        "gcp:organizations/getClientConfig:getClientConfig": () => ({ id: "client-config", accessToken: "plan-access-token", project: "armfarm-dev", region: "us-central1", zone: "us-central1-a", defaultLabels: {} }),
    },
};
