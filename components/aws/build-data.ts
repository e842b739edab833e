/** Facts the Istio image build relies on, each with its source. */
import { createHash } from "crypto";

/**
 * How a build gets its images:
 * - `mirror` copies an upstream release's multi-arch images (every platform, index preserved) into the hub;
 * - `prebuilt-envoy` builds pinned istio/istio sources with the envoy binaries Istio's build downloads;
 * - `from-source` also builds the build-tools images (istio/tools) and envoy (istio/proxy) first.
 */
export const BUILD_MODES = ["mirror", "prebuilt-envoy", "from-source"] as const;
export type BuildMode = (typeof BUILD_MODES)[number];

/**
 * Image variants and the tag suffix Istio gives each: `global.variant: distroless` makes Istio pull
 * `<tag>-distroless`. Source: istio/istio `Makefile.core.mk` (`variant-tag`) and the `global.variant` value of
 * the istiod chart.
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
 * The bucket Istio's build downloads prebuilt envoy (and ztunnel) binaries from, by the proxy SHA istio.deps
 * pins: `envoy-alpha-<sha>.tar.gz` for amd64 and `envoy-alpha-<sha>-arm64.tar.gz` for arm64. Source: istio/istio
 * `bin/init.sh` and `Makefile.core.mk` (`ISTIO_ENVOY_BASE_URL`), istio/proxy `scripts/release-binary.sh`.
 */
export const ISTIO_ENVOY_BASE_URL = "https://storage.googleapis.com/istio-build/proxy";

/** The source repositories of the building modes. */
export const SOURCE_REPOSITORIES = {
    istio: "https://github.com/istio/istio.git",
    proxy: "https://github.com/istio/proxy.git",
    tools: "https://github.com/istio/tools.git",
} as const;

/**
 * A from-source build holds two envoy Bazel trees (one per architecture, 100+ GB each by istio/proxy's own
 * CI disk sizing), the build-tools images (~15 GB) and Istio's Go caches. An estimate with that basis.
 */
export const FROM_SOURCE_MIN_VOLUME_GIB = 400;

/**
 * The bound on each mode's build phase when `timeoutMinutes` is not set, from the durations in the README's
 * "Image builds" section with a wide margin: a copy, a Go build, and two envoy builds (one under emulation).
 */
export const DEFAULT_TIMEOUT_MINUTES: Readonly<Record<BuildMode, number>> = {
    "mirror": 30,
    "prebuilt-envoy": 120,
    "from-source": 1440,
};

/** How long a fresh host may take to boot, install Docker, Go and the agents, and register with SSM. */
export const HOST_READY_TIMEOUT_MINUTES = 20;

/** What decides whether a build has to run again. Anything else (the script, the host type) does not. */
export interface BuildKeyInputs {
    mode: BuildMode;
    release?: string;
    sources?: { istio?: string; proxy?: string; tools?: string };
    architectures: readonly string[];
    variant: Variant;
    images: readonly string[];
    tag: string;
}

/**
 * The build key: a SHA-256 over the canonical form of what the build produces (sources or release, mode,
 * architectures, variant, images, tag). Lists are sorted, so their order in the config does not matter.
 */
export function buildKey(k: BuildKeyInputs): string {
    const canonical = JSON.stringify({
        architectures: [...k.architectures].sort(),
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

/** The identity of one run of a build: the key's first 12 hex digits, and the attempt when it is not the first. */
export function buildRunId(key: string, attempt: number): string {
    return attempt > 1 ? `${key.slice(0, 12)}-a${attempt}` : key.slice(0, 12);
}

/** The tag a build publishes when none is given: the release for a mirror, the istio/istio commit otherwise. */
export function defaultTag(mode: BuildMode, release: string | undefined, istioSha: string | undefined): string {
    return mode === "mirror" ? release ?? "" : `git-${(istioSha ?? "").slice(0, 12)}`;
}

/** A Docker tag: up to 128 characters of letters, digits, `_`, `.` and `-`, not starting with `.` or `-`. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
