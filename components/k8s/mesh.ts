import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KubeArch, KUBE_ARCHES } from "../arch";
import { VerifiedImage } from "../registry";
import {
    DEFAULT_ISTIO_VERSION, GATEWAY_NAME, ISTIO_CHARTS, ISTIO_VARIANTS, ISTIO_VERSION, ISTIO_VERSION_ACCEPTED,
    IstioVariant, isMultiArchIstio, MESH_IMAGES, MESH_NAMESPACES, variantTag,
} from "./istio-data";
import { meshPeerAuthentication, MtlsMode, MTLS_MODES } from "./mtls";
import { runPreflight } from "./preflight";
import { createIstiod, KeptRevision, planRevisions, releaseCommon, RevisionSpec } from "./revisions";
import { baseValues, cniValues, gatewayValues, Placement } from "./values";

export const CONTROL_PLANE_ARCHES = ["any", "amd64", "arm64"] as const;
export type ControlPlaneArch = (typeof CONTROL_PLANE_ARCHES)[number];

export interface IstioMeshArgs {
    /** The hub every Istio image is pulled from (`global.hub`), such as the build's ECR hub. Required. */
    hub: pulumi.Input<string>;
    /** The image tag of the active revision (`global.tag`). Required. */
    tag: pulumi.Input<string>;
    /** The Istio version of the active revision: chart versions, revision name. Default `1.30.3`. */
    istioVersion?: string;
    /** Image variant (`global.variant`): `distroless`, `debug` or empty for the default images. Default `distroless`. */
    variant?: IstioVariant;
    /** Install the Istio CNI node agent (no privileged init containers in workload pods). Default false. */
    cni?: boolean;
    /** `global.platform` for the CNI chart's platform profile, `gke` on GKE; empty for none. Default `gke`. */
    platform?: string;
    /** Mesh-wide mTLS: `STRICT`, or `PERMISSIVE` while workloads migrate into the mesh. Default `STRICT`. */
    mtlsMode?: MtlsMode;
    /** Where istiod and the gateway run: `any` architecture of the cluster, or pinned to `amd64` or `arm64`. Default `any`. */
    controlPlaneArch?: ControlPlaneArch;
    /** The architectures of the cluster's node pools; every image must hold each. Default amd64 and arm64. */
    nodeArchitectures?: pulumi.Input<KubeArch[]>;
    /** Fewest replicas of istiod and of the gateway (autoscaling floor), at least 2. Default 2. */
    minReplicas?: number;
    /** Most replicas of istiod and of the gateway (autoscaling ceiling). Default 5. */
    maxReplicas?: number;
    /** Revision tags the active revision serves (`default` also takes `istio-injection=enabled`). Default `["default"]`. */
    revisionTags?: string[];
    /** Earlier versions whose control planes keep running beside the active one until namespaces move. Default none. */
    keepRevisions?: KeptRevision[];
    /** The cluster to install on. Default: the default kubernetes provider (`kubernetes:context`, KUBECONFIG). */
    provider?: k8s.Provider;
}

/** The image each workload of the active revision pulls, as `hub/image:tag`. */
export interface MeshImages {
    istiod: string;
    sidecar: string;
    init: string;
    gateway: string;
    cni?: string;
}

/**
 * Istio on a mixed-arch cluster, from Istio's Helm charts with a hub override: a preflight that every image is
 * multi-arch for the cluster's architectures, then base (CRDs) → istiod per revision → gateway, the CNI agent
 * when asked, and a mesh-wide PeerAuthentication. istiod and the gateway tolerate the arm64 taint, spread over
 * architectures and zones, autoscale from at least two replicas and carry PodDisruptionBudgets.
 */
export class IstioMesh extends pulumi.ComponentResource {
    /** The active control plane revision, such as `1-30-3` (label namespaces `istio.io/rev=<revision>`). */
    public readonly revision: string;
    /** Every revision the stack runs, active first. */
    public readonly revisions: string[];
    /** The revision tags that point at the active revision. */
    public readonly revisionTags: string[];
    /** The ingress gateway's Service: namespace, name, type and load balancer address. */
    public readonly gatewayService: pulumi.Output<{ namespace: string; name: string; type: string; address: string }>;
    /** The image reference each workload of the active revision pulls. */
    public readonly images: pulumi.Output<MeshImages>;
    /** What the preflight verified: platforms and per-platform digests of each image of the active revision. */
    public readonly verifiedImages: pulumi.Output<Record<string, VerifiedImage>>;
    /** The mesh-wide mTLS mode. */
    public readonly mtlsMode: MtlsMode;

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:k8s:IstioMesh", name, args, opts);
        const s = validate(args);
        const revisions = planRevisions({ version: s.istioVersion, tag: args.tag }, s.keepRevisions);
        const active = revisions[0];
        // What the mesh's own `dependsOn` names (the stack's image build) holds back its preflight's registry reads
        // and its first release, and with it every other, which all come after base.
        const after = opts?.dependsOn;
        const child: pulumi.CustomResourceOptions = { parent: this, ...(args.provider ? { provider: args.provider } : {}) };
        const invokeOpts: pulumi.InvokeOutputOptions = { parent: this, dependsOn: after };

