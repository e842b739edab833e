/**
 * Where a build's farm is: in this stack (`armfarm:parts` holds "farm"), in another stack named by
 * `armfarm:buildFarmStack` (read through a StackReference), or given whole as `armfarm:buildFarm`, the farm
 * stack's `farmCore` output, as an ESC environment's `pulumi-stacks` provider maps it into config.
 */
import { FarmCore, parseFarmCore } from "../components/aws/farm-core";
import { ConfigReader, show } from "./reader";
import { FarmConfig } from "./farm";
import { FarmFacts } from "./build";

/** A stack's fully qualified name, as a StackReference and the offline plan's --ref take it. */
export const STACK_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
export const STACK_NAME_ACCEPTED = "a stack's full name ORG/PROJECT/STACK, such as acme/armfarm/farm";

/** Reads one output of another stack (index.ts: through a StackReference). */
export type StackOutputReader = (stack: string, output: string) => Promise<unknown>;

export type FarmSource =
    | { kind: "own" }
    /** A farm of another stack: its `farmCore`, and whom problems with it name. */
    | { kind: "elsewhere"; core: FarmCore; key: string; farm: string };

/**
 * The build's farm. Problems name the key: a farm named twice (this stack's and another), none at all, a name
 * that is not a stack's, a `farmCore` of the wrong shape.
 */
export async function readFarmSource(r: ConfigReader, parts: readonly string[], readOutput: StackOutputReader): Promise<FarmSource | undefined> {
    const hasFarm = parts.includes("farm");
    const stack = r.optionalString("buildFarmStack", { pattern: STACK_NAME, accepted: STACK_NAME_ACCEPTED });
    // `{}`, the declared default that the CLI passes when the stack sets nothing, names no farm.
    const raw = r.json("buildFarm");
    const given = isEmptyObject(raw) ? undefined : raw;
    // A value that is no structured value at all is reported by `json`, and still counts as naming a farm.
    const unreadable = r.problems.some((p) => p.key === r.full("buildFarm"));
    const givenSet = given !== undefined || unreadable;
    const named = [...(stack !== undefined ? ["armfarm:buildFarmStack"] : []), ...(givenSet ? ["armfarm:buildFarm"] : [])];
    if (hasFarm) {
        for (const key of named) {
            r.fail(key.slice("armfarm:".length), `names a farm of another stack, but armfarm:parts deploys this stack's own farm, which its build uses; remove the key, or "farm" from armfarm:parts`);
        }
        return { kind: "own" };
    }
    if (named.length === 0) {
        r.fail("parts", `${show(parts)} has "build" without "farm", and neither armfarm:buildFarmStack nor armfarm:buildFarm names the farm of another stack; ` +
            `a build runs on a farm's hosts, so add "farm", or name the farm's stack (${STACK_NAME_ACCEPTED})`);
        return undefined;
    }
    if (named.length === 2) {
        r.fail("buildFarm", "is set beside armfarm:buildFarmStack; name the farm once: its stack, or (from an ESC environment) its farmCore output");
        return undefined;
    }
    if (named[0] === "armfarm:buildFarm") {
        // A value that is no structured value at all is already reported.
        if (given === undefined) return undefined;
        const { core, problems } = parseFarmCore(given, "the value");
        for (const problem of problems) r.fail("buildFarm", `${problem}; give the farm stack's farmCore output whole`);
        return core && { kind: "elsewhere", core, key: "buildFarm", farm: `the farm of armfarm:buildFarm (${core.hub})` };
    }
    if (stack === undefined || !STACK_NAME.test(stack)) return undefined;
    const { core, problems } = parseFarmCore(await readOutput(stack, "farmCore"), `its output farmCore`);
    for (const problem of problems) {
        r.fail("buildFarmStack", `${show(stack)}: ${problem}; name a stack that deploys the farm (armfarm:parts with "farm"), updated since it had one`);
    }
    return core && { kind: "elsewhere", core, key: "buildFarmStack", farm: `the farm of stack ${stack}` };
}

function isEmptyObject(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** What the build's checks need of its farm. */
export function farmFacts(source: FarmSource, own: FarmConfig): FarmFacts {
    if (source.kind === "own") {
        return { instanceType: own.instanceType, amd64InstanceType: own.amd64InstanceType, rootVolumeGiB: own.rootVolumeGiB, repositories: own.repositories };
    }
    const { core } = source;
    return {
        instanceType: core.instanceType, amd64InstanceType: core.amd64InstanceType, rootVolumeGiB: core.rootVolumeGiB,
        repositories: core.repositoryNames, elsewhere: { key: source.key, farm: source.farm },
    };
}
