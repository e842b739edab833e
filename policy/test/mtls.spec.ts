import * as assert from "assert";
import { HELM_RELEASE } from "../rules/istio";
import { meshWideMtls, noPlaintextMtls, permissiveMtls, rootNamespaceOf } from "../rules/mtls";
import { cover, resource, stackViolations, violations } from "./cases";

const ISTIO_REPO = { repo: "https://istio-release.storage.googleapis.com/charts" };
const istiod = (values: Record<string, any> = {}, namespace = "istio-system") =>
    resource(HELM_RELEASE, { chart: "istiod", namespace, repositoryOpts: ISTIO_REPO, values }, "mesh-istiod");
const peerAuth = (mode: string, props: Record<string, any> = {}) => resource("kubernetes:security.istio.io/v1:PeerAuthentication", {
    apiVersion: "security.istio.io/v1", kind: "PeerAuthentication",
    metadata: { name: "default", namespace: "istio-system" }, spec: { mtls: { mode } }, ...props,
});

describe("policy: mTLS", () => {
    it("refuses a PeerAuthentication that turns mTLS off, mesh-wide or on a port", () => {
        cover(noPlaintextMtls);
        for (const mode of ["STRICT", "PERMISSIVE", "UNSET"]) assert.deepStrictEqual(violations(noPlaintextMtls, peerAuth(mode)), [], mode);
        assert.match(violations(noPlaintextMtls, peerAuth("DISABLE"))[0], /spec.mtls.mode is DISABLE; the mesh accepts STRICT or PERMISSIVE/);
        const portLevel = peerAuth("STRICT", { spec: { mtls: { mode: "STRICT" }, portLevelMtls: { 8080: { mode: "DISABLE" } } } });
        assert.match(violations(noPlaintextMtls, portLevel)[0], /spec.portLevelMtls\[8080\].mode is DISABLE/);
    });

    it("advises on PERMISSIVE, which still accepts plain text", () => {
        cover(permissiveMtls);
        assert.strictEqual(permissiveMtls.enforcementLevel, "advisory");
        assert.match(violations(permissiveMtls, peerAuth("PERMISSIVE"))[0], /spec.mtls.mode is PERMISSIVE: plain text is still accepted/);
        assert.deepStrictEqual(violations(permissiveMtls, peerAuth("STRICT")), []);
    });

    it("requires a mesh-wide PeerAuthentication in the root namespace istiod configures", () => {
        cover(meshWideMtls);
        assert.deepStrictEqual(stackViolations(meshWideMtls, [istiod(), peerAuth("STRICT")]), []);
        assert.deepStrictEqual(stackViolations(meshWideMtls, [istiod(), peerAuth("PERMISSIVE")]), []);
        assert.match(stackViolations(meshWideMtls, [istiod()])[0], /istiod "mesh-istiod" has no mesh-wide PeerAuthentication in its root namespace "istio-system"/);
        // In another namespace, or with a selector, it is not mesh-wide; DISABLE is no mesh-wide mTLS.
        const elsewhere = peerAuth("STRICT", { metadata: { name: "default", namespace: "apps" } });
        const selected = peerAuth("STRICT", { spec: { selector: { matchLabels: { app: "a" } }, mtls: { mode: "STRICT" } } });
        assert.strictEqual(stackViolations(meshWideMtls, [istiod(), elsewhere, selected, peerAuth("DISABLE")]).length, 1);
        assert.deepStrictEqual(stackViolations(meshWideMtls, [peerAuth("STRICT")]), [], "no istiod, nothing to require");
    });

    it("reads the root namespace as the istiod chart does: meshConfig.rootNamespace, else global.istioNamespace", () => {
        // istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/configmap.yaml:
        // rootNamespace: {{ .Values.meshConfig.rootNamespace | default .Values.global.istioNamespace }}; values.yaml
        // defaults global.istioNamespace to istio-system. The release's own namespace plays no part.
        assert.strictEqual(rootNamespaceOf({ meshConfig: { rootNamespace: "mesh-root" }, global: { istioNamespace: "istio-control" } }), "mesh-root");
        assert.strictEqual(rootNamespaceOf({ global: { istioNamespace: "istio-control" } }), "istio-control");
        assert.strictEqual(rootNamespaceOf({}), "istio-system");
        assert.strictEqual(rootNamespaceOf({ global: { istioNamespace: "[unknown]" } }), null, "not known yet: nothing to judge");
        const inControl = istiod({ global: { istioNamespace: "istio-control" } }, "istiod-releases");
        const pa = (namespace: string) => peerAuth("STRICT", { metadata: { name: "default", namespace } });
        assert.deepStrictEqual(stackViolations(meshWideMtls, [inControl, pa("istio-control")]), []);
        assert.match(stackViolations(meshWideMtls, [inControl, pa("istiod-releases")])[0], /root namespace "istio-control"/);
    });
});