        const checks = revisions.map((r, i) => runPreflight({
            hub: args.hub, tag: pulumi.output(r.tag).apply((t) => variantTag(t, s.variant)),
            cni: i === 0 && s.cni, nodeArchitectures: s.nodeArchitectures,
        }, invokeOpts));
        const allChecks = pulumi.all(checks).apply((results) => results[0]);

        const base = createBase(name, active, allChecks, { ...child, dependsOn: after });
        const cni = s.cni ? createCni(name, active, args.hub, s.variant, s.platform, allChecks, { ...child, dependsOn: [base] }) : undefined;
        const istiods = createControlPlanes(name, revisions, s, args.hub, checks, [base, ...(cni ? [cni] : [])], child);
        const gateway = createGateway(name, active, s.placement, allChecks, { ...child, dependsOn: [istiods[0]] });
        meshPeerAuthentication(name, s.mtlsMode, { ...child, dependsOn: [istiods[0]] });

        this.revision = active.revision;
        this.revisions = revisions.map((r) => r.revision);
        this.revisionTags = s.revisionTags;
        this.mtlsMode = s.mtlsMode;
        this.verifiedImages = checks[0];
        this.images = imageReferences(args.hub, args.tag, s.variant, s.cni);
        this.gatewayService = readGatewayService(name, gateway, child);
        this.registerOutputs({
            revision: this.revision, revisions: this.revisions, revisionTags: this.revisionTags,
            gatewayService: this.gatewayService, images: this.images, verifiedImages: this.verifiedImages,
        });
    }
}

interface Settings {
    istioVersion: string;
    variant: IstioVariant;
    cni: boolean;
    platform: string;
    mtlsMode: MtlsMode;
    nodeArchitectures: pulumi.Input<KubeArch[]>;
    placement: Placement;
    revisionTags: string[];
    keepRevisions: KeptRevision[];
}

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Applies defaults and refuses what would install a broken or unschedulable mesh. */
function validate(args: IstioMeshArgs): Settings {
    const istioVersion = args.istioVersion ?? DEFAULT_ISTIO_VERSION;
    for (const [path, version] of [["istioVersion", istioVersion], ...(args.keepRevisions ?? []).map((k) => ["keepRevisions", k.version])]) {
        if (!ISTIO_VERSION.test(version)) invalid(path, `${JSON.stringify(version)} is not ${ISTIO_VERSION_ACCEPTED}`);
        if (!isMultiArchIstio(version)) invalid(path, `${version} publishes no arm64 images; use Istio 1.15 or later`);
    }
    const variant = args.variant ?? "distroless";
    if (!ISTIO_VARIANTS.includes(variant)) invalid("variant", `${JSON.stringify(variant)} is not one of distroless, debug or empty`);
    const mtlsMode = args.mtlsMode ?? "STRICT";
    if (!MTLS_MODES.includes(mtlsMode)) invalid("mtlsMode", `${JSON.stringify(mtlsMode)} is not one of ${MTLS_MODES.join(", ")}`);
    const controlPlaneArch = args.controlPlaneArch ?? "any";
    if (!CONTROL_PLANE_ARCHES.includes(controlPlaneArch)) invalid("controlPlaneArch", `${JSON.stringify(controlPlaneArch)} is not one of ${CONTROL_PLANE_ARCHES.join(", ")}`);
    const minReplicas = args.minReplicas ?? 2;
    const maxReplicas = args.maxReplicas ?? 5;
    if (!Number.isInteger(minReplicas) || minReplicas < 2) invalid("minReplicas", `${minReplicas} leaves the mesh without a spare during a disruption; use 2 or more`);
    if (!Number.isInteger(maxReplicas) || maxReplicas < minReplicas) invalid("maxReplicas", `${maxReplicas} is below minReplicas ${minReplicas}`);
    const revisionTags = args.revisionTags ?? ["default"];
    for (const tag of revisionTags) {
        if (!DNS_LABEL.test(tag)) invalid("revisionTags", `${JSON.stringify(tag)} is not a DNS label (lowercase letters, digits and -)`);
    }
    const nodeArchitectures = args.nodeArchitectures ?? [...KUBE_ARCHES];
    const staticArches = Array.isArray(nodeArchitectures) && nodeArchitectures.every((a) => typeof a === "string")
        ? nodeArchitectures as KubeArch[] : undefined;
    if (staticArches && (staticArches.length === 0 || staticArches.some((a) => !KUBE_ARCHES.includes(a)))) {
        invalid("nodeArchitectures", `${JSON.stringify(staticArches)} must list one or more of ${KUBE_ARCHES.join(", ")}`);
    }
    if (controlPlaneArch !== "any" && staticArches && !staticArches.includes(controlPlaneArch)) {
        invalid("controlPlaneArch", `${controlPlaneArch} is not among the cluster's architectures ${staticArches.join(", ")}`);
    }
    const arches: KubeArch[] = controlPlaneArch !== "any" ? [controlPlaneArch] : staticArches ?? [...KUBE_ARCHES];
    return {
        istioVersion, variant, cni: args.cni ?? false, platform: args.platform ?? "gke", mtlsMode, nodeArchitectures,
        placement: { arches, minReplicas, maxReplicas }, revisionTags, keepRevisions: args.keepRevisions ?? [],
    };
}

