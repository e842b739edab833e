import * as pulumi from "@pulumi/pulumi";
import { PLATFORMS, Platform } from "../arch";
import * as aws from "@pulumi/aws";
import { ecrRegistryOf, registryHost, registryKind, verifyMultiArch } from "../registry";
import {
    BUILD_MODES, BuildMode, DEFAULT_TIMEOUT_MINUTES, DOCKER_TAG, MAX_BUILD_TAG_LENGTH, FIRST_MULTIARCH_RELEASE, FROM_SOURCE_MIN_TIMEOUT_MINUTES, HOST_READY_TIMEOUT_MINUTES,
    ISTIO_RELEASE, MAX_TIMEOUT_MINUTES, STEP_MARGIN_SECONDS, UPSTREAM_HUB, VARIANTS, VARIANT_TAG_SUFFIX, Variant, buildKey,
    buildRunId, defaultTag, runStem, IMAGE_BINARIES, imagesMissingFrom, imagesOf, supportsMirror,
} from "./build-data";
import { DEV_TAG_PREFIXES, ISTIO_IMAGES } from "./farm-data";
import { createBuildHost, createEnvoyAmd64Host, createOnDemandStandby, ENVOY_AMD64_ROLE, hostGroupNames } from "./build-host";
import { createRunControl } from "./build-run-control";
import { BuildEnvironment, buildDocumentContent, createBuildAssociation, createBuildDocument } from "./build-document";
import { createBuildWait } from "./build-wait/command";
import { BinaryMachines, BuildResult, parseResult } from "./build-wait/result";
import { BuildFarm } from "./farm-core";
import { ECR_PUSH_ACTIONS } from "./farm-hosts";
import { tagsProblem } from "./tags";
import { defaultNamePrefix, namePrefixProblem } from "../names";
import { HOST_LOG_DIR } from "./user-data";

export interface IstioImageBuildArgs {
    /**
     * The farm whose launch templates, subnets, repositories, role and log group the build uses: a
     * GravitonBuildFarm, or the same values from another stack (its `farmCore` output). Required.
     */
    farm: BuildFarm;
    /** `mirror`, `prebuilt-envoy` or `from-source`. Default `mirror`. */
    mode?: BuildMode;
    /** The Istio release to mirror, 1.15 or later. Required by mode `mirror`, unused otherwise. */
    istioRelease?: string;
    /** The istio/istio commit to build (building modes), 40 hex characters. Default none. */
    istioSha?: string;
    /** The istio/proxy commit envoy is built from (mode `from-source`). Default none. */
    proxySha?: string;
    /** The istio/tools commit to rebuild the build-tools images from (mode `from-source`). Default none: the images the checked-out trees pin. */
    toolsSha?: string;
    /** Platforms every image must hold. Default linux/amd64 and linux/arm64. */
    architectures?: Platform[];
    /** `default` or `distroless` (published as `<tag>-distroless`, what IstioMesh pulls by default). Default `distroless`. */
    variant?: Variant;
    /** Images to publish, among the farm's repositories. Default: every repository of the farm. */
    images?: string[];
    /** The tag (Istio's `global.tag`). Default: the release for a mirror, `git-<istioSha:12>` for prebuilt-envoy, and for from-source `git-<istioSha:12>-proxy-<proxySha:12>` (and `-tools-<toolsSha:12>`). */
    tag?: string;
    /** The bound on the build phase in minutes. Default by mode: mirror 30, prebuilt-envoy 120, from-source 360. */
    timeoutMinutes?: number;
    /** Raise to run an unchanged build again (after a failure outside the sources). Default 1. */
    attempt?: number;
    /** Extra tags for every resource. Default the farm's tags. */
    tags?: Record<string, string>;
    /** Publish to this Artifact Registry hub instead of the farm's ECR hub. Default: the farm's hub. */
    artifactRegistry?: ArtifactRegistryTarget;
    /**
     * Publish to this ECR hub (`<account>.dkr.ecr.<the farm's region>.amazonaws.com/<namespace>`, whose repositories
     * exist) instead of the farm's: the build gives the farm's host role push rights to its images there. Default:
     * the farm's hub.
     */
    ecrHub?: string;
    /** The AWS profile `pulumi up`'s wait follows the build with (`aws:profile`). Default: the environment's AWS credentials. */
    awsProfile?: string;
    /**
     * Stem of the build's names unique in the account and region (documents, groups, rules, roles: `<prefix>-<name>-<run>…`)
     * and of its results under the farm's root. Default `armfarm-<stack>`.
     */
    namePrefix?: string;
}

