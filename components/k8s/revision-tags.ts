/**
 * Revision tags, the way istio.io's Helm upgrade guide manages them (docs/setup/upgrade/helm, "Stable revision
 * labels"): the istiod chart's revision-tags template rendered once per tag for the revision it points to, and
 * applied as an object no Helm release owns. Moving a tag re-renders it for the new revision and updates the same
 * object in place, so the tag's webhook never stops existing: pods created while a tag moves are injected by
 * one revision or the other, never by none.
 *
 * The document follows istio/istio@1.30.3:manifests/charts/istio-control/istio-discovery/templates/
 * revision-tags-mwc.yaml with the chart's defaults (values.yaml: istiodRemote.injectionPath `/inject`, no
 * injectionURL or injectionCABundle, sidecarInjectorWebhook.reinvocationPolicy `Never`,
 * enableNamespacesByDefault false). No caBundle is rendered: istiod patches its CA into every webhook
 * configuration labelled with its revision (pkg/webhooks/webhookpatch.go, patchMutatingWebhookConfig), a field
 * Pulumi does not manage and so never shows as a diff.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MESH_NAMESPACES } from "./istio-data";

/** The revision a tag points to: its name (`1-30-3`) and version (`1.30.3`). */
export interface TagTarget {
    revision: string;
    version: string;
}

type Requirement = { key: string; operator: string; values?: string[] };
const req = (key: string, operator: string, ...values: string[]): Requirement => (values.length ? { key, operator, values } : { key, operator });

/**
 * The webhook configuration's name. istiod finds the `default` tag by it (pkg/revisions/tag_watcher.go,
 * default_watcher.go: `istio-revision-tag-default`); the template adds the namespace outside istio-system.
 */
export function revisionTagName(tag: string, istioNamespace: string = MESH_NAMESPACES.control): string {
    return istioNamespace === "istio-system" ? `istio-revision-tag-${tag}` : `istio-revision-tag-${tag}-${istioNamespace}`;
}

/** The MutatingWebhookConfiguration of `tag`, injecting pods through `target`'s istiod. */
export function revisionTagWebhooks(tag: string, target: TagTarget, istioNamespace: string = MESH_NAMESPACES.control) {
    const injector = (prefix: string, namespaceSelector: Requirement[], objectSelector: Requirement[]) => ({
        name: `${prefix}sidecar-injector.istio.io`,
        clientConfig: { service: { name: `istiod-${target.revision}`, namespace: istioNamespace, path: "/inject", port: 443 } },
        sideEffects: "None",
        rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
        failurePolicy: "Fail",
        reinvocationPolicy: "Never",
        admissionReviewVersions: ["v1"],
        namespaceSelector: { matchExpressions: namespaceSelector },
        objectSelector: { matchExpressions: objectSelector },
    });
    const notOptedOut = req("sidecar.istio.io/inject", "NotIn", "false");
    const webhooks = [
        // Namespaces labelled istio.io/rev=<tag>, and pods labelled so in namespaces without a label.
        injector("rev.namespace.", [req("istio.io/rev", "In", tag), req("istio-injection", "DoesNotExist")], [notOptedOut]),
        injector("rev.object.", [req("istio.io/rev", "DoesNotExist"), req("istio-injection", "DoesNotExist")],
            [notOptedOut, req("istio.io/rev", "In", tag)]),
    ];
    if (tag === "default") {
        // The default tag also takes the legacy selectors: istio-injection=enabled, and sidecar.istio.io/inject=true.
        webhooks.push(
            injector("namespace.", [req("istio-injection", "In", "enabled")], [notOptedOut]),
            injector("object.", [req("istio-injection", "DoesNotExist"), req("istio.io/rev", "DoesNotExist")],
                [req("sidecar.istio.io/inject", "In", "true"), req("istio.io/rev", "DoesNotExist")]),
        );
    }
    return {
        apiVersion: "admissionregistration.k8s.io/v1" as const,
        kind: "MutatingWebhookConfiguration" as const,
        metadata: {
            name: revisionTagName(tag, istioNamespace),
            // The template's labels, less those that name a Helm release (no release owns this object).
            // istio.io/tag and istio.io/rev are what istiod and istioctl read.
            labels: {
                "istio.io/tag": tag,
                "istio.io/rev": target.revision,
                "install.operator.istio.io/owning-resource": "unknown",
                "operator.istio.io/component": "Pilot",
                app: "sidecar-injector",
                "app.kubernetes.io/name": "istiod",
                "app.kubernetes.io/part-of": "istio",
                "app.kubernetes.io/version": target.version,
                "app.kubernetes.io/managed-by": "pulumi",
            },
        },
        webhooks,
    };
}

/**
 * One webhook configuration per tag, all pointing to the default revision. They wait for every istiod release:
 * the target must serve before pods are sent to it, and a release that still renders a tag (a stack made before
 * the mesh owned its tags) must have dropped it before this object takes its name.
 */
export function createRevisionTags(name: string, tags: readonly string[], target: TagTarget,
    opts: pulumi.CustomResourceOptions): k8s.admissionregistration.v1.MutatingWebhookConfiguration[] {
    return tags.map((tag) => new k8s.admissionregistration.v1.MutatingWebhookConfiguration(`${name}-tag-${tag}`,
        revisionTagWebhooks(tag, target), opts));
}
