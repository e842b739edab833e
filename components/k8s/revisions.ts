/**
 * Revision-based upgrades. Each Istio version runs as its own control plane revision (`istiod-1-30-3`), in its
 * own Helm release whose Pulumi name carries the revision. A new version is therefore a new resource beside
 * the old one, never a replacement of it: the old control plane keeps serving its proxies until namespaces
 * have moved (by `istio.io/rev` label or revision tag) and the stack stops listing it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
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

/** A revision kept beside the installed one during an upgrade (or after a rollback). */
export interface KeptRevision {
    /** The Istio version of that control plane. */
    version: string;
    /** Its image tag under the hub. Default: the version. */
    tag?: pulumi.Input<string>;
}

/**
 * The revisions to run: the installed one first, then the kept ones. Refuses a kept version that is the installed
 * one or that is listed twice, since both would claim the same Helm release.
 */
export function planRevisions(installed: { version: string; tag: pulumi.Input<string> }, kept: readonly KeptRevision[]): RevisionSpec[] {
    const specs: RevisionSpec[] = [{ version: installed.version, revision: revisionOf(installed.version), tag: installed.tag }];
    for (const k of kept) {
        const revision = revisionOf(k.version);
        if (specs.some((s) => s.revision === revision)) {
            throw new pulumi.InputPropertyError({
                propertyPath: "keepRevisions",
                reason: `${JSON.stringify(k.version)} is already running as revision ${revision}; list each earlier version once and never istioVersion itself`,
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
 * The revision the revision tags and base's `defaultRevision` point to. istio.io's Helm canary upgrade installs
 * a new revision beside the old one and moves the default only as a later step (docs/setup/upgrade/helm:
 * "Upgrade the Istio base chart again, this time making the new canary revision the cluster-wide default"), so
 * installing a version never moves it: given none, the default is the only revision, or the one kept beside the
 * new install. With more than one kept, the caller must say which.
 */
export function defaultRevisionOf(revisions: readonly RevisionSpec[], defaultVersion: string | undefined): RevisionSpec {
    const installed = revisions.map((r) => r.version).join(", ");
    if (defaultVersion !== undefined) {
        const found = revisions.find((r) => r.revision === revisionOf(defaultVersion));
        if (!found) {
            throw new pulumi.InputPropertyError({
                propertyPath: "defaultVersion",
                reason: `${JSON.stringify(defaultVersion)} is not a version the mesh runs; name one of ${installed}`,
            });
        }
        return found;
    }
    if (revisions.length <= 2) return revisions[revisions.length - 1];
    throw new pulumi.InputPropertyError({
        propertyPath: "defaultVersion",
        reason: `is not set and ${revisions.length - 1} earlier versions are kept; name the one the revision tags and the default revision point to, one of ${installed}`,
    });
}

/** One istiod release for one revision. It serves no revision tag (the mesh owns those: revision-tags.ts). */
export function createIstiod(name: string, spec: RevisionSpec, args: {
    hub: pulumi.Input<string>;
    variant: IstioVariant;
    placement: Placement;
    cni: boolean;
}, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(`${name}-istiod-${spec.revision}`, {
        ...releaseCommon(ISTIO_CHARTS.istiod, spec.version),
        name: `istiod-${spec.revision}`,
        namespace: MESH_NAMESPACES.control,
        createNamespace: true,
        values: istiodValues({
            revision: spec.revision,
            images: { hub: args.hub, tag: spec.tag, variant: args.variant },
            placement: args.placement,
            cni: args.cni,
        }),
    }, opts);
}