/**
 * An Artifact Registry hub the build hosts push to without a key: their AWS role is exchanged for a short-lived
 * token of a GCP service account through Workload Identity Federation (GkeArmCluster creates all three).
 */
export interface ArtifactRegistryTarget {
    /** `<region>-docker.pkg.dev/<project>/<repository>`, as a plain string: the build's key holds it. */
    hub: string;
    /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
    workloadIdentityProvider: pulumi.Input<string>;
    /** The service account with writer rights on the repository, which the hosts impersonate. */
    serviceAccountEmail: pulumi.Input<string>;
}

type Settings = Required<Omit<IstioImageBuildArgs, "farm" | "istioRelease" | "istioSha" | "proxySha" | "toolsSha" | "tags" | "artifactRegistry" | "ecrHub" | "awsProfile">> &
    Pick<IstioImageBuildArgs, "istioRelease" | "istioSha" | "proxySha" | "toolsSha"> & {
        /** Where the images go, as the build key holds it. */
        destination: string;
    };

/**
 * One build of one Istio source on a host launched from the farm: the host runs the build script (through an SSM
 * association, no inbound ports), pushes every image for every platform under one tag and records its result;
 * the run's end rule then ends the host. `pulumi up` waits for that result (the `wait` command, which shows the
 * build's progress), fails with the log tail when the build failed, and then verifies with the registry's own
 * answer that every image under `hub:tag` lists every platform.
 *
 * `hub` and `tag` come from the configuration, so they are known in a preview; what uses them must wait for the
 * build with `dependsOn: [build]` (the mesh does), since they name images that exist only once the build is done.
 */
