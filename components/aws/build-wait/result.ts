/**
 * The result a build records: one JSON document, which the build script writes as a Parameter Store parameter
 * named by its host (`<result path>/<instance id>`, istio-build.sh `record_result`) and the wait reads back.
 */

/**
 * The tag a host must give the result it records, with its own instance ARN as the value: the host role may
 * create result parameters only with this tag set to `${ec2:SourceInstanceARN}` (farm.ts, host policy).
 */
export const RESULT_HOST_TAG = "armfarm:host";

/** The machine a binary in an image is built for, as the build read it from its ELF header. */
export type BinaryMachines = Record<string, Record<string, Record<string, string>>>;

export interface BuildResult {
    status: "succeeded" | "failed";
    /** `published`, `already published; verified only`, or what failed. */
    message: string;
    durationSeconds: number;
    instanceId: string;
    /** The last lines of the build's log. */
    logTail: string;
    /** Per image, per platform, per binary: the ELF machine found (AArch64, X86-64, ...). */
    binaries?: BinaryMachines;
}

/** The result in a recorded value, or undefined when the value is not one. */
export function parseResult(value: string): BuildResult | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        return undefined;
    }
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const r = parsed as Partial<BuildResult>;
    if ((r.status !== "succeeded" && r.status !== "failed") || typeof r.message !== "string") return undefined;
    return {
        status: r.status,
        message: r.message,
        durationSeconds: typeof r.durationSeconds === "number" ? r.durationSeconds : 0,
        instanceId: typeof r.instanceId === "string" ? r.instanceId : "",
        logTail: typeof r.logTail === "string" ? r.logTail : "",
        ...(r.binaries ? { binaries: r.binaries } : {}),
    };
}

/** The build failed, or its wait ended without a result: the message says what, and where the log is. */
export class BuildFailedError extends Error {
    constructor(message: string, readonly logTail: string, readonly logLocation: string) {
        super(`${message}.` +
            (logTail ? `\nLast lines of its log:\n${logTail.split("\n").map((l) => `    ${l}`).join("\n")}` : "") +
            `\nFull log: ${logLocation}`);
        this.name = "BuildFailedError";
    }
}

/** The error of a recorded failure: the failed step, the log tail and where the rest is. */
export function failedBuild(result: BuildResult, logLocation: string): BuildFailedError {
    const host = result.instanceId ? ` (host ${result.instanceId}, stream ${result.instanceId}/armfarm)` : "";
    return new BuildFailedError(`the Istio image build failed: ${result.message}`, result.logTail, `${logLocation}${host}`);
}
