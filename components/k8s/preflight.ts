/**
 * The mesh's preflight: before any release is touched, every image the mesh will pull must be an index that
 * lists every architecture of the cluster's nodes. A single-arch image on a mixed-arch cluster is what makes
 * pods fail with `exec format error`; this turns that into a plan-time error naming the image and platform.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubeArch, KUBE_ARCHES, platformOf } from "../arch";
import { verifyMultiArch, VerifiedImage } from "../registry";
import { MESH_IMAGES } from "./istio-data";

/** The distinct images (by repository name) the mesh pulls under one hub and tag. */
export function imagesToVerify(cni: boolean): string[] {
    const images = new Set<string>([MESH_IMAGES.istiod, MESH_IMAGES.sidecar, MESH_IMAGES.init, MESH_IMAGES.gateway]);
    if (cni) images.add(MESH_IMAGES.cni);
    return [...images].sort();
}

/** The platforms the cluster's nodes need, in a stable order, without repeats. */
export function platformsFor(arches: readonly KubeArch[]) {
    return KUBE_ARCHES.filter((a) => arches.includes(a)).map(platformOf);
}

/**
 * Verifies each image under `hub:tag` for every node architecture. Resolves to the verified images by name, or
 * fails (a MissingPlatformError) naming the image and the missing platform.
 */
export function runPreflight(args: {
    hub: pulumi.Input<string>;
    tag: pulumi.Input<string>;
    cni: boolean;
    nodeArchitectures: pulumi.Input<KubeArch[]>;
}, opts: pulumi.InvokeOutputOptions): pulumi.Output<Record<string, VerifiedImage>> {
    // The registry's answer is marked secret because the read credentials went into the request; what it says
    // (platforms and digests) is not. Unmarked, so that the values gated on it stay readable in previews.
    return pulumi.unsecret(verifyMultiArch({
        hub: args.hub,
        tag: args.tag,
        images: imagesToVerify(args.cni),
        platforms: pulumi.output(args.nodeArchitectures).apply(platformsFor),
    }, opts));
}

/**
 * A dependency that holds a resource back until the preflight passed: the SDK resolves every Output in
 * `dependsOn` before it registers the resource, and a failed preflight rejects this one, so nothing that lists it
 * is created (@pulumi/pulumi 3.270, runtime/dependsOn.js, gatherExplicitDependencies). It resolves to no
 * resource. In a preview whose registry reads are unknown it adds nothing, and the releases' values, which do not
 * pass through the preflight, stay known to the policy pack.
 */
export function preflightGate(preflight: pulumi.Output<unknown>): pulumi.Input<pulumi.Resource> {
    // dependsOn's type names single resources; at run time an Output of a list of them is read the same way.
    return preflight.apply((): pulumi.Resource[] => []) as unknown as pulumi.Input<pulumi.Resource>;
}