export class IstioImageBuild extends pulumi.ComponentResource {
    /** The hub the images are published under (Istio's `global.hub`). */
    public readonly hub: pulumi.Output<string>;
    /** The tag (Istio's `global.tag`); distroless images carry it with `-distroless`. */
    public readonly tag: pulumi.Output<string>;
    public readonly variant: pulumi.Output<string>;
    /** SHA-256 of what the build produces; a new key runs a new build. */
    public readonly buildKey: pulumi.Output<string>;
    /** The run id that tags the host and the log lines: the key's first 12 digits (and the attempt). */
    public readonly runId: pulumi.Output<string>;
    /** Per image, the digest of each platform's manifest, from the registry after the build. */
    public readonly imageDigests: pulumi.Output<Record<string, Record<string, string>>>;
    /** Per image, per platform, the machine each main binary is built for, as the build read it from its ELF header. */
    public readonly binaryMachines: pulumi.Output<BinaryMachines>;
    /** Where the build's log is, and the command that prints it. */
    public readonly logLocation: pulumi.Output<string>;
    /** How long the run took on its host, in seconds, as the script measured it. */
    public readonly durationSeconds: pulumi.Output<number>;
    /** How long each step of the run took on its Graviton host, in seconds. */
    public readonly stepSeconds: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: IstioImageBuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("armfarm:aws:IstioImageBuild", name, { ...args, farm: undefined }, opts);
        const s = validate(args);
        const key = buildKey({
            mode: s.mode, release: s.istioRelease, sources: { istio: s.istioSha, proxy: s.proxySha, tools: s.toolsSha },
            architectures: s.architectures, variant: s.variant, images: s.images, tag: s.tag, destination: s.destination,
        });
        // The build's scope in the account: its stack's prefix and its name. Runs of two stacks (or two builds)
        // with one key are apart: their run ids, and so their tags, groups, documents and results, differ.
        const scope = `${s.namePrefix}-${name}`;
        const runId = buildRunId(key, s.attempt, scope);
        const stem = runStem(scope, runId);
        const farm = args.farm;
        const tags = { ...farm.tags, ...args.tags, "armfarm:build": scope, "armfarm:build-key": key.slice(0, 12) };
        const parent = { parent: this };
        const resultPath = `${farm.resultRoot}/${scope}/${runId}`;
        const logLocation = pulumi.interpolate`CloudWatch Logs group ${farm.logGroupName}, stream <host>/armfarm, lines tagged armfarm-build-${runId}; print them with: aws logs tail ${farm.logGroupName} --since 2d --filter-pattern '"armfarm-build-${runId}"'`;
        const groups = hostGroupNames(stem);
        const context = { partition: pulumi.output(farm.partition), region: pulumi.output(farm.region), accountId: pulumi.output(farm.accountId) };
        const { partition, region, accountId } = context;
        const instanceArnPrefix = pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:instance/`;

        const target = publishTarget(farm, args);
        // Another ECR hub: the farm's host role may push this build's images there, before any host launches.
        const ecrPush = args.ecrHub ? [grantEcrPush(name, scope, farm, args.ecrHub, s.images, parent)] : [];
        const env = buildEnvironment(s, runId, key, resultPath, farm, target, instanceArnPrefix);
        const stepSeconds = (s.timeoutMinutes + HOST_READY_TIMEOUT_MINUTES) * 60 + STEP_MARGIN_SECONDS;
        const document = createBuildDocument(name, stem, env.apply((e) => buildDocumentContent(e, stepSeconds)), tags, parent);
        const association = createBuildAssociation(name, stem, runId, document, tags, parent);
        // From source, an x86 host of the same run builds amd64 envoy natively, beside the Graviton host.
        const envoyAmd64 = s.mode === "from-source" && s.architectures.includes("linux/amd64");
        const amd64Association = envoyAmd64 ? createBuildAssociation(name, stem, runId, createBuildDocument(name, stem,
            env.apply((e) => buildDocumentContent({ ...e, ARMFARM_BUILD_MODE: ENVOY_AMD64_ROLE }, stepSeconds)), tags, parent, ENVOY_AMD64_ROLE),
        tags, parent, ENVOY_AMD64_ROLE) : undefined;
        const associations = [association, ...(amd64Association ? [amd64Association] : [])];
        // The run's end rule (and on spot its fallback), and the host role's rights, are in place before any host
        // of the run launches: no end and no refused launch goes unheard, no host boots without its rights.
        const control = createRunControl(name, {
            runId, stem, groups, spot: farm.spot, envoyAmd64, associationIds: associations.map((a) => a.associationId), context, tags,
        }, parent);
        const hostOpts = { parent: this, dependsOn: [...associations, ...control.ready, ...ecrPush, ...(farm.hostRoleReady ?? [])] };
        const hosts = [
            createBuildHost(name, runId, groups, farm, tags, hostOpts),
            ...(farm.spot ? [createOnDemandStandby(name, runId, groups, farm, tags, hostOpts)] : []),
        ];
        const amd64Host = envoyAmd64 ? createEnvoyAmd64Host(name, runId, groups, farm, tags, hostOpts) : undefined;
        // The wait follows the Graviton hosts, which record the result; it ends every host of the run.
        const waited = farm.spot ? [groups.spot, groups.onDemand] : [groups.spot];
        const wait = createBuildWait(name, {
            runId,
            awsProfile: args.awsProfile,
            settings: pulumi.all([region, association.associationId, farm.logGroupName, instanceArnPrefix, logLocation])
                .apply(([r, associationId, logGroupName, arnPrefix, location]) => ({
                    region: r, runId, associationId, groups: waited, endGroups: [...waited, ...(envoyAmd64 ? [groups.amd64] : [])], resultPath,
                    instanceArnPrefix: arnPrefix, logGroupName, hostReadySeconds: HOST_READY_TIMEOUT_MINUTES * 60,
                    buildSeconds: s.timeoutMinutes * 60, logLocation: location,
                })),
        }, { parent: this, dependsOn: [...associations, ...hosts, ...(amd64Host ? [amd64Host] : [])] });
        const result = wait.stdout.apply(waitResult);

        // Verification reads the registry only once the build's result is in: a failed build stops at its wait,
        // once, rather than once per image's registry read.
        const verified = result.apply(() => verifyMultiArch({
            hub: target.hub,
            tag: s.tag + VARIANT_TAG_SUFFIX[s.variant],
            images: s.images,
            platforms: s.architectures,
        }, { parent: this }));

        this.hub = target.hub;
        this.tag = pulumi.output(s.tag);
        this.variant = pulumi.output(s.variant);
        this.buildKey = pulumi.output(key);
        this.runId = pulumi.output(runId);
        // The registry's read token is secret, and so is all that the verification returns; the digests are not.
        this.imageDigests = pulumi.unsecret(verified).apply((v) => Object.fromEntries(Object.entries(v).map(([image, i]) => [image, i.digests])));
        this.binaryMachines = result.apply((r) => r.binaries ?? {});
        this.logLocation = logLocation;
        this.durationSeconds = result.durationSeconds;
        this.stepSeconds = result.apply((r) => r.steps ?? {});
        this.registerOutputs({
            hub: this.hub, tag: this.tag, variant: this.variant, buildKey: this.buildKey, runId: this.runId,
            imageDigests: this.imageDigests, binaryMachines: this.binaryMachines, logLocation: this.logLocation,
            durationSeconds: this.durationSeconds, stepSeconds: this.stepSeconds,
        });
    }
}

/** The result the wait printed: it prints one only for a build that succeeded, and fails otherwise. */
function waitResult(stdout: string): BuildResult {
    const result = parseResult(stdout);
    if (!result || result.status !== "succeeded") throw new Error(`the build's wait printed no successful result: ${JSON.stringify(stdout.slice(0, 200))}`);
    return result;
}

