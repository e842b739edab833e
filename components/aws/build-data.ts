/** Facts the Istio image build relies on, each with its source. */
import { createHash } from "crypto";
import { fit } from "../names";

/**
 * How a build gets its images:
 * - `mirror` copies an upstream release's multi-arch images (every platform, index preserved) into the hub;
 * - `prebuilt-envoy` builds pinned istio/istio sources with the envoy binaries Istio's build downloads;
 * - `from-source` also builds envoy (istio/proxy) natively for each architecture first, in the build-tools images
 *   the trees pin or rebuilt from istio/tools.
 */
export const BUILD_MODES = ["mirror", "prebuilt-envoy", "from-source"] as const;
export type BuildMode = (typeof BUILD_MODES)[number];

/**
 * Image variants and the tag suffix Istio gives each: `global.variant: distroless` makes Istio pull
 * `<tag>-distroless`. Sources: istio/istio@1.30.3:tools/docker-builder/common.go (`extractTags`: the default
 * variant is tagged `<tag>`, any other `<tag>-<variant>`) and the istiod chart's `global.variant`.
 */
export const VARIANTS = ["default", "distroless"] as const;
export type Variant = (typeof VARIANTS)[number];
export const VARIANT_TAG_SUFFIX: Readonly<Record<Variant, string>> = { default: "", distroless: "-distroless" };

/**
 * The first Istio release whose images on docker.io/istio are multi-arch (linux/amd64 and linux/arm64 in one
 * index). Source: Istio 1.15 release announcement, "arm64 support" ("Istio 1.15 ... images are now built for
 * arm64 as well"). Releases before it have no arm64 image to mirror.
 */
export const FIRST_MULTIARCH_RELEASE = { major: 1, minor: 15 } as const;

/** Where upstream releases are published. Source: istio.io install docs (`global.hub` default docker.io/istio). */
export const UPSTREAM_HUB = "docker.io/istio";

/** An Istio release version such as 1.30.3 or 1.30.0-beta.1. */
export const ISTIO_RELEASE = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

export function supportsMirror(release: string): boolean {
    const m = ISTIO_RELEASE.exec(release);
    if (!m) return false;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return major > FIRST_MULTIARCH_RELEASE.major || (major === FIRST_MULTIARCH_RELEASE.major && minor >= FIRST_MULTIARCH_RELEASE.minor);
}

/**
 * The images each Istio release builds and publishes, by the first release that has each. Source: istio/istio
 * `tools/docker.yaml` at each tag: pilot, proxyv2, install-cni and istioctl since before 1.15; ztunnel first at
 * 1.18.0 (istio/istio@1.18.0:tools/docker.yaml, `name: ztunnel`; absent at 1.15.0, 1.16.0 and 1.17.0).
 */
export const IMAGE_SINCE: Readonly<Record<string, { major: number; minor: number }>> = {
    "pilot": { major: 1, minor: 0 },
    "proxyv2": { major: 1, minor: 0 },
    "install-cni": { major: 1, minor: 0 },
    "istioctl": { major: 1, minor: 0 },
    "ztunnel": { major: 1, minor: 18 },
};

/**
 * The main binaries of each image, whose ELF machine the build checks per platform. Source: istio/istio@1.30.3
 * Dockerfiles: pilot/docker/Dockerfile.pilot (`/usr/local/bin/pilot-discovery`), pilot/docker/Dockerfile.proxyv2
 * (`/usr/local/bin/pilot-agent`, and `/usr/local/bin/${SIDECAR}` with `SIDECAR=envoy`),
 * cni/deployments/kubernetes/Dockerfile.install-cni (`/usr/local/bin/install-cni`, `/opt/cni/bin/istio-cni`),
 * pilot/docker/Dockerfile.ztunnel (`/usr/local/bin/ztunnel`), istioctl/docker/Dockerfile.istioctl
 * (`/usr/local/bin/istioctl`).
 */
export const IMAGE_BINARIES: Readonly<Record<string, readonly string[]>> = {
    "pilot": ["/usr/local/bin/pilot-discovery"],
    "proxyv2": ["/usr/local/bin/pilot-agent", "/usr/local/bin/envoy"],
    "install-cni": ["/usr/local/bin/install-cni", "/opt/cni/bin/istio-cni"],
    "ztunnel": ["/usr/local/bin/ztunnel"],
    "istioctl": ["/usr/local/bin/istioctl"],
};

/** The images of `images` that `release` does not publish (empty when it publishes them all). */
export function imagesMissingFrom(release: string, images: readonly string[]): string[] {
    const m = ISTIO_RELEASE.exec(release);
    if (!m) return [];
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return images.filter((image) => {
        const since = IMAGE_SINCE[image];
        return since !== undefined && (major < since.major || (major === since.major && minor < since.minor));
    });
}

/** The images of `images` that `release` publishes. */
export function imagesOf(release: string, images: readonly string[]): string[] {
    const missing = imagesMissingFrom(release, images);
    return images.filter((i) => !missing.includes(i));
}

/** The source repositories of the building modes. */
export const SOURCE_REPOSITORIES = {
    istio: "https://github.com/istio/istio.git",
    proxy: "https://github.com/istio/proxy.git",
    tools: "https://github.com/istio/tools.git",
} as const;

/**
 * Each host of a from-source build holds one envoy Bazel output tree (its own architecture's; 100+ GB), the
 * build-tools images (~15 GB) and, on the Graviton host, Istio's tree, Go caches and images. An estimate.
 */
export const FROM_SOURCE_MIN_VOLUME_GIB = 250;

/**
 * The least memory a host compiling envoy needs: istio/proxy's own release job for arm64 asks for 16G
 * (istio/test-infra prow/gcp config istio.proxy.release-1.30.gen.yaml, `memory: 16G`), and bazel runs one job
 * per CPU (envoy.bazelrc `--jobs=HOST_CPUS-1`).
 */
