/**
 * The stack's configuration, read once and validated as a whole. Every rule lives in config/: an invalid stack
 * fails here, before any resource is registered, with one error that lists every bad key, its value and what
 * is accepted.
 */
import { ConfigReader, show } from "./config/reader";
import { AWS_REGION, AWS_REGION_ACCEPTED } from "./config/formats";
import { FarmConfig, readFarmConfig } from "./config/farm";
import { ClusterConfig, readClusterConfig } from "./config/cluster";
import { MeshConfig, readMeshConfig } from "./config/mesh";
import { BuildConfig, readBuildConfig } from "./config/build";
import { farmFacts, FarmSource, readFarmSource, StackOutputReader } from "./config/farm-source";
import { asksForArtifactRegistry, FarmIdentity, HubTarget, readHubTarget } from "./config/hub-target";
import { hostRoleName } from "./components/aws/farm";
import { MAX_STACK_TAGS, tagsProblem } from "./components/aws/tags";
import { checkKeysOfParts, Part, PARTS } from "./config/parts";
import { defaultNamePrefix, namePrefixProblem } from "./components/names";
import * as pulumi from "@pulumi/pulumi";

export { ConfigError } from "./config/reader";

export { PARTS, Part } from "./config/parts";

export interface StackConfig {
    /** The parts this stack deploys (`armfarm:parts`). */
    parts: ReadonlySet<Part>;
    /** The stem of every name unique in an AWS account or GCP project (`armfarm:namePrefix`); undefined: `armfarm-<stack>`. */
    namePrefix?: string;
    /** AWS tags for every AWS resource of the farm and the build (`armfarm:tags`). */
    tags: Record<string, string>;
    /** The AWS region of the farm and builds (`aws:region`). */
    awsRegion: string;
    farm: FarmConfig;

    // build: IstioImageBuild settings (config/build.ts)
    /** Undefined when the stack has no "build" part. */
    build?: BuildConfig;
    /** The build's farm: this stack's, or another stack's `farmCore` (undefined without a build). */
    buildFarm?: FarmSource;
    /** Where the build publishes (undefined without a build). */
    buildHub?: HubTarget;

    // cluster: GkeArmCluster settings (config/cluster.ts)
    cluster: ClusterConfig;

    // mesh: IstioMesh settings (config/mesh.ts)
    mesh: MeshConfig;

}

/** An ECR hub's registry host (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]`, ECR's registry URL). */
const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;
/** An Artifact Registry Docker hub's host (`<location>-docker.pkg.dev`, Artifact Registry's repository URL). */
const ARTIFACT_REGISTRY_HOST = /^[a-z0-9-]+-docker\.pkg\.dev\//;

/**
 * Whether the mesh may pull what the stack's own build publishes, and so must wait for it: it takes the build's
 * hub or tag, or names the tag the build publishes on a hub the build may publish to (the same hub when config
 * names it; a hub of the same registry service when the hub is the farm's or the cluster's, known only once
 * they exist). Otherwise the build publishes nothing the mesh pulls, and the mesh's preflight reads the registry
 * at once, in a preview too, where it and the pack judge a hub that is not multi-arch before anything is made.
 */
export function meshPullsFromBuild(mesh: Pick<MeshConfig, "hub" | "tag">, build: Pick<BuildConfig, "tag">, hub: HubTarget): boolean {
    if (mesh.hub === undefined || mesh.tag === undefined) return true;
    if (mesh.tag !== build.tag) return false;
    switch (hub.kind) {
        case "ecr":
        case "artifact-registry":
            return mesh.hub === hub.hub;
        case "farm":
            return ECR_HOST.test(mesh.hub);
        case "cluster":
            return ARTIFACT_REGISTRY_HOST.test(mesh.hub);
    }
}

/** The Istio image variants of the build and the mesh that are the same images (`global.variant`). */
const MESH_VARIANT_OF_BUILD: Record<BuildConfig["variant"], MeshConfig["variant"]> = { default: "", distroless: "distroless" };

/**
 * When the mesh pulls what the stack's own build publishes (meshHub/meshTag empty), it must ask for images
 * the build makes: the same variant, every image it pulls, and, for a mirror, the same Istio release.
 */
function checkMeshFitsBuild(r: ConfigReader, mesh: MeshConfig, build: BuildConfig, onOwnCluster: boolean): void {
    if (mesh.hub !== undefined && mesh.tag !== undefined) return;
    if (mesh.hub === undefined && onOwnCluster && build.publishTo !== "artifact-registry") {
        r.fail("buildPublishTo", `${show(build.publishTo)} puts the mesh's images in ECR, which the GKE nodes cannot pull from without credentials; use "artifact-registry" (the cluster's hub, readable by its nodes), or set meshHub`);
    }
    const expected = MESH_VARIANT_OF_BUILD[build.variant];
    if (mesh.variant !== expected) {
        r.fail("meshVariant", `${show(mesh.variant || "none")} pulls images that armfarm:buildVariant ${show(build.variant)} does not publish; use ${show(expected || "none")} (or set meshHub and meshTag)`);
    }
    const pulled = ["pilot", "proxyv2", ...(mesh.cni ? ["install-cni"] : [])];
    const missing = pulled.filter((image) => !build.images.includes(image));
    if (missing.length > 0) {
        r.fail("buildImages", `${show(build.images)} lacks ${missing.join(", ")}, which the mesh pulls; add ${missing.length === 1 ? "it" : "them"}`);
    }
    if (mesh.tag === undefined && build.mode === "mirror" && build.istioRelease !== undefined && build.istioRelease !== mesh.istioVersion) {
        r.fail("meshIstioVersion", `${show(mesh.istioVersion)} differs from armfarm:buildIstioRelease ${show(build.istioRelease)}, whose images the mesh would run; use the same release`);
    }
}

