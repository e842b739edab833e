/** The mesh-wide mutual TLS policy. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MESH_NAMESPACES } from "./istio-data";

export const MTLS_MODES = ["STRICT", "PERMISSIVE"] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

/**
 * A `PeerAuthentication` named `default` in the root namespace applies to every workload of the mesh. Source:
 * istio.io, "PeerAuthentication" reference: a policy in the root namespace (`istio-system`) without a selector
 * is mesh-wide. STRICT refuses plain-text traffic between workloads; PERMISSIVE accepts both, for migrating
 * workloads that are not in the mesh yet.
 */
export function meshPeerAuthentication(name: string, mode: MtlsMode, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(`${name}-mtls`, {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace: MESH_NAMESPACES.control, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        spec: { mtls: { mode } },
    }, opts);
}
