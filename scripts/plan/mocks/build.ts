import { FAKE_AWS_ACCOUNT, MockTable, stableHex, stackConfig } from "./fake";

/**
 * A finished build's record, as the build script leaves it under its result path: a success with a duration
 * derived from the path. Tests replace it to show a failed build.
 */
export function buildResultParameters(path: string, result: Record<string, unknown> = {}, logTail = "") {
    const region = stackConfig("aws:region", "us-east-1");
    const instanceId = `i-${stableHex(17, path)}`;
    const record = {
        status: "succeeded", message: "published", durationSeconds: 300 + parseInt(stableHex(3, path), 16) % 600,
        instanceId, logFile: `/var/log/armfarm/build-${path.split("/").pop()}.log`, ...result,
    };
    const names = [`${path}/log-tail`, `${path}/result`];
    return {
        id: path, path, region, recursive: false, withDecryption: true,
        names, types: ["String", "String"],
        values: [logTail || `armfarm-build-${path.split("/").pop()} result: ${record.status}`, JSON.stringify(record)],
        arns: names.map((n) => `arn:aws:ssm:${region}:${FAKE_AWS_ACCOUNT}:parameter${n}`),
    };
}

/** The build's resources and invokes: its host group and its recorded result. */
export const buildMocks: MockTable = {
    resources: {
        "aws:autoscaling/group:Group": (name, inputs) => ({
            arn: `arn:aws:autoscaling:${stackConfig("aws:region", "us-east-1")}:${FAKE_AWS_ACCOUNT}:autoScalingGroup:${stableHex(8, name)}-${stableHex(4, name, "a")}-${stableHex(4, name, "b")}-${stableHex(4, name, "c")}-${stableHex(12, name, "d")}:autoScalingGroupName/${inputs.name ?? name}`,
            name: inputs.name ?? name,
            id: inputs.name ?? name,
        }),
    },
    invokes: {
        "aws:ssm/getParametersByPath:getParametersByPath": (inputs) => buildResultParameters(String(inputs.path)),
    },
};
