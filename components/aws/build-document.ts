/**
 * How a build runs and reports: an SSM Command document holding the build script, an association that runs it
 * on the run's host and waits, and the reading of the result the script records.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { BUILD_RUN_TAG } from "./build-host";

const BUILD_SCRIPT = path.join(__dirname, "..", "build", "istio-build.sh");
const SCRIPT_PATH = "/usr/local/lib/armfarm/istio-build.sh";

/** The environment the build script reads, by variable name. */
export type BuildEnvironment = Record<string, string>;

/** Only these characters reach the document, so that no value can change the shell it lands in. */
const SAFE_VALUE = /^[A-Za-z0-9_.,:/@ =+-]*$/;

/**
 * The SSM Command document (schema 2.2) of a build: it writes the build script from the repository to the
 * host and runs it with the build's environment. It succeeds once the script has recorded its result, even
 * a failed one: the association's own failure would show `pulumi up` nothing but "Failed", while the recorded
 * result lets the component fail with the failed step, the log tail and where the log is.
 */
export function buildDocumentContent(env: BuildEnvironment, executionTimeoutSeconds: number): string {
    for (const [k, v] of Object.entries(env)) {
        if (!SAFE_VALUE.test(v)) throw new Error(`build environment ${k}=${JSON.stringify(v)} holds a character the document does not pass`);
    }
    const script = fs.readFileSync(BUILD_SCRIPT, "utf8");
    const exports = Object.keys(env).sort().map((k) => `export ${k}='${env[k]}'`);
    return JSON.stringify({
        schemaVersion: "2.2",
        description: "armfarm: build or mirror Istio's images and publish them multi-arch",
        mainSteps: [{
            action: "aws:runShellScript",
            name: "istioImageBuild",
            inputs: {
                timeoutSeconds: String(executionTimeoutSeconds),
                runCommand: [
                    `install -d -m 0755 ${path.posix.dirname(SCRIPT_PATH)}`,
                    `cat > ${SCRIPT_PATH} <<'ARMFARM_BUILD_SCRIPT'`,
                    ...script.replace(/\n$/, "").split("\n"),
                    "ARMFARM_BUILD_SCRIPT",
                    ...exports,
                    `status=0; bash ${SCRIPT_PATH} || status=$?`,
                    `if [ -f "$ARMFARM_WORK_DIR/$ARMFARM_BUILD_RUN/result-recorded" ]; then exit 0; fi`,
                    "exit $status",
                ],
            },
        }],
    }, null, 2);
}

export function createBuildDocument(name: string, content: pulumi.Input<string>, tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions): aws.ssm.Document {
    return new aws.ssm.Document(`${name}-build`, {
        name: `armfarm-${name}-build`,
        documentType: "Command",
        documentFormat: "JSON",
        targetType: "/AWS::EC2::Instance",
        content,
        tags,
    }, opts);
}

/**
 * Runs the document on the run's host (by its run tag) once, and waits until it succeeds or the wait ends.
 * Its name and target hold the run id, so a new run replaces it; an unchanged run leaves it alone.
 */
export function createBuildAssociation(name: string, runId: string, document: aws.ssm.Document, waitSeconds: number,
    opts: pulumi.CustomResourceOptions): aws.ssm.Association {
    return new aws.ssm.Association(`${name}-build`, {
        associationName: `armfarm-${name}-${runId}`,
        name: document.name,
        targets: [{ key: `tag:${BUILD_RUN_TAG}`, values: [runId] }],
        maxConcurrency: "1",
        maxErrors: "0",
        waitForSuccessTimeoutSeconds: waitSeconds,
    }, {
        ...opts,
        replaceOnChanges: ["associationName", "targets"],
        deleteBeforeReplace: true,
    });
}

/** What the build script records under its result path. */
export interface BuildResult {
    status: "succeeded" | "failed";
    message: string;
    durationSeconds: number;
    instanceId: string;
    logFile: string;
}

/** Thrown when the recorded result is a failure: names the step, shows the log tail and where the rest is. */
export class BuildFailedError extends Error {
    constructor(readonly result: BuildResult, readonly logTail: string, readonly logLocation: string) {
        super(`the Istio image build failed: ${result.message}.\n` +
            `Last lines of its log:\n${logTail.split("\n").map((l) => `    ${l}`).join("\n")}\n` +
            `Full log: ${logLocation}${result.instanceId ? ` (host ${result.instanceId}, stream ${result.instanceId}/armfarm)` : ""}`);
        this.name = "BuildFailedError";
    }
}

/**
 * Reads the result the script recorded, once the association is done (the invoke depends on it, so
 * `pulumi preview` of a new run does not read a result that does not exist yet). Fails on a failed build.
 */
export function readBuildResult(resultPath: string, logLocation: pulumi.Input<string>, association: aws.ssm.Association,
    opts: pulumi.InvokeOutputOptions): pulumi.Output<BuildResult> {
    const params = aws.ssm.getParametersByPathOutput({ path: resultPath }, { ...opts, dependsOn: [association] });
    // The provider marks every value of this data source sensitive; these are the script's own status lines.
    return pulumi.unsecret(pulumi.all([params.names, params.values, logLocation]).apply(([names, values, location]) => {
        const byName = Object.fromEntries(names.map((n, i) => [n.slice(resultPath.length + 1), values[i]]));
        if (byName.result === undefined) {
            throw new Error(`the build recorded no result under ${resultPath}; its log: ${location}`);
        }
        const result = JSON.parse(byName.result) as BuildResult;
        if (result.status !== "succeeded") throw new BuildFailedError(result, byName["log-tail"] ?? "", location);
        return result;
    }));
}
