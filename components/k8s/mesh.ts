import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KubeArch, KUBE_ARCHES } from "../arch";
import { VerifiedImage } from "../registry";
import {
    DEFAULT_ISTIO_VERSION, GATEWAY_NAME, GATEWAY_SERVICES, GatewayService, ISTIO_CHARTS, ISTIO_VARIANTS, ISTIO_VERSION,
    ISTIO_VERSION_ACCEPTED, IstioVariant, isMultiArchIstio, MESH_IMAGES, MESH_NAMESPACES, MtlsMode, MTLS_MODES, variantTag,
} from "./istio-data";
import { meshPeerAuthentication } from "./mtls";
import { preflightGate, runPreflight } from "./preflight";
import { createRevisionTags } from "./revision-tags";
import { createIstiod, defaultRevisionOf, KeptRevision, planRevisions, releaseCommon, RevisionSpec } from "./revisions";
import { baseValues, cniValues, gatewayValues, Placement } from "./values";

export const CONTROL_PLANE_ARCHES = ["any", "amd64", "arm64"] as const;
export type ControlPlaneArch = (typeof CONTROL_PLANE_ARCHES)[number];

export interface IstioMeshArgs {
    /** The hub every Istio image is pulled from (`global.hub`), such as the build's ECR hub. Required. */
    hub: pulumi.Input<string>;
    /** The image tag of the installed version's revision (`global.tag`). Required. */
    tag: pulumi.Input<string>;
    /** The Istio version to install, as its own revision; also the base and CNI charts' version. Default `1.30.3`. */
    istioVersion?: string;
    /**
     * The version whose revision the revision tags and base's `defaultRevision` (the default validator) point to,
     * and that injects the gateway: `istioVersion` or one of `keepRevisions`. Moving it is the upgrade's explicit,
     * later step. Default: the only version, or the one kept beside `istioVersion` (installing never moves it).
     */
    defaultVersion?: string;
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
    /** Pods of each istiod and of the gateway, from the first rollout on; at least 2. Default 2. */
    replicas?: number;
    /** Revision tags, all pointing to the default revision (`default` also takes `istio-injection=enabled`). Default `["default"]`. */
    revisionTags?: string[];
    /** Earlier versions whose control planes keep running beside the installed one. Default none. */
    keepRevisions?: KeptRevision[];
    /**
     * The ingress gateway's Service: `external` (a public load balancer), `internal` (GKE's internal passthrough
     * load balancer; needs `platform: gke`) or `none` (no gateway release). Default `external`.
     */
    gatewayService?: GatewayService;
    /** The cluster to install on. Default: the default kubernetes provider (`kubernetes:context`, KUBECONFIG). */
    provider?: k8s.Provider;
    /**
     * What every release waits for before it installs: the node pools istiod and the gateway schedule onto, and
     * the firewall rule that lets the control plane reach istiod's webhooks. An element may be an Output of a list
     * of resources, read as the list (as `dependsOn` reads it). Default none (a cluster made elsewhere).
     */
    waitFor?: pulumi.Input<pulumi.Resource>[];
}

/** The image each workload of the installed revision pulls (the gateway: of the default revision), as `hub/image:tag`. */
export interface MeshImages {
    istiod: string;
    sidecar: string;
    init: string;
    /** Absent without a gateway (`gatewayService: none`). */
    gateway?: string;
    cni?: string;
}

/**
 * Istio on a mixed-arch cluster, from Istio's Helm charts with a hub override: a preflight that every image is
 * multi-arch for the cluster's architectures, then base (CRDs) → istiod per revision → gateway, the CNI agent
 * when asked, the revision tags, and a mesh-wide PeerAuthentication. istiod and the gateway tolerate the arm64
 * taint, spread over architectures and zones, run at least two replicas and carry PodDisruptionBudgets.
 *
 * Upgrades follow istio.io's Helm canary upgrade: a new version installs as its own revision beside the kept
 * ones; the revision tags, base's default revision and the gateway stay on the default version until the stack
 * names another (`defaultVersion`).
 */
