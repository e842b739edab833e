/** Istio on the clusters: the hub override on every chart that runs Istio images, and STRICT mTLS. */
import { ResourceRule, StackRule, Subject } from "./rule";
import { at, isUnknown, record, show, text } from "./values";

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const HELM_CHART = "kubernetes:helm.sh/v4:Chart";
export const PEER_AUTHENTICATION_TYPES = [
    "kubernetes:security.istio.io/v1:PeerAuthentication",
    "kubernetes:security.istio.io/v1beta1:PeerAuthentication",
];

/**
 * Istio's Helm charts (https://istio-release.storage.googleapis.com/charts), and the ones whose pods run images
 * from `global.hub`: istiod (pilot, and the proxyv2 it injects), cni (install-cni) and ztunnel. The gateway
 * chart's pods take their proxy image from istiod's injection; base installs CRDs only. Source: the charts'
 * values.yaml of Istio 1.30.3 (`_internal_defaults_do_not_set.global.hub`).
 */
export const ISTIO_CHARTS = ["base", "istiod", "gateway", "cni", "ztunnel"] as const;
export const ISTIO_CHARTS_WITH_IMAGES = ["istiod", "cni", "ztunnel"] as const;

/** Istio's default mesh root namespace, where a mesh-wide PeerAuthentication lives. */
const DEFAULT_ROOT_NAMESPACE = "istio-system";

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

const weakModes = (spec: Record<string, any>): string[] => {
    const weak = ["PERMISSIVE", "DISABLE"];
    const found: string[] = [];
    const mode = record(spec.mtls).mode;
    if (weak.includes(mode)) found.push(`spec.mtls.mode is ${mode}`);
    for (const [port, setting] of Object.entries(record(spec.portLevelMtls))) {
        if (weak.includes(record(setting).mode)) found.push(`spec.portLevelMtls[${port}].mode is ${record(setting).mode}`);
    }
    return found;
};

export const noWeakPeerAuthentication: ResourceRule = {
    kind: "resource",
    name: "istio-no-permissive-mtls",
    description: "No PeerAuthentication weakens mTLS to PERMISSIVE or DISABLE.",
    enforcementLevel: "mandatory",
    types: PEER_AUTHENTICATION_TYPES,
    check(props) {
        return weakModes(record(props.spec)).map((w) => `${w}; the mesh requires STRICT mTLS (plain text would be accepted)`);
    },
};

function namespaceOf(r: Subject): string | undefined {
    return text(record(r.props.metadata).namespace);
}

export const strictMtls: StackRule = {
    kind: "stack",
    name: "istio-strict-mtls",
    description: "A stack that installs istiod also sets mesh-wide STRICT mTLS (a PeerAuthentication in the root namespace, without selector).",
    enforcementLevel: "mandatory",
    check(resources) {
        const istiods = resources.filter((r) => istioChartOf(r) === "istiod");
        const meshWideStrict = (root: string) => resources.some((r) =>
            PEER_AUTHENTICATION_TYPES.includes(r.type) && namespaceOf(r) === root &&
            record(r.props.spec).selector === undefined && record(record(r.props.spec).mtls).mode === "STRICT");
        return istiods.flatMap((istiod) => {
            const root = text(at(istiod.props.values, "meshConfig.rootNamespace")) ?? text(istiod.props.namespace) ?? DEFAULT_ROOT_NAMESPACE;
            return meshWideStrict(root) ? [] : [{
                urn: istiod.urn,
                message: `istiod ${show(istiod.name)} has no mesh-wide STRICT PeerAuthentication in its root namespace ${show(root)}; ` +
                    "add one (no selector, spec.mtls.mode STRICT) so that workloads accept mTLS only",
            }];
        });
    },
};

export const istioRules = { resource: [hubOverride, noWeakPeerAuthentication], stack: [strictMtls] };