function invalid(propertyPath: string, reason: string): never {
    throw new pulumi.InputPropertyError({ propertyPath, reason });
}

/** Applies defaults and refuses what cannot build, before anything is registered. */
export function validate(args: IstioImageBuildArgs): Settings {
    const mode = args.mode ?? "mirror";
    if (!BUILD_MODES.includes(mode)) invalid("mode", `${JSON.stringify(mode)} is not one of ${BUILD_MODES.join(", ")}`);
    const sha = (key: "istioSha" | "proxySha" | "toolsSha", needed: boolean) => {
        const value = args[key];
        if (value === undefined) {
            if (needed) invalid(key, `is required by mode ${JSON.stringify(mode)}: a 40-character git commit SHA`);
            return undefined;
        }
        if (!/^[0-9a-f]{40}$/.test(value)) invalid(key, `${JSON.stringify(value)} is not a full git commit SHA (40 lowercase hex characters)`);
        return value;
    };
    const istioSha = sha("istioSha", mode !== "mirror");
    const proxySha = sha("proxySha", mode === "from-source");
    const toolsSha = sha("toolsSha", false);
    if (mode === "mirror") {
        const release = args.istioRelease;
        if (release === undefined) invalid("istioRelease", `is required by mode "mirror": an Istio release such as 1.30.3`);
        if (!ISTIO_RELEASE.test(release)) invalid("istioRelease", `${JSON.stringify(release)} is not an Istio release such as 1.30.3; mode "mirror" needs one`);
        if (!supportsMirror(release)) {
            invalid("istioRelease", `${release} predates ${FIRST_MULTIARCH_RELEASE.major}.${FIRST_MULTIARCH_RELEASE.minor}, the first release with arm64 images; there is nothing to mirror for arm64`);
        }
    }
    const architectures = args.architectures ?? [...PLATFORMS];
    if (architectures.length === 0 || architectures.some((a) => !PLATFORMS.includes(a)) || new Set(architectures).size !== architectures.length) {
        invalid("architectures", `${JSON.stringify(architectures)} must list one or more distinct platforms of ${PLATFORMS.join(", ")}`);
    }
    const variant = args.variant ?? "distroless";
    if (!VARIANTS.includes(variant)) invalid("variant", `${JSON.stringify(variant)} is not one of ${VARIANTS.join(", ")}`);
    const farmImages = args.farm.repositoryNames;
    const images = args.images ?? [...farmImages];
    const unknown = images.filter((i) => !farmImages.includes(i));
    if (images.length === 0 || unknown.length > 0) {
        invalid("images", `${JSON.stringify(unknown.length ? unknown : images)} is not accepted; name one or more of the farm's repositories (${farmImages.join(", ")})`);
    }
    if (mode === "mirror" && imagesMissingFrom(args.istioRelease!, images).length > 0) {
        invalid("images", `${JSON.stringify(imagesMissingFrom(args.istioRelease!, images))} ${imagesMissingFrom(args.istioRelease!, images).length === 1 ? "is" : "are"} not published by Istio ${args.istioRelease}, ` +
            `which publishes ${imagesOf(args.istioRelease!, ISTIO_IMAGES).join(", ")}; leave ${imagesMissingFrom(args.istioRelease!, images).length === 1 ? "it" : "them"} out`);
    }
    const tag = args.tag ?? defaultTag(mode, args.istioRelease, { istio: istioSha, proxy: proxySha, tools: toolsSha });
    if (!DOCKER_TAG.test(tag)) invalid("tag", `${JSON.stringify(tag)} is not a Docker tag`);
    const expiring = DEV_TAG_PREFIXES.find((prefix) => tag.startsWith(prefix));
    if (expiring) invalid("tag", `${JSON.stringify(tag)} starts with ${JSON.stringify(expiring)}, a prefix the farm's ECR lifecycle expires (staging tags); use a tag that starts otherwise`);
    if (tag.length > MAX_BUILD_TAG_LENGTH) invalid("tag", `${JSON.stringify(tag)} has ${tag.length} characters; use at most ${MAX_BUILD_TAG_LENGTH}, so that the build's staging tag and the distroless suffix fit Docker's 128`);
    const timeoutMinutes = args.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES[mode];
    if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1 || timeoutMinutes > MAX_TIMEOUT_MINUTES) {
        invalid("timeoutMinutes", `${timeoutMinutes} is not an integer from 1 to ${MAX_TIMEOUT_MINUTES}, the longest build the SSM agent lets one step run (172800 s, with the host's boot)`);
    }
    if (mode === "from-source" && timeoutMinutes < FROM_SOURCE_MIN_TIMEOUT_MINUTES) {
        invalid("timeoutMinutes", `${timeoutMinutes} minutes cannot hold a from-source build, which compiles envoy; use at least ${FROM_SOURCE_MIN_TIMEOUT_MINUTES}`);
    }
    const tagProblem = tagsProblem(args.tags ?? {});
    if (tagProblem) invalid("tags", tagProblem);
    if (args.artifactRegistry && args.ecrHub) invalid("ecrHub", "is given beside artifactRegistry; name one hub to publish to");
    if (args.ecrHub !== undefined && !ecrRegistryOf(args.ecrHub)) {
        invalid("ecrHub", `${JSON.stringify(args.ecrHub)} is not an ECR hub such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/istio`);
    }
    if (args.artifactRegistry && registryKind(args.artifactRegistry.hub) !== "artifact-registry") {
        invalid("artifactRegistry.hub", `${JSON.stringify(args.artifactRegistry.hub)} is not an Artifact Registry hub such as us-central1-docker.pkg.dev/acme/istio`);
    }
    const destination = args.artifactRegistry ? `artifact-registry ${args.artifactRegistry.hub}`
        : args.ecrHub ? `ecr ${args.ecrHub}` : `farm ${args.farm.repositoryPrefix}`;
    const attempt = args.attempt ?? 1;
    // Up to 999: names and tags budget `-a999` for it (runStem; MAX_BUILD_TAG_LENGTH).
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > 999) invalid("attempt", `${attempt} is not a whole number from 1 to 999`);
    const namePrefix = args.namePrefix ?? defaultNamePrefix(pulumi.getStack());
    const prefixProblem = namePrefixProblem(namePrefix, { aws: true });
    if (prefixProblem) invalid("namePrefix", prefixProblem);
    return {
        namePrefix,
        destination,
        mode, istioRelease: mode === "mirror" ? args.istioRelease : undefined, istioSha, proxySha, toolsSha,
        architectures, variant, images, tag, timeoutMinutes, attempt,
    };
}

