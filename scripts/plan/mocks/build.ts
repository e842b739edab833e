import { FAKE_AWS_ACCOUNT, MockTable, stableHex, stackConfig } from "./fake";

/**
 * What the build's wait prints on stdout for a finished run: the result its host recorded, a success with a
 * duration derived from the run. Tests replace it to show other results.
 */
export function waitOutput(runId: string, result: Record<string, unknown> = {}): string {
    return JSON.stringify({
        status: "succeeded", message: "published", durationSeconds: 300 + parseInt(stableHex(3, runId), 16) % 600,
        instanceId: `i-${stableHex(17, runId)}`, logTail: `armfarm-build-${runId} result: succeeded`, ...result,
    });
}

/** The build's resources: its host group and its wait. */
export const buildMocks: MockTable = {
    resources: {
        "aws:autoscaling/group:Group": (name, inputs) => ({
            arn: `arn:aws:autoscaling:${stackConfig("aws:region", "us-east-1")}:${FAKE_AWS_ACCOUNT}:autoScalingGroup:${stableHex(8, name)}-${stableHex(4, name, "a")}-${stableHex(4, name, "b")}-${stableHex(4, name, "c")}-${stableHex(12, name, "d")}:autoScalingGroupName/${inputs.name ?? name}`,
            name: inputs.name ?? name,
            id: inputs.name ?? name,
        }),
        // The command provider keeps the command's stdout (one trailing newline trimmed) as `stdout`.
        "command:local:Command": (name, inputs) => {
            const settings = JSON.parse(String(inputs.environment?.ARMFARM_BUILD_WAIT ?? "{}")) as { runId?: string };
            return { stdout: waitOutput(settings.runId ?? name), stderr: "" };
        },
    },
    invokes: {},
};