/** Gates a value on the preflight: it resolves only once every image was verified. */
function afterPreflight<T>(preflight: pulumi.Output<unknown>, value: T): pulumi.Output<T> {
    return preflight.apply(() => value);
}

/**
 * `base`: the CRDs and the default validator, at the active version (Istio's CRDs stay compatible with the
 * previous minor, so base moves first and older revisions keep working). Not named by revision: one per
 * cluster, upgraded in place.
 */
function createBase(name: string, active: RevisionSpec, preflight: pulumi.Output<unknown>, opts: pulumi.CustomResourceOptions) {
    return new k8s.helm.v3.Release(`${name}-base`, {
        ...releaseCommon(ISTIO_CHARTS.base, active.version),
        name: "istio-base",
        namespace: MESH_NAMESPACES.control,
        createNamespace: true,
        values: afterPreflight(preflight, baseValues(active.revision)),
    }, opts);
}

/** The CNI node agent: one DaemonSet on every node of every architecture, upgraded in place. */
function createCni(name: string, active: RevisionSpec, hub: pulumi.Input<string>, variant: IstioVariant, platform: string,
    preflight: pulumi.Output<unknown>, opts: pulumi.CustomResourceOptions) {
    return new k8s.helm.v3.Release(`${name}-cni`, {
        ...releaseCommon(ISTIO_CHARTS.cni, active.version),
        name: "istio-cni",
        namespace: MESH_NAMESPACES.cni,
        values: pulumi.all([preflight, hub, active.tag]).apply(([, h, tag]) =>
            cniValues({ revision: active.revision, images: { hub: h, tag, variant }, platform: platform || undefined })),
    }, opts);
}

/**
 * One istiod per revision, each after base (and the CNI agent). The active one also waits for the kept ones,
 * so that revision tags leave the old release before the new one claims them.
 */
function createControlPlanes(name: string, revisions: RevisionSpec[], s: Settings, hub: pulumi.Input<string>,
    checks: pulumi.Output<Record<string, VerifiedImage>>[], after: pulumi.Resource[], opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release[] {
    const make = (spec: RevisionSpec, i: number, dependsOn: pulumi.Resource[]) => createIstiod(name, spec, {
        active: i === 0, revisionTags: s.revisionTags, hub, variant: s.variant, placement: s.placement, cni: s.cni, preflight: checks[i],
    }, { ...opts, dependsOn });
    const kept = revisions.slice(1).map((spec, i) => make(spec, i + 1, after));
    return [make(revisions[0], 0, [...after, ...kept]), ...kept];
}

/** The ingress gateway, after the active istiod is ready (its pods are injected by that revision). */
function createGateway(name: string, active: RevisionSpec, placement: Placement, preflight: pulumi.Output<unknown>, opts: pulumi.CustomResourceOptions) {
    return new k8s.helm.v3.Release(`${name}-gateway`, {
        ...releaseCommon(ISTIO_CHARTS.gateway, active.version),
        name: GATEWAY_NAME,
        namespace: MESH_NAMESPACES.gateway,
        createNamespace: true,
        values: afterPreflight(preflight, gatewayValues({ revision: active.revision, placement })),
    }, opts);
}

/** The image references of the active revision, with the variant suffix the charts add. */
function imageReferences(hub: pulumi.Input<string>, tag: pulumi.Input<string>, variant: IstioVariant, cni: boolean): pulumi.Output<MeshImages> {
    return pulumi.all([hub, tag]).apply(([h, t]) => {
        const ref = (image: string) => `${h}/${image}:${variantTag(t, variant)}`;
        return {
            istiod: ref(MESH_IMAGES.istiod),
            sidecar: ref(MESH_IMAGES.sidecar),
            init: ref(MESH_IMAGES.init),
            gateway: ref(MESH_IMAGES.gateway),
            ...(cni ? { cni: ref(MESH_IMAGES.cni) } : {}),
        };
    });
}

/**
 * The gateway's Service, read back from the cluster once the release exists. Its id comes from the release's
 * status, which is unknown while the release is still to be created, so a first preview skips the read
 * instead of failing on a Service that does not exist yet.
 */
function readGatewayService(name: string, gateway: k8s.helm.v3.Release, opts: pulumi.CustomResourceOptions) {
    const service = k8s.core.v1.Service.get(`${name}-gateway-service`,
        pulumi.interpolate`${gateway.status.namespace}/${gateway.status.name}`, { ...opts, dependsOn: [gateway] });
    // The chart names the Service after the release, in the release's namespace.
    return pulumi.all([gateway.status, service.spec, service.status]).apply(([release, spec, status]) => {
        const ingress = status?.loadBalancer?.ingress?.[0];
        return {
            namespace: release.namespace,
            name: release.name,
            type: spec?.type ?? "LoadBalancer",
            address: ingress?.ip ?? ingress?.hostname ?? "",
        };
    });
}
