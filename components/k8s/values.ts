/**
 * The values each Istio chart receives. Every key here is one the chart's own values.yaml (istio 1.30.3) lists,
 * under `_internal_defaults_do_not_set`, or one its templates read; the gateway chart's schema refuses any
 * other key (`additionalProperties: false`), and the other charts would ignore a misspelt one silently.
 */
import * as pulumi from "@pulumi/pulumi";
import { archAffinity, ARCH_LABEL, KubeArch, tolerationsFor, ZONE_LABEL } from "../arch";
import {
    GATEWAY_NAME, GatewayService, GKE_INTERNAL_LB_ANNOTATION, IstioVariant, MESH_IMAGES, MESH_NAMESPACES, MESH_RESOURCES,
} from "./istio-data";

/** Where the mesh's Deployments may run, and how many of each. */
export interface Placement {
    /** The architectures pods may land on (the cluster's, or the one the control plane is pinned to). */
    arches: readonly KubeArch[];
    /** Pods of istiod (per revision) and of the gateway, from the first rollout on. */
    replicas: number;
}

/** One image source: the hub, the tag and the variant, as the charts' `global.*` keys take them. */
export interface ImageSource {
    hub: pulumi.Input<string>;
    tag: pulumi.Input<string>;
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
 * `base`: the CRDs and the default validating webhook (`istiod-default-validator`), which calls the default
 * revision's istiod. No `base.validationFailurePolicy`: without it the chart renders `failurePolicy: Ignore` on
 * install and leaves the field out on upgrade, and istiod patches `Fail` in once it serves
 * (istio/istio@1.30.3:manifests/charts/base/templates/defaultrevision-validatingwebhookconfiguration.yaml). So a
 * fresh install accepts Istio configuration until istiod is ready instead of refusing it, and since
 * helm.v3.Release diffs its inputs (the values), not the rendered objects, istiod's patch never shows as a diff.
 */
export function baseValues(defaultRevision: string) {
    return {
        defaultRevision,
        global: { istioNamespace: MESH_NAMESPACES.control },
    };
}

export interface IstiodValuesInput {
    revision: string;
    images: ImageSource;
    placement: Placement;
    cni: boolean;
}

/** Labels of istiod's pods, as the istiod chart sets them for a revision. */
export function istiodPodLabels(revision: string): Record<string, string> {
    return { app: "istiod", "istio.io/rev": revision };
}

/**
 * How many pods a Deployment starts with. The istiod and gateway charts render `replicas:` only while their
 * autoscaler is off (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/deployment.yaml,
 * `if not .Values.autoscaleEnabled`; manifests/charts/gateway/templates/deployment.yaml,
 * `if not .Values.autoscaling.enabled`); with it on, a Deployment starts at one pod until its HPA first acts, and
 * Helm counts that one pod as ready. So the charts' autoscalers stay off and `replicaCount` is what runs. (An HPA
 * beside a rendered `replicas:` would be reset to it by every Helm upgrade's three-way merge.)
 */
function fixedReplicas(replicas: number) {
    return { replicaCount: replicas };
}

/** `istiod` for one revision: its hub override, replicas, PDB and placement. It serves no revision tag. */
export function istiodValues(v: IstiodValuesInput) {
    return {
        revision: v.revision,
        // Revision tags are the mesh's own objects (revision-tags.ts), repointed in place, never a release's.
        revisionTags: [],
        image: MESH_IMAGES.istiod,
        autoscaleEnabled: false,
        ...fixedReplicas(v.placement.replicas),
        resources: MESH_RESOURCES.istiod,
        ...scheduling(istiodPodLabels(v.revision), v.placement.arches),
        pdb: { minAvailable: 1 },
        cni: { enabled: v.cni },
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
 * The gateway chart's `service` for an internal load balancer: `type` and `annotations`, two keys its values schema
 * has (istio/istio@1.30.3:manifests/charts/gateway/values.schema.json, `service.type`, `service.annotations`; its
 * values.yaml defaults `type: LoadBalancer`). An external gateway passes no `service` key: the chart's defaults.
 */
function gatewayServiceValues(service: Exclude<GatewayService, "none">) {
    return service === "internal" ? { service: { type: "LoadBalancer", annotations: { ...GKE_INTERNAL_LB_ANNOTATION } } } : {};
}

/**
 * `gateway`: the ingress gateway, injected by the default revision (its pods say `image: auto`; istiod's
 * injector gives them `<hub>/proxyv2:<tag>`), so it carries no hub of its own.
 */
export function gatewayValues(v: { revision: string; placement: Placement; service: Exclude<GatewayService, "none"> }) {
    return {
        revision: v.revision,
        ...gatewayServiceValues(v.service),
        ...fixedReplicas(v.placement.replicas),
        autoscaling: { enabled: false },
        podDisruptionBudget: { minAvailable: 1 },
        resources: MESH_RESOURCES.gateway,
        ...scheduling(gatewayPodLabels(), v.placement.arches),
    };
}

/**
 * `cni`: the node agent, a DaemonSet. The chart's default tolerations (`operator: Exists` for NoSchedule and
 * NoExecute) already reach every node, arm64 included; they are restated so that the plan shows it.
 * `global.platform: gke` selects the chart's GKE profile, which turns on the ResourceQuota for the node-critical
 * priority class and leaves `cniBinDir` empty on purpose (istio/istio@1.30.3:manifests/charts/istio-cni/files/
 * profile-platform-gke.yaml). The bin directory then comes from the DaemonSet template, which picks
 * `/home/kubernetes/bin` when `.Capabilities.KubeVersion.GitVersion` contains `-gke` and `/opt/cni/bin` otherwise
 * (templates/daemonset.yaml, `$detectedBinDir`). helm.v3.Release installs with Helm's library against the
 * cluster, whose server version GKE reports as `v1.x.y-gke.n` (helm/helm@v3.20.2:pkg/action/action.go,
 * getCapabilities). `helm template` has no server version to read, and Helm 3.19 and later drop the `-gke` suffix
 * from `--kube-version` (helm/helm #31423, istio/istio #58094): rendered that way, the agent would install into
 * `/opt/cni/bin`, which is not the kubelet's CNI directory on GKE.
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
