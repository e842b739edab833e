/**
 * What armfarm knows about image registries: how to authenticate to a hub for reading, and how to check that
 * every image under `hub:tag` is an index that lists the platforms a cluster needs. The build verifies its
 * own pushes with it; the mesh runs it as its preflight.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as gcp from "@pulumi/gcp";
import { Platform } from "./arch";

/** The registry host of a hub: `123456789012.dkr.ecr.us-east-1.amazonaws.com/istio` → the part before `/`. */
export function registryHost(hub: string): string {
    const first = hub.split("/")[0];
    // A bare Docker Hub namespace such as `istio` or `docker.io/istio`.
    return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
const ARTIFACT_REGISTRY_HOST = /^[a-z0-9-]+-docker\.pkg\.dev$/;

export type RegistryKind = "ecr" | "artifact-registry" | "public";

/** The account, region and partition of an ECR hub's registry, or undefined for another registry. */
export function ecrRegistryOf(hub: string): { accountId: string; region: string; partition: string } | undefined {
    const m = ECR_HOST.exec(registryHost(hub));
    return m ? { accountId: m[1], region: m[2], partition: m[3] ? "aws-cn" : "aws" } : undefined;
}

export function registryKind(hub: string): RegistryKind {
    const host = registryHost(hub);
    if (ECR_HOST.test(host)) return "ecr";
    if (ARTIFACT_REGISTRY_HOST.test(host)) return "artifact-registry";
    return "public";
}

export interface RegistryAuth {
    address: string;
    username: string;
    password: string;
}

/**
 * Read credentials for a hub, from the deployer's own cloud identity: an ECR token for ECR, an OAuth access
 * token for Artifact Registry, none for public registries. The password is a secret and never in state.
 */
export function registryAuth(hub: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<RegistryAuth | undefined> {
    const host = registryHost(hub);
    switch (registryKind(hub)) {
        case "ecr": {
            const registryId = ECR_HOST.exec(host)![1];
            const token = aws.ecr.getAuthorizationTokenOutput({ registryId }, opts);
            return pulumi.secret(pulumi.all([token.userName, token.password]).apply(([username, password]) =>
                ({ address: host, username, password })));
        }
        case "artifact-registry": {
            const client = gcp.organizations.getClientConfigOutput(opts);
            return pulumi.secret(client.accessToken.apply((password) => ({ address: host, username: "oauth2accesstoken", password })));
        }
        case "public":
            return pulumi.output(undefined);
    }
}

/**
 * Whether an index entry is an image of a platform. BuildKit lists each image's attestation manifest in the index
 * as platform `unknown/unknown` (docker/buildx docs, "Image attestation storage"), which no node can run.
 */
function isPlatformImage(m: { os: string; architecture: string }): boolean {
    return m.os !== "unknown" && m.architecture !== "unknown";
}

/** The platforms an index lists, as `os/architecture`, attestations left out. */
export function platformsOf(manifests: { os: string; architecture: string }[]): string[] {
    return [...new Set(manifests.filter(isPlatformImage).map((m) => `${m.os}/${m.architecture}`))].sort();
}

/** Thrown when an image under the hub lacks a platform that some node needs. */
export class MissingPlatformError extends Error {
    constructor(readonly image: string, readonly missing: string[], readonly found: string[]) {
        super(`${image} has no ${missing.join(" or ")} image (its index lists ${found.length ? found.join(", ") : "no platforms"}); ` +
            `pods on ${missing.join(" and ")} nodes would fail with "exec format error". Publish a multi-arch image under this tag first.`);
        this.name = "MissingPlatformError";
    }
}

export interface VerifiedImage {
    /** `hub/image:tag`. */
    reference: string;
    /** The platforms the image's index lists. */
    platforms: string[];
    /** Digest of each platform's manifest, by `os/architecture`. */
    digests: Record<string, string>;
}

/**
 * Checks that `hub/<image>:tag` is an index listing every one of `platforms`, for each image, using the
 * registry's own answer (docker provider's getRegistryImageManifests). Fails naming the image and the
 * missing platform.
 */
export function verifyMultiArch(args: {
    hub: pulumi.Input<string>;
    tag: pulumi.Input<string>;
    images: readonly string[];
    platforms: pulumi.Input<readonly Platform[]>;
}, opts?: pulumi.InvokeOutputOptions): pulumi.Output<Record<string, VerifiedImage>> {
    // Hub, tag and platforms are resolved once, before the fan-out: when they fail (a failed build upstream),
    // the failure is reported once, not once per image's registry read.
    return pulumi.all([args.hub, args.tag, args.platforms]).apply(([hub, tag, wanted]) => {
        const auth = registryAuth(hub, opts);
        const checks = args.images.map((image) => {
            const reference = `${hub}/${image}:${tag}`;
            const answer = docker.getRegistryImageManifestsOutput({ name: reference, authConfig: auth }, opts);
            return answer.manifests.apply((manifests): [string, VerifiedImage] => {
                const found = platformsOf(manifests);
                const missing = wanted.filter((p) => !found.includes(p));
                if (missing.length > 0) throw new MissingPlatformError(reference, missing, found);
                const digests = Object.fromEntries(manifests.filter(isPlatformImage)
                    .map((m) => [`${m.os}/${m.architecture}`, `sha256:${m.sha256Digest.replace(/^sha256:/, "")}`]));
                return [image, { reference, platforms: found, digests }];
            });
        });
        return pulumi.all(checks).apply((entries) => Object.fromEntries(entries));
    });
}
