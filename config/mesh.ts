import { KubeArch, KUBE_ARCHES } from "../components/arch";
import {
    DEFAULT_ISTIO_VERSION, GATEWAY_SERVICES, GatewayService, isMultiArchIstio, ISTIO_VERSION, ISTIO_VERSION_ACCEPTED, IstioVariant,
    MtlsMode, MTLS_MODES, revisionOf,
} from "../components/k8s/istio-data";
import { ControlPlaneArch, CONTROL_PLANE_ARCHES } from "../components/k8s/mesh";
import { KeptRevision } from "../components/k8s/revisions";
import { ConfigReader, show } from "./reader";

/** The mesh's settings (keys `armfarm:mesh*`). */
export interface MeshConfig {
    /** The hub to pull from; undefined means "the build's" (only with the build part). */
    hub?: string;
    /** The tag of meshIstioVersion's revision; undefined means "the build's" (only with the build part). */
    tag?: string;
    istioVersion: string;
    /** The version the revision tags and the default revision point to; undefined: the component's default. */
    defaultVersion?: string;
    variant: IstioVariant;
    cni: boolean;
    platform: string;
    mtlsMode: MtlsMode;
    controlPlaneArch: ControlPlaneArch;
    nodeArchitectures: KubeArch[];
    replicas: number;
    revisionTags: string[];
    keepRevisions: KeptRevision[];
    gatewayService: GatewayService;
}

/** A hub: a registry host (optionally with a port) and a repository path, such as docker.io/istio. */
const HUB = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d{1,5})?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/;
const HUB_ACCEPTED = "a registry and path such as docker.io/istio or 123456789012.dkr.ecr.us-east-1.amazonaws.com/istio";
/** An OCI tag. Source: OCI distribution spec, "tag" (`[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`). */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const TAG_ACCEPTED = "an image tag such as 1.30.3 (letters, digits, . _ -, at most 128 characters)";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** `none` stands for the default (non-distroless) images, since an empty value means "unset". */
const VARIANTS: Record<string, IstioVariant> = { distroless: "distroless", debug: "debug", none: "" };

export function readMeshConfig(r: ConfigReader, parts: { mesh: boolean; build: boolean }): MeshConfig {
    // With the build part on, an empty hub or tag means "use the build's outputs"; without it, there is none.
    const need = !parts.mesh || parts.build ? undefined : "required without the build part (there is no build to take it from)";
    const hub = r.optionalString("meshHub", { pattern: HUB, accepted: HUB_ACCEPTED });
    const tag = r.optionalString("meshTag", { pattern: TAG, accepted: TAG_ACCEPTED });
    if (need && hub === undefined) r.fail("meshHub", `is not set; ${HUB_ACCEPTED} is ${need}`);
    if (need && tag === undefined) r.fail("meshTag", `is not set; ${TAG_ACCEPTED} is ${need}`);

    const istioVersion = version(r, "meshIstioVersion", r.string("meshIstioVersion", { default: DEFAULT_ISTIO_VERSION }));
    const nodeArchitectures = r.stringList("meshNodeArchitectures", { default: [...KUBE_ARCHES], oneOf: KUBE_ARCHES, minItems: 1 }) as KubeArch[];
    const controlPlaneArch = r.string("meshControlPlaneArch", { default: "any", oneOf: CONTROL_PLANE_ARCHES }) as ControlPlaneArch;
    if (controlPlaneArch !== "any" && nodeArchitectures.length > 0 && !nodeArchitectures.includes(controlPlaneArch)) {
        r.fail("meshControlPlaneArch", `${show(controlPlaneArch)} is not among armfarm:meshNodeArchitectures ${show(nodeArchitectures)}; pin to an architecture the cluster has, or use any`);
    }
    const replicas = r.integer("meshReplicas", { default: 2, min: 2, max: 50 });
    const keepRevisions = keptRevisions(r, istioVersion);
    const revisionTags = r.stringList("meshRevisionTags", { default: ["default"], pattern: DNS_LABEL, accepted: "DNS labels such as default or prod-stable" });
    const running = [istioVersion, ...keepRevisions.map((k) => k.version)];
    for (const tag of revisionTags) {
        if (running.some((v) => revisionOf(v) === tag)) r.fail("meshRevisionTags", `${show(tag)} is the revision of a version the mesh runs; name tags apart from revisions, such as prod-stable`);
    }
    const meshPlatform = platform(r);
    return {
        hub, tag, istioVersion,
        defaultVersion: defaultVersion(r, running),
        variant: VARIANTS[r.string("meshVariant", { default: "distroless", oneOf: Object.keys(VARIANTS) })] ?? "distroless",
        cni: r.boolean("meshCni", { default: false }),
        platform: meshPlatform,
        gatewayService: gatewayService(r, meshPlatform),
        mtlsMode: r.string("meshMtlsMode", { default: "STRICT", oneOf: MTLS_MODES }) as MtlsMode,
        controlPlaneArch, nodeArchitectures, replicas, revisionTags, keepRevisions,
    };
}