export class IstioMesh extends pulumi.ComponentResource {
    /** The installed version's revision, such as `1-30-3` (label namespaces `istio.io/rev=<revision>`). */
    public readonly revision: string;
    /** The revision the revision tags, the default validator and the gateway point to. */
    public readonly defaultRevision: string;
    /** Every revision the stack runs, the installed one first. */
    public readonly revisions: string[];
    /** The revision tags, all pointing to the default revision. */
    public readonly revisionTags: string[];
    /** The ingress gateway's Service: namespace, name, type and load balancer address; undefined without a gateway. */
    public readonly gatewayService?: pulumi.Output<{ namespace: string; name: string; type: string; address: string }>;
    /** The image each workload pulls: the installed revision's, and the gateway the default revision injects. */
    public readonly images: pulumi.Output<MeshImages>;
    /** What the preflight verified: platforms and per-platform digests of each image of the installed revision. */
    public readonly verifiedImages: pulumi.Output<Record<string, VerifiedImage>>;
    /** The mesh-wide mTLS mode. */
    public readonly mtlsMode: MtlsMode;

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:k8s:IstioMesh", name, args, opts);
        const s = validate(args);
        const revisions = planRevisions({ version: s.istioVersion, tag: args.tag }, s.keepRevisions);
        const [installed, target] = [revisions[0], defaultRevisionOf(revisions, args.defaultVersion)];
        checkTags(s.revisionTags, revisions);
        // What the mesh's own `dependsOn` names (the stack's image build) holds back its preflight's registry reads
        // and every release.
        const upstream = opts?.dependsOn === undefined ? [] : Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn as pulumi.Input<pulumi.Resource>];

        const checks = revisions.map((r, i) => runPreflight({
            hub: args.hub, tag: pulumi.output(r.tag).apply((t) => variantTag(t, s.variant)),
            cni: i === 0 && s.cni, nodeArchitectures: s.nodeArchitectures,
        }, { parent: this, dependsOn: upstream }));
        // Every release waits for every image check, for the cluster's nodes (`waitFor`) and for `upstream`.
        const gate = preflightGate(pulumi.all(checks));
        const after = (...resources: pulumi.Resource[]): pulumi.CustomResourceOptions => ({
            parent: this, ...(args.provider ? { provider: args.provider } : {}),
            dependsOn: [gate, ...upstream, ...(args.waitFor ?? []), ...resources],
        });

        const base = createBase(name, installed, target, after());
        const cni = s.cni ? createCni(name, installed, args.hub, s.variant, s.platform, after(base)) : undefined;
        const istiods = revisions.map((spec) => createIstiod(name, spec, {
            hub: args.hub, variant: s.variant, placement: s.placement, cni: s.cni,
        }, after(base, ...(cni ? [cni] : []))));
        const serving = istiods[revisions.indexOf(target)];
        createRevisionTags(name, s.revisionTags, target, after(...istiods));
        const gateway = s.gatewayService === "none" ? undefined : createGateway(name, target, s.placement, s.gatewayService, after(serving));
        meshPeerAuthentication(name, s.mtlsMode, after(serving));

        this.revision = installed.revision;
        this.defaultRevision = target.revision;
        this.revisions = revisions.map((r) => r.revision);
        this.revisionTags = s.revisionTags;
        this.mtlsMode = s.mtlsMode;
        this.verifiedImages = checks[0];
        this.images = imageReferences(args.hub, { installed: args.tag, gateway: gateway && target.tag }, s.variant, s.cni);
        this.gatewayService = gateway && readGatewayService(name, gateway, after(gateway));
        this.registerOutputs({
            revision: this.revision, defaultRevision: this.defaultRevision, revisions: this.revisions, revisionTags: this.revisionTags,
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
    gatewayService: GatewayService;
}

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Applies defaults and refuses what would install a broken or unschedulable mesh. */
function validate(args: IstioMeshArgs): Settings {
    // A hub is a registry host and path, as `global.hub` takes it: no scheme, no trailing slash, no tag.
    if (typeof args.hub === "string" && !/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+$|^[a-z0-9._-]+$/.test(args.hub)) {
        invalid("hub", `${JSON.stringify(args.hub)} is not a hub such as docker.io/istio or 123456789012.dkr.ecr.us-east-1.amazonaws.com/istio (a registry and path, without a scheme, tag or trailing slash)`);
    }
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
    const replicas = args.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 2) invalid("replicas", `${replicas} leaves the mesh without a spare during a disruption; use 2 or more`);
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
    const platform = args.platform ?? "gke";
    const gatewayService = args.gatewayService ?? "external";
    if (!GATEWAY_SERVICES.includes(gatewayService)) invalid("gatewayService", `${JSON.stringify(gatewayService)} is not one of ${GATEWAY_SERVICES.join(", ")}`);
    if (gatewayService === "internal" && platform !== "gke") {
        invalid("gatewayService", `"internal" asks GKE for an internal load balancer (its Service annotation); on platform ${JSON.stringify(platform)} use external or none`);
    }
    return {
        istioVersion, variant, cni: args.cni ?? false, platform, mtlsMode, nodeArchitectures,
        placement: { arches, replicas }, revisionTags, keepRevisions: args.keepRevisions ?? [], gatewayService,
    };
}

