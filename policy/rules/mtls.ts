/**
 * Mutual TLS in the mesh, held to the same modes the stack config offers (MTLS_MODES, components/k8s/
 * istio-data.ts): every istiod has a mesh-wide PeerAuthentication in its root namespace, no PeerAuthentication
 * turns mTLS off, and one that still accepts plain text (PERMISSIVE, for workloads migrating into the mesh) is
 * reported as advice. So a stack the config accepts passes the pack's mandatory rules.
 */
import { istioChartOf } from "./istio";
import { DEFAULT_ISTIO_NAMESPACE, INHERIT_MTLS_MODE, MTLS_MODES, PLAINTEXT_TOLERANT_MTLS_MODES } from "./mesh-data";
import { ResourceRule, StackRule, Subject } from "./rule";
import { at, isUnknown, record, show, text } from "./values";

export const PEER_AUTHENTICATION_TYPES = [
    "kubernetes:security.istio.io/v1:PeerAuthentication",
    "kubernetes:security.istio.io/v1beta1:PeerAuthentication",
];

const ACCEPTED: readonly string[] = [...MTLS_MODES, INHERIT_MTLS_MODE];

/** Every mode a PeerAuthentication sets, mesh-wide and per port, with where it says it. */
function modesOf(spec: Record<string, any>): { where: string; mode: string }[] {
    const found: { where: string; mode: string }[] = [];
    const mode = text(record(spec.mtls).mode);
    if (mode) found.push({ where: "spec.mtls.mode", mode });
    for (const [port, setting] of Object.entries(record(spec.portLevelMtls))) {
        const m = text(record(setting).mode);
        if (m) found.push({ where: `spec.portLevelMtls[${port}].mode`, mode: m });
    }
    return found;
}

export const noPlaintextMtls: ResourceRule = {
    kind: "resource",
    name: "istio-no-plaintext-mtls",
    description: `No PeerAuthentication sets a mode outside ${ACCEPTED.join(", ")} (DISABLE would accept plain text only).`,
    enforcementLevel: "mandatory",
    types: PEER_AUTHENTICATION_TYPES,
    check(props) {
        return modesOf(record(props.spec)).filter((m) => !ACCEPTED.includes(m.mode)).map((m) =>
            `${m.where} is ${m.mode}; the mesh accepts ${MTLS_MODES.join(" or ")} (armfarm:meshMtlsMode), so that no workload speaks plain text only`);
    },
};

export const permissiveMtls: ResourceRule = {
    kind: "resource",
    name: "istio-permissive-mtls",
    description: "Advisory: PeerAuthentications that still accept plain text (PERMISSIVE), meant for the time workloads migrate into the mesh.",
    enforcementLevel: "advisory",
    types: PEER_AUTHENTICATION_TYPES,
    check(props) {
        return modesOf(record(props.spec)).filter((m) => (PLAINTEXT_TOLERANT_MTLS_MODES as readonly string[]).includes(m.mode)).map((m) =>
            `${m.where} is ${m.mode}: plain text is still accepted; set STRICT once every workload has a sidecar`);
    },
};

/**
 * The root namespace an istiod release configures: `meshConfig.rootNamespace`, else `global.istioNamespace`, as
 * the istiod chart's configmap.yaml defaults it (istio/istio@1.30.3), else the chart's own default. Null when a
 * value it depends on is not known yet.
 */
export function rootNamespaceOf(values: unknown): string | null {
    for (const path of ["meshConfig.rootNamespace", "global.istioNamespace"]) {
        const value = at(values, path);
        if (isUnknown(value)) return null;
        if (text(value)) return text(value)!;
    }
    return DEFAULT_ISTIO_NAMESPACE;
}

const namespaceOf = (r: Subject) => text(record(r.props.metadata).namespace);

export const meshWideMtls: StackRule = {
    kind: "stack",
    name: "istio-mesh-wide-mtls",
    description: `A stack that installs istiod also sets mesh-wide mTLS: a PeerAuthentication without selector in the root namespace, mode ${MTLS_MODES.join(" or ")}.`,
    enforcementLevel: "mandatory",
    check(resources) {
        const meshWide = (root: string) => resources.some((r) => PEER_AUTHENTICATION_TYPES.includes(r.type) && namespaceOf(r) === root &&
            record(r.props.spec).selector === undefined && (MTLS_MODES as readonly string[]).includes(record(record(r.props.spec).mtls).mode));
        return resources.filter((r) => istioChartOf(r) === "istiod").flatMap((istiod) => {
            const root = rootNamespaceOf(istiod.props.values);
            return root === null || meshWide(root) ? [] : [{
                urn: istiod.urn,
                message: `istiod ${show(istiod.name)} has no mesh-wide PeerAuthentication in its root namespace ${show(root)} ` +
                    `(meshConfig.rootNamespace, by default global.istioNamespace); add one without selector, spec.mtls.mode ${MTLS_MODES.join(" or ")}`,
            }];
        });
    },
};

export const mtlsRules = { resource: [noPlaintextMtls, permissiveMtls], stack: [meshWideMtls] };
