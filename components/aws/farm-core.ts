/**
 * What a build needs of a farm, as values: the farm of the same stack (GravitonBuildFarm has every field), or
 * one that lives in another stack, whose `farmCore` output holds them all (read through a StackReference, or
 * mapped into `armfarm:buildFarm` by an ESC environment's `pulumi-stacks` provider). pulumi-eks takes
 * `cluster: Cluster | CoreData` the same way.
 */
import * as pulumi from "@pulumi/pulumi";

/** The shape of `farmCore` this version writes and reads; another shape is refused, naming both. */
export const FARM_CORE_VERSION = 1;

export interface BuildFarm {
    /** The partition, region and account the farm is in; its builds deploy to the same. */
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    /** The farm's ECR registry host and hub (`<registry>/<repositoryPrefix>`). */
    registry: pulumi.Input<string>;
    hub: pulumi.Input<string>;
    /** The ECR namespace of the farm's repositories (the hub's path). */
    repositoryPrefix: string;
    /** The images the farm holds a repository for, and each repository's URL. */
    repositoryNames: string[];
    repositoryUrls: pulumi.Input<Record<string, string>>;
    /** The Graviton hosts: type, spot or not, the types a spot build may take, launch template and subnets. */
    instanceType: string;
    spot: boolean;
    spotInstanceTypes: pulumi.Input<string[]>;
    launchTemplateId: pulumi.Input<string>;
    launchTemplateVersion: pulumi.Input<number>;
    subnetIds: pulumi.Input<string[]>;
    /** From-source's x86 envoy host: type, launch template and the subnets whose zone offers the type. */
    amd64InstanceType: string;
    amd64LaunchTemplateId: pulumi.Input<string>;
    amd64LaunchTemplateVersion: pulumi.Input<number>;
    amd64SubnetIds: pulumi.Input<string[]>;
    /** The hosts' root volume, in GiB (a from-source build needs room). */
    rootVolumeGiB: number;
    /** The hosts' security group and role (a build may grant the role push rights to a hub of its own). */
    securityGroupId: pulumi.Input<string>;
    hostRoleArn: pulumi.Input<string>;
    hostRoleName: pulumi.Input<string>;
    instanceProfileArn: pulumi.Input<string>;
    /** The hosts' log group, where builds record results, the build cache, and the Docker Hub credential. */
    logGroupName: pulumi.Input<string>;
    resultRoot: string;
    cacheBucketName: pulumi.Input<string>;
    dockerHubParameterName?: pulumi.Input<string>;
    /** The tags of the farm's resources, which its builds' resources carry too. */
    tags: Record<string, string>;
    /** In the farm's own stack: what a build's hosts wait for (the host role's policies). Elsewhere they exist. */
    hostRoleReady?: pulumi.Resource[];
}

/** `farmCore`: a farm's BuildFarm as one plain value, for other stacks. */
export type FarmCore = { [K in Exclude<keyof BuildFarm, "hostRoleReady">]: pulumi.Unwrap<BuildFarm[K]> } & { version: number };

/** The fields of `farmCore` and the type each holds. */
const FIELDS: Record<Exclude<keyof FarmCore, "version">, "string" | "number" | "boolean" | "strings" | "list" | "tags" | "optional string"> = {
    partition: "string", region: "string", accountId: "string", registry: "string", hub: "string", repositoryPrefix: "string",
    repositoryNames: "strings", repositoryUrls: "tags", instanceType: "string", spot: "boolean", spotInstanceTypes: "strings",
    launchTemplateId: "string", launchTemplateVersion: "number", subnetIds: "strings",
    amd64InstanceType: "string", amd64LaunchTemplateId: "string", amd64LaunchTemplateVersion: "number", amd64SubnetIds: "list",
    rootVolumeGiB: "number", securityGroupId: "string", hostRoleArn: "string", hostRoleName: "string", instanceProfileArn: "string",
    logGroupName: "string", resultRoot: "string", cacheBucketName: "string", dockerHubParameterName: "optional string", tags: "tags",
};

/** The farm's `farmCore` output: every field resolved, with the shape's version. */
export function farmCoreOf(farm: BuildFarm): pulumi.Output<FarmCore> {
    const fields = Object.fromEntries(Object.keys(FIELDS).filter((f) => farm[f as keyof BuildFarm] !== undefined)
        .map((f) => [f, farm[f as keyof BuildFarm]]));
    return pulumi.output(fields).apply((core) => ({ version: FARM_CORE_VERSION, ...core }) as FarmCore);
}

/**
 * Reads a `farmCore` value (from another stack's output or from config), or says what is wrong with it: each
 * problem names the field and what it holds. `source` names where the value came from.
 */
export function parseFarmCore(value: unknown, source: string): { core?: FarmCore; problems: string[] } {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return { problems: [`${source} is ${value === undefined ? "missing" : JSON.stringify(value)}, not a farm's farmCore (an object)`] };
    }
    const v = value as Record<string, unknown>;
    if (v.version !== FARM_CORE_VERSION) {
        return { problems: [`${source} has version ${JSON.stringify(v.version)}; this program reads version ${FARM_CORE_VERSION} (update the farm's stack with the same armfarm release)`] };
    }
    const problems: string[] = [];
    for (const [field, kind] of Object.entries(FIELDS)) {
        const x = v[field];
        const ok = kind === "string" ? typeof x === "string" && x !== ""
            : kind === "optional string" ? x === undefined || x === null || (typeof x === "string" && x !== "")
            : kind === "number" ? typeof x === "number" && Number.isFinite(x)
            : kind === "boolean" ? typeof x === "boolean"
            : kind === "strings" || kind === "list" ? Array.isArray(x) && (kind === "list" || x.length > 0) && x.every((s) => typeof s === "string" && s !== "")
            : typeof x === "object" && x !== null && !Array.isArray(x) && Object.values(x).every((s) => typeof s === "string");
        if (!ok) problems.push(`${source}.${field} is ${x === undefined ? "missing" : JSON.stringify(x)}; expected ${describe(kind)}`);
    }
    if (problems.length > 0) return { problems };
    const core = { ...v } as FarmCore;
    if (core.dockerHubParameterName === null) delete core.dockerHubParameterName;
    return { core, problems };
}

function describe(kind: string): string {
    switch (kind) {
        case "strings": return "a non-empty list of strings";
        case "list": return "a list of strings";
        case "tags": return "a map of strings";
        case "optional string": return "a string, or nothing";
        default: return `a${kind === "string" ? " non-empty" : ""} ${kind}`;
    }
}
