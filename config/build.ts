import { instanceMemoryGiB, PLATFORMS, Platform, x86TwinOf } from "../components/arch";
import {
    BUILD_MODES, BuildMode, DEFAULT_TIMEOUT_MINUTES, DOCKER_TAG, MAX_BUILD_TAG_LENGTH, FIRST_MULTIARCH_RELEASE, FROM_SOURCE_MIN_MEMORY_GIB,
    FROM_SOURCE_MIN_TIMEOUT_MINUTES, FROM_SOURCE_MIN_VOLUME_GIB,
    ISTIO_RELEASE, MAX_TIMEOUT_MINUTES, supportsMirror, VARIANTS, Variant, defaultTag, imagesMissingFrom, imagesOf,
} from "../components/aws/build-data";
import { DEV_TAG_EXPIRY_DAYS, DEV_TAG_PREFIXES, ISTIO_IMAGES } from "../components/aws/farm-data";
import { ConfigReader, show } from "./reader";
import { GIT_SHA, GIT_SHA_ACCEPTED } from "./formats";

/** The Istio image build's settings (keys `armfarm:build*`). */
export interface BuildConfig {
    mode: BuildMode;
    /** The Istio release to mirror (mode `mirror`). */
    istioRelease?: string;
    /** istio/istio, istio/proxy and istio/tools commits (building modes). */
    istioSha?: string;
    proxySha?: string;
    toolsSha?: string;
    architectures: Platform[];
    variant: Variant;
    /** Images to publish; a subset of the farm's repositories. */
    images: string[];
    /** The tag (Istio's `global.tag`); the variant's suffix is added for distroless. */
    tag: string;
    /** The bound on the build phase, in minutes. */
    timeoutMinutes: number;
    /** Raise to run a build again with an unchanged key (after a failure that was not in the sources). */
    attempt: number;
    /** The hub the build publishes to: the farm's ECR repositories, or the cluster's Artifact Registry. */
    publishTo: PublishTarget;
}

export const PUBLISH_TARGETS = ["ecr", "artifact-registry"] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

const RELEASE_ACCEPTED = "an Istio release version such as 1.30.3";

/**
 * What the build's checks need of its farm, and whom a problem with it names: the stack's own farm keys, or the
 * key that names a farm of another stack (whose keys live in that stack).
 */
export interface FarmFacts {
    instanceType: string;
    /** Undefined: the x86 type of `instanceType`. */
    amd64InstanceType?: string;
    rootVolumeGiB: number;
    repositories: string[];
    /** Set for a farm of another stack: the key that names it, and how to say which farm it is. */
    elsewhere?: { key: string; farm: string };
}

/** Reports a problem with a fact of the farm, on the farm's own key, or on the key that names the other farm. */
function farmProblem(r: ConfigReader, farm: FarmFacts, ownKey: string, problem: string, fix: string): void {
    if (farm.elsewhere) r.fail(farm.elsewhere.key, `${farm.elsewhere.farm}: ${problem}; in that stack, armfarm:${ownKey}: ${fix}`);
    else r.fail(ownKey, `${problem}; ${fix}`);
}

