/** Facts about Istio's Helm charts and images that the mesh relies on, each with its source. */

/**
 * Istio's Helm chart repository. Source: istio.io, "Install with Helm" (`helm repo add istio
 * https://istio-release.storage.googleapis.com/charts`).
 */
export const ISTIO_CHART_REPOSITORY = "https://istio-release.storage.googleapis.com/charts";

/**
 * The charts the mesh installs, by role, as the repository names them. Source: istio/istio
 * `manifests/charts/` (`base`, `istio-control/istio-discovery` published as `istiod`, `gateway`, `istio-cni`
 * published as `cni`), each chart's Chart.yaml `name`.
 */
export const ISTIO_CHARTS = { base: "base", istiod: "istiod", gateway: "gateway", cni: "cni" } as const;

/** The Istio version a stack installs unless it says otherwise. */
export const DEFAULT_ISTIO_VERSION = "1.30.3";

/**
 * The first release whose images on docker.io/istio are multi-arch (linux/amd64 and linux/arm64 under one
 * tag). Source: Istio 1.15 release announcement, "arm64 support": official images are published for arm64
 * from 1.15 on. An earlier version cannot run on a mixed-arch cluster from the official hub.
 */
export const MIN_MULTI_ARCH_ISTIO = [1, 15] as const;

/** A released Istio version: `MAJOR.MINOR.PATCH`, optionally with a pre-release suffix (`1.31.0-beta.0`). */
export const ISTIO_VERSION = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;
export const ISTIO_VERSION_ACCEPTED = "an Istio release such as 1.30.3";

/** True when `version` is a release that publishes multi-arch images (1.15 or later). */
export function isMultiArchIstio(version: string): boolean {
    const m = ISTIO_VERSION.exec(version);
    if (!m) return false;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return major > MIN_MULTI_ARCH_ISTIO[0] || (major === MIN_MULTI_ARCH_ISTIO[0] && minor >= MIN_MULTI_ARCH_ISTIO[1]);
}

/**
 * The revision name of a version: dots become dashes (`1.30.3` → `1-30-3`), as Istio's canary upgrade guide
 * names revisions. A revision must be a DNS label: it becomes part of Service and webhook names.
 */
export function revisionOf(version: string): string {
    return version.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/**
 * Image variants the charts accept in `global.variant`; the variant becomes a tag suffix (`1.30.3-distroless`).
 * Source: istiod chart values.yaml, `global.variant` ("Currently supported are: [debug, distroless]"), and
 * the charts' image templates (`{{ tag }}{{ with variant }}-{{ . }}{{ end }}`).
 */
export const ISTIO_VARIANTS = ["", "distroless", "debug"] as const;
export type IstioVariant = (typeof ISTIO_VARIANTS)[number];

/** The image tag pods pull for a tag and variant. */
export function variantTag(tag: string, variant: IstioVariant): string {
    return variant ? `${tag}-${variant}` : tag;
}

/**
 * The images each workload pulls under the hub. Source: the istiod chart (`image: pilot`,
 * `global.proxy.image: proxyv2`, `global.proxy_init.image: proxyv2`), the cni chart (`image: install-cni`);
 * the gateway chart's pods say `image: auto` and get the proxy image from istiod's injector.
 */
export const MESH_IMAGES = {
    istiod: "pilot",
    sidecar: "proxyv2",
    init: "proxyv2",
    gateway: "proxyv2",
    cni: "install-cni",
} as const;

/** The namespaces Istio's install guide uses: the control plane, the ingress gateway, the CNI node agent. */
export const MESH_NAMESPACES = { control: "istio-system", gateway: "istio-ingress", cni: "kube-system" } as const;

/** The ingress gateway's Helm release name; the chart names its Deployment and Service after it. */
export const GATEWAY_NAME = "istio-ingressgateway";

/**
 * What the ingress gateway's Service is: `external`, the gateway chart's own LoadBalancer (an external passthrough
 * Network Load Balancer on GKE); `internal`, a LoadBalancer that GKE makes an internal passthrough Network Load
 * Balancer, reachable from the cluster's VPC and networks connected to it only; `none`, no gateway at all (a
 * cluster whose traffic enters through an ingress of its own).
 */
export const GATEWAY_SERVICES = ["external", "internal", "none"] as const;
export type GatewayService = (typeof GATEWAY_SERVICES)[number];

/**
 * The annotation that makes GKE build an internal passthrough Network Load Balancer for a LoadBalancer Service, in
 * every GKE version it supports (GKE, "LoadBalancer Service parameters": `networking.gke.io/load-balancer-type:
 * "Internal"`; `spec.loadBalancerClass: networking.gke.io/l4-regional-internal` needs 1.33.1-gke.1779000 and GKE
 * subsetting). The gateway chart renders `service.annotations` onto its Service
 * (istio/istio@1.30.3:manifests/charts/gateway/templates/service.yaml).
 */
export const GKE_INTERNAL_LB_ANNOTATION = { "networking.gke.io/load-balancer-type": "Internal" } as const;

/**
 * Resource requests and limits. istiod: the chart's own requests for a small install (istiod values.yaml
 * `resources`); the gateway: the gateway chart's defaults (values.yaml `resources`); the CNI agent: the cni
 * chart's defaults. Set explicitly so that an upstream default change is a reviewed diff, not a surprise.
 */
export const MESH_RESOURCES = {
    istiod: { requests: { cpu: "500m", memory: "2048Mi" } },
    gateway: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "2000m", memory: "1024Mi" } },
    cni: { requests: { cpu: "100m", memory: "100Mi" } },
} as const;

/** Helm timeout for each release, in seconds: long enough for image pulls on fresh nodes and rollouts. */
export const RELEASE_TIMEOUT_SECONDS = 600;

/**
 * The mesh-wide mTLS modes armfarm offers, one list for the stack config and the policy pack. Source: istio.io,
 * "PeerAuthentication" reference (security.istio.io/v1, PeerAuthentication.MutualTLS.Mode): STRICT accepts mTLS
 * only; PERMISSIVE accepts mTLS and plain text, for workloads on their way into the mesh; DISABLE accepts plain
 * text only and is not offered; UNSET inherits from the parent scope.
 */
export const MTLS_MODES = ["STRICT", "PERMISSIVE"] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];
/** Of those, the modes that still accept plain text: allowed, and reported as advice. */
export const PLAINTEXT_TOLERANT_MTLS_MODES: readonly MtlsMode[] = ["PERMISSIVE"];
/** What a PeerAuthentication may say besides the offered modes: inherit from the parent scope. */
export const INHERIT_MTLS_MODE = "UNSET";

/**
 * The mesh's root namespace, where a PeerAuthentication without a selector applies to every workload: istiod's
 * `meshConfig.rootNamespace`, which the istiod chart defaults to `global.istioNamespace`
 * (istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/configmap.yaml), whose own
 * default is `istio-system` (values.yaml).
 */
export const DEFAULT_ISTIO_NAMESPACE = "istio-system";

