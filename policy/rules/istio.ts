/** Istio on the clusters: which releases are Istio's charts, and the hub override on those that run images. */
import { ResourceRule, Subject } from "./rule";
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

/** The hub an Istio release overrides (`values.global.hub`), `undefined` when it sets none, `null` when unknown. */
export function hubOf(props: Record<string, any>): string | undefined | null {
    const hub = at(props.values, "global.hub");
    if (isUnknown(hub)) return null;
    return text(hub)?.replace(/\/+$/, "");
}

export const hubOverride: ResourceRule = {
    kind: "resource",
    name: "istio-hub-override",
    description: `Istio charts that run images (${ISTIO_CHARTS_WITH_IMAGES.join(", ")}) set values.global.hub, so that no pod pulls from the chart's default hub.`,
    enforcementLevel: "mandatory",
    types: [HELM_RELEASE, HELM_CHART],
    check(props, subject) {
        const chart = istioChartOf(subject);
        if (!chart || !(ISTIO_CHARTS_WITH_IMAGES as readonly string[]).includes(chart)) return [];
        return hubOf(props) === undefined
            ? [`the ${chart} chart has no values.global.hub; set it (and global.tag) to the hub armfarm published, or pods pull single-arch defaults`]
            : [];
    },
};

export const istioRules = { resource: [hubOverride] };