/** `withCluster`: the stack holds the cluster, whose hub is then where the build publishes unless told otherwise. */
export function readBuildConfig(r: ConfigReader, farm: FarmFacts, withCluster: boolean): BuildConfig {
    const mode = r.string("buildMode", { default: "mirror", oneOf: BUILD_MODES }) as BuildMode;
    const building = mode === "prebuilt-envoy" || mode === "from-source";
    const istioRelease = r.optionalString("buildIstioRelease", { pattern: ISTIO_RELEASE, accepted: RELEASE_ACCEPTED });
    const sha = (key: string) => r.optionalString(key, { pattern: GIT_SHA, accepted: GIT_SHA_ACCEPTED });
    const istioSha = sha("buildIstioSha");
    const proxySha = sha("buildProxySha");
    const toolsSha = sha("buildToolsSha");

    if (mode === "mirror") {
        if (istioRelease === undefined) {
            r.fail("buildIstioRelease", `is not set; buildMode "mirror" copies an upstream release, so ${RELEASE_ACCEPTED} is required`);
        } else if (ISTIO_RELEASE.test(istioRelease) && !supportsMirror(istioRelease)) {
            r.fail("buildIstioRelease", `${show(istioRelease)} is older than ${FIRST_MULTIARCH_RELEASE.major}.${FIRST_MULTIARCH_RELEASE.minor}, ` +
                `the first release published for linux/arm64, so there is no arm64 image to mirror; use buildMode "prebuilt-envoy" or "from-source" with its sources`);
        }
    }
    if (building && istioSha === undefined) r.fail("buildIstioSha", `is not set; buildMode ${show(mode)} builds istio/istio at this commit, so ${GIT_SHA_ACCEPTED} is required`);
    if (mode === "from-source") {
        if (proxySha === undefined) r.fail("buildProxySha", `is not set; buildMode "from-source" builds envoy from istio/proxy at this commit, so ${GIT_SHA_ACCEPTED} is required`);
        if (Number.isSafeInteger(farm.rootVolumeGiB) && farm.rootVolumeGiB < FROM_SOURCE_MIN_VOLUME_GIB) {
            farmProblem(r, farm, "farmRootVolumeGiB", `${farm.rootVolumeGiB} GiB is too small for buildMode "from-source" (an envoy Bazel tree, the build-tools images and Istio's caches on each host)`,
                `use at least ${FROM_SOURCE_MIN_VOLUME_GIB}`);
        }
        const hosts: [string, string | undefined][] = [["farmInstanceType", farm.instanceType], ["farmAmd64InstanceType", farm.amd64InstanceType ?? x86TwinOf(farm.instanceType)]];
        for (const [key, type] of hosts) {
            const memory = type ? instanceMemoryGiB(type) : undefined;
            if (memory !== undefined && memory < FROM_SOURCE_MIN_MEMORY_GIB) {
                farmProblem(r, farm, key, `${show(type)}${key === "farmAmd64InstanceType" && !farm.amd64InstanceType ? " (the x86 type of armfarm:farmInstanceType)" : ""} has ${memory} GiB, ` +
                    `too little to compile envoy for buildMode "from-source"`, `use a type with at least ${FROM_SOURCE_MIN_MEMORY_GIB} GiB, such as ${key === "farmInstanceType" ? "m6g.4xlarge" : "m6i.4xlarge"}`);
            }
        }
    }

    const architectures = r.stringList("buildArchitectures", { default: [...PLATFORMS], oneOf: PLATFORMS, minItems: 1 }) as Platform[];
    const variant = r.string("buildVariant", { default: "distroless", oneOf: VARIANTS }) as Variant;
    const images = readImages(r, farm);
    if (mode === "mirror" && istioRelease !== undefined && ISTIO_RELEASE.test(istioRelease)) {
        const missing = imagesMissingFrom(istioRelease, images);
        if (missing.length > 0) {
            const given = r.isSet("buildImages") && r.stringList("buildImages", { default: [] }).length > 0;
            r.fail("buildImages", `${show(images)}${given ? "" : " (every farm repository, since it is empty)"} asks for ${missing.join(", ")}, ` +
                `which Istio ${istioRelease} does not publish; it publishes ${imagesOf(istioRelease, ISTIO_IMAGES).join(", ")}, so name only those`);
        }
    }
    const tag = r.string("buildTag", { default: defaultTag(mode, istioRelease, { istio: istioSha, proxy: proxySha, tools: toolsSha }), pattern: DOCKER_TAG, accepted: "a Docker tag (letters, digits, _ . -; at most 128 characters)" });
    // The farm's ECR lifecycle expires tags with these prefixes (staging tags) 30 days after their push.
    const expiring = DEV_TAG_PREFIXES.find((prefix) => tag.startsWith(prefix));
    if (expiring) {
        r.fail("buildTag", `${show(tag)} starts with ${show(expiring)}, a prefix the farm's ECR lifecycle keeps for staging tags and expires ${DEV_TAG_EXPIRY_DAYS} days after their push; ` +
            `use a tag that starts otherwise (${DEV_TAG_PREFIXES.join(", ")} are refused)`);
    }
    if (DOCKER_TAG.test(tag) && tag.length > MAX_BUILD_TAG_LENGTH) {
        r.fail("buildTag", `${show(tag)} has ${tag.length} characters; the build's staging tag and the distroless suffix around it must fit Docker's 128, so use at most ${MAX_BUILD_TAG_LENGTH}`);
    }
    // The agent replaces a step timeout above 172800 s with one hour (build-data.ts, MAX_TIMEOUT_MINUTES).
    const timeout = r.integer("buildTimeoutMinutes", { default: 0, min: 0, max: MAX_TIMEOUT_MINUTES });
    if (mode === "from-source" && Number.isSafeInteger(timeout) && timeout > 0 && timeout < FROM_SOURCE_MIN_TIMEOUT_MINUTES) {
        r.fail("buildTimeoutMinutes", `${timeout} minutes cannot hold a from-source build, which compiles envoy; use at least ${FROM_SOURCE_MIN_TIMEOUT_MINUTES}, or 0 for six hours`);
    }
    return {
        mode, istioRelease, istioSha, proxySha, toolsSha, architectures, variant, images, tag,
        timeoutMinutes: timeout === 0 ? DEFAULT_TIMEOUT_MINUTES[mode] : timeout,
        attempt: r.integer("buildAttempt", { default: 1, min: 1, max: 999 }),
        publishTo: r.string("buildPublishTo", { default: withCluster ? "artifact-registry" : "ecr", oneOf: PUBLISH_TARGETS }) as PublishTarget,
    };
}

/** The images to publish: the farm's repositories unless a subset is named. */
function readImages(r: ConfigReader, farm: FarmFacts): string[] {
    const images = r.stringList("buildImages", { default: [] });
    const whose = farm.elsewhere ? `${farm.elsewhere.farm}'s repositories` : "armfarm:farmRepositories";
    for (const image of images) {
        if (!farm.repositories.includes(image)) {
            r.fail("buildImages", `${show(image)} is not one of the farm's repositories; use images from ${whose} (${farm.repositories.join(", ")})`);
        }
    }
    return images.length > 0 ? images : [...farm.repositories];
}
