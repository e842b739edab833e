/**
 * What the pack knows of the mesh, kept inside the pack so that it stands alone. The program defines the same
 * facts, with their sources: MTLS_MODES, PLAINTEXT_TOLERANT_MTLS_MODES, INHERIT_MTLS_MODE and
 * DEFAULT_ISTIO_NAMESPACE in components/k8s/istio-data.ts, MESH_WEBHOOK_PORT in components/gcp/gke-data.ts;
 * test/policy-standalone.spec.ts checks that the two agree.
 */

/** The mesh-wide mTLS modes armfarm offers: STRICT, and PERMISSIVE for workloads on their way into the mesh. */
export const MTLS_MODES = ["STRICT", "PERMISSIVE"] as const;
/** Of those, the modes that still accept plain text: allowed, and reported as advice. */
export const PLAINTEXT_TOLERANT_MTLS_MODES: readonly string[] = ["PERMISSIVE"];
/** What a PeerAuthentication may say besides the offered modes: inherit from the parent scope. */
export const INHERIT_MTLS_MODE = "UNSET";
/** The mesh's root namespace when istiod's values name none (`global.istioNamespace`'s default). */
export const DEFAULT_ISTIO_NAMESPACE = "istio-system";
/** The port istiod serves its webhooks on, which a private GKE control plane must reach on the nodes. */
export const MESH_WEBHOOK_PORT = 15017;