interface PublishTarget {
    hub: pulumi.Output<string>;
    /** The registry host, which the script logs in to. */
    registry: pulumi.Output<string>;
    /** For Artifact Registry: what the script exchanges the host's AWS role for a push token with. */
    federation?: pulumi.Output<{ provider: string; serviceAccount: string }>;
}

/** Where the images go: the farm's ECR hub, another ECR hub, or an Artifact Registry hub reached by federation. */
function publishTarget(farm: BuildFarm, args: IstioImageBuildArgs): PublishTarget {
    if (args.ecrHub) return { hub: pulumi.output(args.ecrHub), registry: pulumi.output(registryHost(args.ecrHub)) };
    const registry = args.artifactRegistry;
    if (!registry) return { hub: pulumi.output(farm.hub), registry: pulumi.output(farm.registry) };
    const hub = pulumi.output(registry.hub);
    return {
        hub,
        registry: hub.apply(registryHost),
        federation: pulumi.all([registry.workloadIdentityProvider, registry.serviceAccountEmail])
            .apply(([provider, serviceAccount]) => ({ provider, serviceAccount })),
    };
}

/** The build script's environment: everything it needs, nothing secret. */
function buildEnvironment(s: Settings, runId: string, key: string, resultPath: string, farm: BuildFarm,
    target: PublishTarget, instanceArnPrefix: pulumi.Output<string>): pulumi.Output<BuildEnvironment> {
    return pulumi.all([target.hub, target.registry, target.federation, farm.region, instanceArnPrefix, farm.dockerHubParameterName, farm.cacheBucketName])
        .apply(([hub, registry, federation, region, arnPrefix, dockerHubParameter, cacheBucket]) => {
            const env: BuildEnvironment = {
                ARMFARM_BUILD_MODE: s.mode,
                ARMFARM_BUILD_RUN: runId,
                ARMFARM_BUILD_KEY: key,
                ARMFARM_HUB: hub,
                ARMFARM_REGISTRY: registry,
                ARMFARM_TAG: s.tag,
                ARMFARM_VARIANT: s.variant,
                ARMFARM_IMAGES: s.images.join(" "),
                ARMFARM_IMAGE_BINARIES: s.images.map((image) => `${image}=${(IMAGE_BINARIES[image] ?? []).join(",")}`).join(" "),
                ARMFARM_ARCHITECTURES: s.architectures.join(","),
                ARMFARM_REGION: region,
                ARMFARM_TIMEOUT_SECONDS: String(s.timeoutMinutes * 60),
                ARMFARM_READY_TIMEOUT_SECONDS: String(HOST_READY_TIMEOUT_MINUTES * 60),
                ARMFARM_RESULT_PATH: resultPath,
                ARMFARM_INSTANCE_ARN_PREFIX: arnPrefix,
                ARMFARM_LOG_DIR: HOST_LOG_DIR,
                ARMFARM_WORK_DIR: "/var/lib/armfarm/build",
            };
            if (s.mode === "mirror") {
                env.ARMFARM_ISTIO_RELEASE = s.istioRelease!;
                env.ARMFARM_UPSTREAM_HUB = UPSTREAM_HUB;
            } else {
                env.ARMFARM_ISTIO_SHA = s.istioSha!;
            }
            if (s.mode === "from-source") {
                env.ARMFARM_PROXY_SHA = s.proxySha!;
                if (s.toolsSha) env.ARMFARM_TOOLS_SHA = s.toolsSha;
                env.ARMFARM_CACHE_BUCKET = cacheBucket;
            }
            if (federation) {
                env.ARMFARM_GCP_WORKLOAD_IDENTITY_PROVIDER = federation.provider;
                env.ARMFARM_GCP_SERVICE_ACCOUNT = federation.serviceAccount;
            }
            if (dockerHubParameter) env.ARMFARM_DOCKERHUB_PARAMETER = dockerHubParameter;
            return env;
        });
}

/**
 * Push rights for the farm's host role on this build's images in another ECR hub, as an inline policy of the
 * role (the build's own, removed with it). The hub must be in the farm's region, where the hosts log in; a hub of
 * another account also needs that repository's policy to admit the role.
 */
function grantEcrPush(name: string, scope: string, farm: BuildFarm, hub: string, images: string[], opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
    const { accountId, region, partition } = ecrRegistryOf(hub)!;
    const namespace = hub.split("/").slice(1).join("/");
    return new aws.iam.RolePolicy(`${name}-ecr-push`, {
        name: `${scope}-ecr-push`,
        role: farm.hostRoleName,
        policy: pulumi.output(farm.region).apply((farmRegion) => {
            if (farmRegion !== region) throw new Error(`the ECR hub ${hub} is in ${region}, but the farm's hosts log in to ECR in ${farmRegion}; publish to a hub of ${farmRegion}`);
            return JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "PushThisBuildsImages",
                    Effect: "Allow",
                    Action: [...ECR_PUSH_ACTIONS],
                    Resource: images.map((image) => `arn:${partition}:ecr:${region}:${accountId}:repository/${namespace ? `${namespace}/` : ""}${image}`),
                }],
            });
        }),
    }, opts);
}