/** What the checks read beyond config: other stacks' outputs, and the account the AWS provider deploys to. */
export interface ConfigSources {
    /** An output of another stack (a farm named by `armfarm:buildFarmStack`, a hub by `buildHubStack`). */
    readStackOutput: StackOutputReader;
    /** The AWS account of the provider's credentials. */
    awsAccountId(): Promise<string>;
}

/** Reads and checks the stack's config, with what the checks of a build on another stack's farm need. */
export async function loadConfig(sources: ConfigSources): Promise<StackConfig> {
    const { readStackOutput } = sources;
    const r = new ConfigReader("armfarm");
    const parts = new Set(r.stringList("parts", { default: [...PARTS], oneOf: PARTS, minItems: 1 }) as Part[]);

    const namePrefix = r.optionalString("namePrefix");
    const prefixProblem = namePrefix === undefined ? undefined
        : namePrefixProblem(namePrefix, { aws: parts.has("farm") || parts.has("build"), gcp: parts.has("cluster") });
    if (prefixProblem) r.fail("namePrefix", prefixProblem);

    const tags = r.stringMap("tags");
    const tagProblem = tagsProblem(tags);
    if (tagProblem) r.fail("tags", tagProblem);

    const aws = r.namespaceReader("aws");
    const awsRegion = parts.has("farm") || parts.has("build")
        ? aws.string("region", { pattern: AWS_REGION, accepted: AWS_REGION_ACCEPTED })
        : "";
    const farm = readFarmConfig(r);

    // build section
    // Read even without the "build" part, so that its keys stay known; its problems count only with the part.
    const problemsBeforeBuild = r.problems.length;
    const buildFarm = parts.has("build") ? await readFarmSource(r, [...parts], readStackOutput) : undefined;
    if (buildFarm?.kind === "elsewhere") {
        // A build creates its groups, documents and roles where the provider deploys, and launches hosts from the
        // farm's templates into its subnets: it must deploy to the farm's region and account.
        if (awsRegion && buildFarm.core.region !== awsRegion) {
            aws.fail("region", `${show(awsRegion)} is not the region of ${buildFarm.farm}, ${show(buildFarm.core.region)}; a build launches its hosts in the farm's subnets, so deploy it there`);
        }
        // The build's resources and hosts carry the farm's tags and this stack's: together within AWS's limit.
        const both = new Set([...Object.keys(buildFarm.core.tags), ...Object.keys(tags)].filter((k) => k !== "managed-by" && !k.startsWith("armfarm:")));
        if (both.size > MAX_STACK_TAGS) {
            r.fail("tags", `with the ${Object.keys(buildFarm.core.tags).length} tags of ${buildFarm.farm}, the build's resources would carry ${both.size} tags of the stacks', ` +
                `beside armfarm's own; AWS takes ${MAX_STACK_TAGS} such, so give fewer here`);
        }
        const account = await sources.awsAccountId();
        if (account !== buildFarm.core.accountId) {
            r.fail(buildFarm.key, `${buildFarm.farm} is in AWS account ${buildFarm.core.accountId}, but this stack's AWS credentials are of account ${account}; ` +
                "a build launches hosts from the farm's launch templates, so deploy it with credentials of the farm's account");
        }
    }
    const buildConfig = readBuildConfig(r, farmFacts(buildFarm ?? { kind: "own" }, farm), parts.has("cluster") || asksForArtifactRegistry(r));
    const buildHub = buildFarm ? await readHubTarget(r, buildConfig.publishTo, parts.has("cluster"), farmIdentity(buildFarm, awsRegion, namePrefix), readStackOutput) : undefined;
    if (!parts.has("build")) r.problems.splice(problemsBeforeBuild);
    // Known keys even where they were not read (no build, or no farm to check them against).
    ["buildFarmStack", "buildFarm", "buildHub", "buildHubStack", "buildHubWorkloadIdentityProvider", "buildHubServiceAccount"].forEach((key) => r.isSet(key));
    const build = parts.has("build") ? buildConfig : undefined;

    // cluster section
    const cluster = readClusterConfig(r, parts.has("cluster"));

    // mesh section
    const mesh = readMeshConfig(r, { mesh: parts.has("mesh"), build: parts.has("build") });
    if (parts.has("mesh") && build) checkMeshFitsBuild(r, mesh, build, parts.has("cluster"));

    checkKeysOfParts(r, parts);
    r.checkUnknownKeys();
    r.throwIfInvalid();
    return {
        parts,
        namePrefix,
        tags,
        awsRegion,
        farm,
        cluster,
        build,
        buildFarm,
        buildHub,

        mesh,
    };
}

/** The build's farm as the hub's checks see it: its region and host role. */
function farmIdentity(source: FarmSource, awsRegion: string, namePrefix: string | undefined): FarmIdentity {
    if (source.kind === "elsewhere") {
        return { region: source.core.region, hostRoleArn: source.core.hostRoleArn, hostRoleName: source.core.hostRoleName, farm: source.farm };
    }
    return { region: awsRegion, hostRoleName: hostRoleName(namePrefix ?? defaultNamePrefix(pulumi.getStack()), "farm"), farm: "the stack's farm" };
}