/**
 * `meshDefaultVersion`: the version the revision tags, base's default revision and the gateway point to; one the
 * mesh runs. Unset: the only version, or the one kept beside meshIstioVersion, so that installing a version never
 * moves them (istio.io, Helm canary upgrade: the default moves in a later, separate step).
 */
function defaultVersion(r: ConfigReader, running: string[]): string | undefined {
    const value = r.optionalString("meshDefaultVersion", { pattern: ISTIO_VERSION, accepted: ISTIO_VERSION_ACCEPTED });
    const choices = `one of ${running.join(", ")} (armfarm:meshIstioVersion or armfarm:meshKeepVersions)`;
    if (value !== undefined && ISTIO_VERSION.test(value) && !running.some((v) => revisionOf(v) === revisionOf(value))) {
        r.fail("meshDefaultVersion", `${show(value)} is not a version the mesh runs; use ${choices}`);
    }
    if (value === undefined && running.length > 2) {
        r.fail("meshDefaultVersion", `is not set, and ${running.length - 1} earlier versions are kept; name the one the revision tags and the default revision point to, ${choices}`);
    }
    return value;
}

function version(r: ConfigReader, key: string, value: string): string {
    if (!value) return value;
    if (!ISTIO_VERSION.test(value)) r.fail(key, `${r.shown(key, value)} is not accepted; expected ${ISTIO_VERSION_ACCEPTED}`);
    else if (!isMultiArchIstio(value)) r.fail(key, `${r.shown(key, value)} publishes no arm64 images; use Istio 1.15 or later`);
    return value;
}

/** `meshGatewayService`: `internal` is GKE's internal load balancer, so it needs the GKE platform. */
function gatewayService(r: ConfigReader, meshPlatform: string): GatewayService {
    const value = r.string("meshGatewayService", { default: "external", oneOf: GATEWAY_SERVICES }) as GatewayService;
    if (value === "internal" && meshPlatform !== "gke") {
        r.fail("meshGatewayService", `"internal" asks GKE for an internal load balancer (the Service annotation networking.gke.io/load-balancer-type), but armfarm:meshPlatform is "none"; use external or none, or meshPlatform gke on GKE`);
    }
    return value;
}

function platform(r: ConfigReader): string {
    const value = r.string("meshPlatform", { default: "gke", oneOf: ["gke", "none"] });
    return value === "none" ? "" : value;
}

/** `meshKeepVersions`: `1.30.3` (its tag is the version) or `1.30.3=<tag>`. */
function keptRevisions(r: ConfigReader, active: string): KeptRevision[] {
    const entries = r.stringList("meshKeepVersions", { default: [] });
    const kept: KeptRevision[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
        const [v, tag, extra] = entry.split("=");
        if (extra !== undefined || (tag !== undefined && !TAG.test(tag))) {
            r.fail("meshKeepVersions", `${show(entry)} is not accepted; expected a version such as 1.30.3, or version=tag such as 1.30.3=1.30.3-arm`);
            continue;
        }
        if (!ISTIO_VERSION.test(v) || !isMultiArchIstio(v)) {
            r.fail("meshKeepVersions", `${show(v)} is not accepted; expected ${ISTIO_VERSION_ACCEPTED}, 1.15 or later`);
            continue;
        }
        if (revisionOf(v) === revisionOf(active)) {
            r.fail("meshKeepVersions", `${show(v)} is armfarm:meshIstioVersion itself; list only earlier control planes that keep running`);
            continue;
        }
        if (seen.has(revisionOf(v))) {
            r.fail("meshKeepVersions", `${show(v)} is listed twice; list each earlier version once`);
            continue;
        }
        seen.add(revisionOf(v));
        kept.push(tag === undefined ? { version: v } : { version: v, tag });
    }
    return kept;
}