/** A tag named like a revision would shadow it (istioctl refuses it too: istioctl/pkg/tag, checkTagNameCollidesWithRevisionName). */
function checkTags(tags: readonly string[], revisions: readonly RevisionSpec[]): void {
    const clash = tags.find((t) => revisions.some((r) => r.revision === t));
    if (clash) invalid("revisionTags", `${JSON.stringify(clash)} is the name of a revision the mesh runs; name tags apart from revisions`);
}

/**
 * `base`: the CRDs and the default validator, at the installed version (Istio's CRDs stay compatible with the
 * previous minor, so base moves first and older revisions keep working: istio.io's canary upgrade upgrades base
 * before it installs the new revision). Its `defaultRevision` is the default one, which installing never moves.
 * Not named by revision: one per cluster, upgraded in place.
 */
function createBase(name: string, installed: RevisionSpec, target: RevisionSpec, opts: pulumi.CustomResourceOptions) {
    return new k8s.helm.v3.Release(`${name}-base`, {
        ...releaseCommon(ISTIO_CHARTS.base, installed.version),
        name: "istio-base",
        namespace: MESH_NAMESPACES.control,
        createNamespace: true,
        values: baseValues(target.revision),
    }, opts);
}

/** The CNI node agent: one DaemonSet on every node of every architecture, upgraded in place. */
function createCni(name: string, installed: RevisionSpec, hub: pulumi.Input<string>, variant: IstioVariant, platform: string,
    opts: pulumi.CustomResourceOptions) {
    return new k8s.helm.v3.Release(`${name}-cni`, {
        ...releaseCommon(ISTIO_CHARTS.cni, installed.version),
        name: "istio-cni",
        namespace: MESH_NAMESPACES.cni,
        values: cniValues({ revision: installed.revision, images: { hub, tag: installed.tag, variant }, platform: platform || undefined }),
    }, opts);
}

/**
 * The ingress gateway, at the default version and injected by the default revision, after that istiod is ready.
 * It moves to a new version only with the default (istio.io installs a canary gateway as its own release).
 */
function createGateway(name: string, target: RevisionSpec, placement: Placement, service: Exclude<GatewayService, "none">,
    opts: pulumi.CustomResourceOptions) {
    return new k8s.helm.v3.Release(`${name}-gateway`, {
        ...releaseCommon(ISTIO_CHARTS.gateway, target.version),
        name: GATEWAY_NAME,
        namespace: MESH_NAMESPACES.gateway,
        createNamespace: true,
        values: gatewayValues({ revision: target.revision, placement, service }),
    }, opts);
}

/** The image references, with the variant suffix the charts add: the installed revision's, and the gateway's. */
function imageReferences(hub: pulumi.Input<string>, tags: { installed: pulumi.Input<string>; gateway?: pulumi.Input<string> },
    variant: IstioVariant, cni: boolean): pulumi.Output<MeshImages> {
    return pulumi.all([hub, tags.installed, tags.gateway]).apply(([h, t, g]) => {
        const ref = (image: string, tag: string) => `${h}/${image}:${variantTag(tag, variant)}`;
        return {
            istiod: ref(MESH_IMAGES.istiod, t),
            sidecar: ref(MESH_IMAGES.sidecar, t),
            init: ref(MESH_IMAGES.init, t),
            ...(g !== undefined ? { gateway: ref(MESH_IMAGES.gateway, g) } : {}),
            ...(cni ? { cni: ref(MESH_IMAGES.cni, t) } : {}),
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
        pulumi.interpolate`${gateway.status.namespace}/${gateway.status.name}`, opts);
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
