/**
 * Revision-based upgrades. Each Istio version runs as its own control plane revision (`istiod-1-30-3`), in its
 * own Helm release whose Pulumi name carries the revision. A new version is therefore a new resource beside
 * the old one, never a replacement of it: the old control plane keeps serving its proxies until namespaces
 * have moved (by `istio.io/rev` label or revision tag) and the stack stops listing it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { VerifiedImage } from "../registry";
import { ISTIO_CHART_REPOSITORY, ISTIO_CHARTS, IstioVariant, MESH_NAMESPACES, RELEASE_TIMEOUT_SECONDS, revisionOf } from "./istio-data";
import { istiodValues, Placement } from "./values";

/** A control plane revision the stack runs. */
export interface RevisionSpec {
    /** The Istio version, such as `1.30.3`: the chart version and the default image tag. */
    version: string;
    /** The revision name, such as `1-30-3`. */
    revision: string;
    /** The image tag under the hub. */
    tag: pulumi.Input<string>;
}

/** A revision kept beside the active one during an upgrade (or after a rollback). */
export interface KeptRevision {
    /** The Istio version of that control plane. */
    version: string;
    /** Its image tag under the hub. Default: the version. */
    tag?: pulumi.Input<string>;
}

/**
 * The revisions to run: the active one first, then the kept ones. Refuses a kept version that is the active
 * one or that is listed twice, since both would claim the same Helm release.
 */
export function planRevisions(active: { version: string; tag: pulumi.Input<string> }, kept: readonly KeptRevision[]): RevisionSpec[] {
    const specs: RevisionSpec[] = [{ version: active.version, revision: revisionOf(active.version), tag: active.tag }];
    for (const k of kept) {
        const revision = revisionOf(k.version);
        if (specs.some((s) => s.revision === revision)) {
            throw new pulumi.InputPropertyError({
                propertyPath: "keepRevisions",
                reason: `${JSON.stringify(k.version)} is already running as revision ${revision}; list each earlier version once and never the active istioVersion`,
            });
        }
        specs.push({ version: k.version, revision, tag: k.tag ?? k.version });
    }
    return specs;
}

/** Helm release options every chart shares: Istio's repository, atomic installs, waiting for readiness. */
export function releaseCommon(chart: string, version: string) {
    return {
        chart,
        version,
        repositoryOpts: { repo: ISTIO_CHART_REPOSITORY },
        // Wait for every Deployment and DaemonSet to be ready: the next release starts only after this one serves.
        skipAwait: false,
        // A failed install or upgrade rolls itself back instead of leaving a half-applied release.
        atomic: true,
        cleanupOnFail: true,
        timeout: RELEASE_TIMEOUT_SECONDS,
        // Releases keep a short history for `helm rollback`; Helm's default is unbounded.
        maxHistory: 10,
    };
}

/**
 * One istiod release for one revision. Only the active revision carries the revision tags, and it waits for
 * the kept releases (`dependsOn`), so that a tag moving between revisions is released by the old one before the
 * new one claims it (two Helm releases cannot own the same webhook).
 */
export function createIstiod(name: string, spec: RevisionSpec, args: {
    active: boolean;
    revisionTags: string[];
    hub: pulumi.Input<string>;
    variant: IstioVariant;
    placement: Placement;
    cni: boolean;
    preflight: pulumi.Output<Record<string, VerifiedImage>>;
}, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(`${name}-istiod-${spec.revision}`, {
        ...releaseCommon(ISTIO_CHARTS.istiod, spec.version),
        name: `istiod-${spec.revision}`,
        namespace: MESH_NAMESPACES.control,
        createNamespace: true,
        // Values resolve only after the preflight passed: a failing preflight stops the release here.
        values: pulumi.all([args.preflight, args.hub, spec.tag]).apply(([, hub, tag]) => istiodValues({
            revision: spec.revision,
            revisionTags: args.active ? args.revisionTags : [],
            images: { hub, tag, variant: args.variant },
            placement: args.placement,
            cni: args.cni,
        })),
    }, opts);
}