export const FROM_SOURCE_MIN_MEMORY_GIB = 16;

/**
 * The shortest bound a from-source build may have: the goal for a cold build of both architectures in parallel
 * on 64-vCPU hosts. A smaller host takes longer; the default leaves six hours, the bound of istio/proxy's own
 * release jobs (istio.proxy.release-1.30.gen.yaml, `timeout: 6h0m0s`).
 */
export const FROM_SOURCE_MIN_TIMEOUT_MINUTES = 45;

/**
 * The bound on each mode's build phase when `timeoutMinutes` is not set, from the durations in the README's
 * "Image builds" section with a wide margin: a copy, a Go build, and envoy compiled natively on two hosts
 * (six hours, the bound of istio/proxy's own release jobs).
 */
export const DEFAULT_TIMEOUT_MINUTES: Readonly<Record<BuildMode, number>> = {
    "mirror": 30,
    "prebuilt-envoy": 120,
    "from-source": 360,
};

/** How long a fresh host may take to boot, install Docker, Go and the agents, and register with SSM. */
export const HOST_READY_TIMEOUT_MINUTES = 20;

/** The margin on top of the host's boot and the build phase that the document's step is allowed. */
export const STEP_MARGIN_SECONDS = 600;

/**
 * The longest build the agent lets run: its step timeout (boot wait, build phase and margin) must stay within
 * the agent's 172800 s, or the agent replaces it with one hour (aws/amazon-ssm-agent@3.3.1142.0
 * agent/plugins/pluginutil/pluginutil.go, `maxExecutionTimeoutInSeconds`, `ValidateExecutionTimeout`).
 */
export const MAX_TIMEOUT_MINUTES = Math.floor((172800 - STEP_MARGIN_SECONDS) / 60) - HOST_READY_TIMEOUT_MINUTES;

/** What decides whether a build has to run again. Anything else (the script, the host type) does not. */
export interface BuildKeyInputs {
    mode: BuildMode;
    release?: string;
    sources?: { istio?: string; proxy?: string; tools?: string };
    architectures: readonly string[];
    variant: Variant;
    images: readonly string[];
    tag: string;
    /** Where the images go: `artifact-registry <hub>`, `ecr <hub>`, or `farm <repository prefix>` for the farm's own ECR hub. */
    destination: string;
}

/**
 * The build key: a SHA-256 over the canonical form of what the build produces (sources or release, mode,
 * architectures, variant, images, tag) and where it publishes, since publishing elsewhere must build again. Lists
 * are sorted, so their order in the config does not matter.
 */
export function buildKey(k: BuildKeyInputs): string {
    const canonical = JSON.stringify({
        architectures: [...k.architectures].sort(),
        destination: k.destination,
        images: [...k.images].sort(),
        mode: k.mode,
        release: k.mode === "mirror" ? k.release : undefined,
        sources: k.mode === "mirror" ? undefined : {
            istio: k.sources?.istio, proxy: k.mode === "from-source" ? k.sources?.proxy : undefined,
            tools: k.mode === "from-source" ? k.sources?.tools : undefined,
        },
        tag: k.tag,
        variant: k.variant,
    });
    return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The identity of one run of a build: 12 hex digits of a digest of the build's scope (`<namePrefix>-<name>`) and
 * its key, and the attempt when it is not the first. Two stacks (or builds) that build one key on one farm get
 * runs of their own: the run's tag picks its hosts, so they never run each other's documents.
 */
export function buildRunId(key: string, attempt: number, scope: string): string {
    const id = createHash("sha256").update(`${scope}\n${key}`).digest("hex").slice(0, 12);
    return attempt > 1 ? `${id}-a${attempt}` : id;
}

/**
 * The stem of a run's names (groups, documents, rules, roles): the scope, cut to 30 characters with a digest
 * if longer, and the run id. At most 47 characters, so that `<stem>-spot-refused` fits an EventBridge rule's
 * 64 and `<stem>-automation` an IAM role's 64.
 */
export function runStem(scope: string, runId: string): string {
    return `${fit(scope, 30).replace(/-+$/, "")}-${runId}`;
}

/**
 * The tag a build publishes when none is given: the release for a mirror; otherwise the commits the images are
 * built from, so that any source that changes the images changes the tag (istio/istio's, and for from-source also
 * istio/proxy's and, when given, istio/tools'). The tags are immutable: an unchanged tag means the images are
 * already published and are only verified.
 */
export function defaultTag(mode: BuildMode, release: string | undefined, sources: { istio?: string; proxy?: string; tools?: string }): string {
    if (mode === "mirror") return release ?? "";
    const short = (sha?: string) => (sha ?? "").slice(0, 12);
    if (mode === "prebuilt-envoy") return `git-${short(sources.istio)}`;
    return `git-${short(sources.istio)}-proxy-${short(sources.proxy)}${sources.tools ? `-tools-${short(sources.tools)}` : ""}`;
}

/** A Docker tag: up to 128 characters of letters, digits, `_`, `.` and `-`, not starting with `.` or `-`. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The longest tag a build may publish: a Docker tag's 128 characters less what the build adds to it. Istio's make
 * pushes to a staging tag, `dev-<run>-<epoch seconds>-<tag>` (istio-build.sh `istio_docker_push`; `<run>` is 12
 * hex digits and up to `-a999`, the seconds 10 digits), and the distroless variant's images carry `-distroless`
 * after it (VARIANT_TAG_SUFFIX).
 */
export const MAX_BUILD_TAG_LENGTH = 128 - "dev-".length - "0123456789ab-a999".length - "-".length - 10 - "-".length - "-distroless".length;
