/** Istio on the clusters: which releases are Istio's charts, and the hub override on those that run images. */
import { ResourceRule, StackRule, Subject } from "./rule";
import { at, isUnknown, record, text } from "./values";

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const HELM_CHART = "kubernetes:helm.sh/v4:Chart";

/**
 * Istio's Helm charts (https://istio-release.storage.googleapis.com/charts), and the ones whose pods run images
 * from `global.hub`: istiod (pilot, and the proxyv2 it injects), cni (install-cni) and ztunnel. The gateway
 * chart's pods take their proxy image from istiod's injection; base installs CRDs only. Source: the charts'
 * values.yaml of Istio 1.30.3 (`_internal_defaults_do_not_set.global.hub`).
 */
export const ISTIO_CHARTS = ["base", "istiod", "gateway", "cni", "ztunnel"] as const;
export const ISTIO_CHARTS_WITH_IMAGES = ["istiod", "cni", "ztunnel"] as const;

/** The chart's name from `istiod`, `istio/istiod`, `oci://host/path/istiod` or `https://…/istiod-1.30.3.tgz`. */
export function chartName(chart: string): string {
    const last = chart.replace(/\/+$/, "").split("/").pop() ?? chart;
    return last.replace(/\.tgz$/, "").replace(/-v?\d+\.\d+\.\d+.*$/, "");
}

/** The Istio chart a Helm release or chart resource installs, or undefined when it is not one of Istio's. */
export function istioChartOf(subject: { type: string; props: Record<string, any> }): string | undefined {
    if (subject.type !== HELM_RELEASE && subject.type !== HELM_CHART) return undefined;
    const chart = text(subject.props.chart);
    if (!chart) return undefined;
    const name = chartName(chart);
    if (!(ISTIO_CHARTS as readonly string[]).includes(name)) return undefined;
    // base, gateway and cni are common chart names: count them as Istio's only when the source says so.
    const source = `${chart} ${text(record(subject.props.repositoryOpts).repo) ?? ""}`;
    return name === "istiod" || /istio/i.test(source) ? name : undefined;
}

/** Where a pod of an Istio chart takes its image from, and the hub that is (`undefined`: none set, `null`: unknown). */
export interface ImageSource {
    what: string;
    hub: string | undefined | null;
}

/** The hub of a value that is either a full image reference (it holds a `/`) or an image name, or unknown. */
function referenceHub(value: unknown): string | undefined | null {
    if (isUnknown(value)) return null;
    const ref = text(value);
    if (!ref?.includes("/")) return undefined;
    return ref.replace(/@.*$/, "").replace(/:[^/:]*$/, "").split("/").slice(0, -1).join("/");
}

/** `first`, unless it is unset, then `second`; unknown wins over both. */
function either(first: unknown, second: unknown): string | undefined | null {
    if (isUnknown(first) || (first === undefined && isUnknown(second))) return null;
    return (text(first) ?? text(second))?.replace(/\/+$/, "");
}

/**
 * Every hub the pods of an Istio release pull from, as Istio 1.30.3's charts render them:
 * - the chart's own image: `values.image` when it holds a `/` (a full reference), otherwise
 *   `values.hub | default values.global.hub` (istio/istio@1.30.3: manifests/charts/istio-control/istio-discovery/
 *   templates/deployment.yaml, manifests/charts/istio-cni/templates/daemonset.yaml, manifests/charts/ztunnel/
 *   templates/daemonset.yaml);
 * - for istiod, the sidecars it injects: `global.proxy.image` and `global.proxy_init.image` when they hold a `/`,
 *   otherwise `global.hub` (istio-discovery/files/injection-template.yaml, `.ProxyImage`).
 */
export function imageSources(chart: string, props: Record<string, any>): ImageSource[] {
    const values = props.values;
    const globalHub = either(at(values, "global.hub"), undefined);
    const own = referenceHub(at(values, "image"));
    const sources: ImageSource[] = [{ what: `the ${chart} image`, hub: own !== undefined ? own : either(at(values, "hub"), at(values, "global.hub")) }];
    if (chart === "istiod") {
        for (const [what, path] of [["the injected sidecar", "global.proxy.image"], ["the injected init container", "global.proxy_init.image"]]) {
            const ref = referenceHub(at(values, path));
            sources.push({ what, hub: ref !== undefined ? ref : globalHub });
        }
    }
    return sources;
}

export const hubOverride: ResourceRule = {
    kind: "resource",
    name: "istio-hub-override",
    description: `Istio charts that run images (${ISTIO_CHARTS_WITH_IMAGES.join(", ")}) name the hub of every image their pods pull (values.global.hub, or a chart's own hub or full image), so that no pod pulls from the chart's default hub.`,
    enforcementLevel: "mandatory",
    types: [HELM_RELEASE, HELM_CHART],
    check(props, subject) {
        const chart = istioChartOf(subject);
        if (!chart || !(ISTIO_CHARTS_WITH_IMAGES as readonly string[]).includes(chart)) return [];
        return imageSources(chart, props).filter((s) => s.hub === undefined).map((s) =>
            `the ${chart} chart names no hub for ${s.what} (values.global.hub unset); set it (and global.tag) to the hub armfarm published, or pods pull single-arch defaults`);
    },
};

/**
 * In a first preview, a Helm release on a cluster the same update creates has no properties at all in the stack's
 * view: its kubernetes provider is configured from values not known yet (pulumi/pulumi@v3.259.0
 * pkg/resource/deploy/step_generator.go, `AnalyzeResources` on the outputs the preview answered). The stack rules
 * on Istio (its hub, mesh-wide mTLS, the webhook firewall) then find no Istio to judge: this says so, rather than
 * pass in silence. They judge it in the preview `pulumi up` runs first, once the cluster exists.
 */
export const istioUnjudgedAtPreview: StackRule = {
    kind: "stack",
    name: "istio-unjudged-at-preview",
    description: "Advisory: Helm releases this preview shows no properties of (on a cluster the same update creates), which the stack rules on Istio cannot judge until the update's own preview.",
    enforcementLevel: "advisory",
    check(resources) {
        return resources
            .filter((r) => (r.type === HELM_RELEASE || r.type === HELM_CHART) && Object.keys(r.props).length === 0)
            .map((r) => ({
                urn: r.urn,
                message: `this preview shows nothing of ${r.name} (its cluster's provider is not configured yet): the hub, mTLS and webhook-firewall rules ` +
                    "judge it in the preview `pulumi up` runs first, and armfarm's mesh preflight reads its hub before anything is created",
            }));
    },
};

export const istioRules = { resource: [hubOverride], stack: [istioUnjudgedAtPreview] };
