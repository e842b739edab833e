/**
 * The values each Istio chart receives. Every key here is one the chart's own values.yaml (istio 1.30.3) lists,
 * under `_internal_defaults_do_not_set`, or one its templates read; the gateway chart's schema refuses any
 * other key (`additionalProperties: false`), and the other charts would ignore a misspelt one silently.
 */
import { archAffinity, ARCH_LABEL, KubeArch, tolerationsFor, ZONE_LABEL } from "../arch";
import { GATEWAY_NAME, IstioVariant, MESH_IMAGES, MESH_NAMESPACES, MESH_RESOURCES } from "./istio-data";

/** Where the mesh's Deployments may run, and how many of each. */
export interface Placement {
    /** The architectures pods may land on (the cluster's, or the one the control plane is pinned to). */
    arches: readonly KubeArch[];
    minReplicas: number;
    maxReplicas: number;
}

/** One image source: the hub, the tag and the variant, as the charts' `global.*` keys take them. */
export interface ImageSource {
    hub: string;
    tag: string;
    variant: IstioVariant;
}

/**
 * Spread pods over zones and, when they may use both, over architectures, so that losing a zone or an
 * architecture's pool never takes every replica. `ScheduleAnyway`: a preference, so that a cluster with one
 * zone or spare room on one architecture only still schedules. `matchLabelKeys` scopes the count to one
 * ReplicaSet, so that a rollout's old pods do not skew the new ones.
 */
export function spreadConstraints(podLabels: Record<string, string>, arches: readonly KubeArch[]) {
    const keys = arches.length > 1 ? [ZONE_LABEL, ARCH_LABEL] : [ZONE_LABEL];
    return keys.map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: podLabels },
        matchLabelKeys: ["pod-template-hash"],
    }));
}

/** Tolerations, required arch affinity and spread, as the istiod and gateway charts take them. */
function scheduling(podLabels: Record<string, string>, arches: readonly KubeArch[]) {
    return {
        tolerations: tolerationsFor(arches),
        affinity: archAffinity(arches),
        topologySpreadConstraints: spreadConstraints(podLabels, arches),
    };
}

/** The chart's `global` image keys: every image istiod renders or injects comes from this hub and tag. */
function globalImages(images: ImageSource) {
    return {
        hub: images.hub,
        tag: images.tag,
        variant: images.variant,
        proxy: { image: MESH_IMAGES.sidecar },
        proxy_init: { image: MESH_IMAGES.init },
    };
}

/**
 * `base`: the CRDs and the default validating webhook, which points at the active revision's istiod.
 * `base.validationFailurePolicy`: the base chart's template (defaultrevision-validatingwebhookconfiguration.yaml,
 * 1.30.3) reads it though its values.yaml does not list it; `Fail` is what istiod sets at runtime anyway, so
 * Istio never flips a field that Helm rendered differently.
 */
export function baseValues(activeRevision: string) {
    return {
        defaultRevision: activeRevision,
        global: { istioNamespace: MESH_NAMESPACES.control },
        base: { validationFailurePolicy: "Fail" },
    };
}

export interface IstiodValuesInput {
    revision: string;
    /** Revision tags this control plane serves; only the active revision carries them. */
    revisionTags: string[];
    images: ImageSource;
    placement: Placement;
    cni: boolean;
}

/** Labels of istiod's pods, as the istiod chart sets them for a revision. */
export function istiodPodLabels(revision: string): Record<string, string> {
    return { app: "istiod", "istio.io/rev": revision };
}

/** `istiod` for one revision: its hub override, replicas and autoscaling, PDB, placement and webhook policy. */
export function istiodValues(v: IstiodValuesInput) {
    return {
        revision: v.revision,
        revisionTags: v.revisionTags,
        image: MESH_IMAGES.istiod,
        autoscaleEnabled: true,
        autoscaleMin: v.placement.minReplicas,
        autoscaleMax: v.placement.maxReplicas,
        replicaCount: v.placement.minReplicas,
        resources: MESH_RESOURCES.istiod,
        ...scheduling(istiodPodLabels(v.revision), v.placement.arches),
        pdb: { minAvailable: 1 },
        cni: { enabled: v.cni },
        // The per-revision validator starts as Ignore and istiod patches it to Fail once ready; rendering Fail
        // from the start means Istio's patch changes nothing and a second `pulumi up` shows no diff.
        base: { validationFailurePolicy: "Fail" },
        global: {
            ...globalImages(v.images),
            istioNamespace: MESH_NAMESPACES.control,
            defaultPodDisruptionBudget: { enabled: true },
        },
    };
}

/** Labels of the gateway's pods, as the gateway chart derives them from the release name. */
export function gatewayPodLabels(): Record<string, string> {
    return { app: GATEWAY_NAME, istio: GATEWAY_NAME.replace(/^istio-/, "") };
}

/**
 * `gateway`: the ingress gateway, injected by the active revision (its pods say `image: auto`; istiod's
 * injector gives them `<hub>/proxyv2:<tag>`), so it carries no hub of its own.
 */
export function gatewayValues(v: { revision: string; placement: Placement }) {
    return {
        revision: v.revision,
        replicaCount: v.placement.minReplicas,
        autoscaling: {
            enabled: true,
            minReplicas: v.placement.minReplicas,
            maxReplicas: v.placement.maxReplicas,
            targetCPUUtilizationPercentage: 80,
        },
        podDisruptionBudget: { minAvailable: 1 },
        resources: MESH_RESOURCES.gateway,
        ...scheduling(gatewayPodLabels(), v.placement.arches),
    };
}

/**
 * `cni`: the node agent, a DaemonSet. The chart's default tolerations (`operator: Exists` for NoSchedule and
 * NoExecute) already reach every node, arm64 included; they are restated so that the plan shows it.
 * `global.platform: gke` selects the chart's GKE profile (CNI binary directory, ResourceQuota for the
 * node-critical priority class).
 */
export function cniValues(v: { revision: string; images: ImageSource; platform?: string }) {
    return {
        revision: v.revision,
        image: MESH_IMAGES.cni,
        resources: MESH_RESOURCES.cni,
        tolerations: [
            { effect: "NoSchedule", operator: "Exists" },
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { effect: "NoExecute", operator: "Exists" },
        ],
        global: {
            hub: v.images.hub,
            tag: v.images.tag,
            variant: v.images.variant,
            ...(v.platform ? { platform: v.platform } : {}),
        },
    };
}
