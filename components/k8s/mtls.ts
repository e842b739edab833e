/** The mesh-wide mutual TLS policy. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MESH_NAMESPACES, MtlsMode } from "./istio-data";

/**
 * A `PeerAuthentication` named `default` in the root namespace applies to every workload of the mesh. Source:
 * istio.io, "PeerAuthentication" reference: a policy in the root namespace without a selector is mesh-wide. The
 * root namespace is the istiod chart's `meshConfig.rootNamespace`, by default `global.istioNamespace`, which the
 * mesh sets to MESH_NAMESPACES.control. The modes (MTLS_MODES, istio-data.ts) are the ones the policy pack accepts.
 */
export function meshPeerAuthentication(name: string, mode: MtlsMode, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(`${name}-mtls`, {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace: MESH_NAMESPACES.control, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        spec: { mtls: { mode } },
    }, opts);
}
