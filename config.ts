/**
 * The stack's configuration, read once and validated as a whole. Every rule lives in config/: an invalid stack
 * fails here, before any resource is registered, with one error that lists every bad key, its value and what
 * is accepted.
 */
import { ConfigReader, show } from "./config/reader";
import { AWS_REGION, AWS_REGION_ACCEPTED } from "./config/formats";
import { FarmConfig, readFarmConfig } from "./config/farm";
import { BuildConfig, readBuildConfig } from "./config/build";

export { ConfigError } from "./config/reader";

/** The parts a stack can hold; each works alone or fed by the one before it. */
export const PARTS = ["farm", "build", "cluster", "mesh"] as const;
export type Part = (typeof PARTS)[number];

export interface StackConfig {
    /** The parts this stack deploys (`armfarm:parts`). */
    parts: ReadonlySet<Part>;
    /** The AWS region of the farm and builds (`aws:region`). */
    awsRegion: string;
    farm: FarmConfig;

    // build: IstioImageBuild settings (config/build.ts)
    /** Undefined when the stack has no "build" part. */
    build?: BuildConfig;

    // cluster: GkeArmCluster settings (config/cluster.ts)

    // mesh: IstioMesh settings (config/mesh.ts)

}

export function loadConfig(): StackConfig {
    const r = new ConfigReader("armfarm");
    const parts = new Set(r.stringList("parts", { default: [...PARTS], oneOf: PARTS, minItems: 1 }) as Part[]);
    if (parts.has("build") && !parts.has("farm")) {
        r.fail("parts", `${show([...parts])} has "build" without "farm"; a build runs on the farm's hosts, so add "farm"`);
    }

    const aws = r.namespaceReader("aws");
    const awsRegion = parts.has("farm")
        ? aws.string("region", { pattern: AWS_REGION, accepted: AWS_REGION_ACCEPTED })
        : "";
    const farm = readFarmConfig(r);

    // build section
    // Read even without the "build" part, so that its keys stay known; its problems count only with the part.
    const problemsBeforeBuild = r.problems.length;
    const buildConfig = readBuildConfig(r, farm);
    if (!parts.has("build")) r.problems.splice(problemsBeforeBuild);
    const build = parts.has("build") ? buildConfig : undefined;

    // cluster section

    // mesh section


    r.checkUnknownKeys();
    r.throwIfInvalid();
    return {
        parts,
        awsRegion,
        farm,
        build,

    };
}
