/**
 * How a build runs: an SSM Command document that carries the build script, and an association that runs it on
 * whichever host of the run comes up. Both belong to one run: a new run (key or attempt) makes new ones, and
 * nothing in an existing run changes, so that an edit never restarts a build that is running.
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
export const SAFE_VALUE = /^[A-Za-z0-9_.,:/@ =+-]*$/;

/**
 * The bounds the agent gives a step's `timeoutSeconds`: a value outside 5 to 172800 is replaced by 3600.
 * Source: aws/amazon-ssm-agent@3.3.1142.0 agent/plugins/pluginutil/pluginutil.go
 * (`minExecutionTimeoutInSeconds`, `maxExecutionTimeoutInSeconds`, `ValidateExecutionTimeout`).
 */
export const STEP_TIMEOUT_SECONDS = { min: 5, max: 172800 } as const;

/**
 * A Parameter Store reference the agent resolves in a step's inputs before the step runs, failing the whole
 * association when no such parameter exists ("Input contains invalid parameters"). Source:
 * aws/amazon-ssm-agent@3.3.1142.0 agent/framework/docparser/parameterstore/parameterstore.go
 * (`validSSMParamRegex`, `\{\{ *ssm:[/\w.:-]+ *\}\}`; and `ssm-secure:` in the same form, testdata
 * sampleMessageWithSecureSsmParamPrecondition.json), applied by docparser.go to `mainSteps[].inputs`.
 */
export const AGENT_PARAMETER_REFERENCE = /\{\{ *ssm(-secure)?:[/\w.:-]+ *\}\}/;

/** The name of a run's document and association: the run's stem; `role` names the x86 envoy host's (`envoy-amd64`). */
export function runDocumentName(stem: string, role?: string): string {
    return role ? `${stem}-${role}` : stem;
}

/**
 * The SSM Command document (schema 2.2) of a run: it writes the build script from the repository to the host
 * and runs it with the run's environment. The step's exit status is the script's; the script records its
 * result in Parameter Store before it exits, failed or not.
 */
export function buildDocumentContent(env: BuildEnvironment, stepTimeoutSeconds: number): string {
    for (const [k, v] of Object.entries(env)) {
        if (!SAFE_VALUE.test(v)) throw new Error(`build environment ${k}=${JSON.stringify(v)} holds a character the document does not pass`);
    }
    if (!Number.isInteger(stepTimeoutSeconds) || stepTimeoutSeconds < STEP_TIMEOUT_SECONDS.min || stepTimeoutSeconds > STEP_TIMEOUT_SECONDS.max) {
        throw new Error(`a step timeout of ${stepTimeoutSeconds}s is outside the ${STEP_TIMEOUT_SECONDS.min} to ${STEP_TIMEOUT_SECONDS.max} seconds the agent honours`);
    }
    const script = fs.readFileSync(BUILD_SCRIPT, "utf8");
    const reference = script.split("\n").findIndex((line) => AGENT_PARAMETER_REFERENCE.test(line));
    if (reference >= 0) {
        throw new Error(`${path.basename(BUILD_SCRIPT)} line ${reference + 1} holds a Parameter Store reference, which the SSM agent would ` +
            `resolve before the build runs and fail the run on: ${script.split("\n")[reference].trim()}`);
    }
    const exportLines = Object.keys(env).sort().map((k) => `export ${k}='${env[k]}'`);
    return JSON.stringify({
        schemaVersion: "2.2",
        description: "armfarm: build or mirror Istio's images and publish them multi-arch",
        mainSteps: [{
            action: "aws:runShellScript",
            name: "istioImageBuild",
            inputs: {
                timeoutSeconds: String(stepTimeoutSeconds),
                runCommand: [
                    `install -d -m 0755 ${path.posix.dirname(SCRIPT_PATH)}`,
                    `cat > ${SCRIPT_PATH} <<'ARMFARM_BUILD_SCRIPT'`,
                    ...script.replace(/\n$/, "").split("\n"),
                    "ARMFARM_BUILD_SCRIPT",
                    ...exportLines,
                    `exec bash ${SCRIPT_PATH}`,
                ],
            },
        }],
    }, null, 2);
}

/**
 * The run's document. Its content is fixed when the run starts (`ignoreChanges`): a later change of a setting
 * outside the build key, or of the script, applies to the next run, never to the build that is running.
 */
export function createBuildDocument(name: string, stem: string, content: pulumi.Input<string>, tags: Record<string, string>,
    opts: pulumi.CustomResourceOptions, role?: string): aws.ssm.Document {
    return new aws.ssm.Document(role ? `${name}-build-${role}` : `${name}-build`, {
        name: runDocumentName(stem, role),
        documentType: "Command",
        documentFormat: "JSON",
        targetType: "/AWS::EC2::Instance",
        content,
        tags,
    }, { ...opts, ignoreChanges: ["content"] });
}

/**
 * Runs the run's document once on each host that carries the run's tag, as soon as the host registers with
 * Systems Manager. No input of it changes within a run: an updated association would run again at once
 * ("When you update an association, the association immediately runs against the specified targets", Systems
 * Manager API Reference, UpdateAssociation). It does not wait: its create returns before any host exists
 * (see build-wait/wait.ts); the run's wait is the `wait` command.
 */
export function createBuildAssociation(name: string, stem: string, runId: string, document: aws.ssm.Document,
    tags: Record<string, string>, opts: pulumi.CustomResourceOptions, role?: string): aws.ssm.Association {
    return new aws.ssm.Association(role ? `${name}-build-${role}` : `${name}-build`, {
        associationName: runDocumentName(stem, role),
        // A change of tags alone does not update the association, so it does not run again
        // (hashicorp/terraform-provider-aws internal/service/ssm/association.go, resourceAssociationUpdate:
        // UpdateAssociation only when something but the tags changed).
        tags,
        name: document.name,
        targets: [{ key: `tag:${BUILD_RUN_TAG}`, values: [role ? `${runId}-${role}` : runId] }],
        maxConcurrency: "1",
        maxErrors: "0",
    }, { ...opts, deleteBeforeReplace: true });
}
