/**
 * The build's wait as a resource: a `command:local:Command` that runs the wait (main.ts) on the machine that
 * runs `pulumi up`, once per run. The command provider hands each line of the wait's stderr to `pulumi up` as a
 * status message of this resource while it runs, each replacing the one before (pulumi/pulumi-command@v1.2.1
 * provider/pkg/provider/util/util.go, `LogOutput`: `InfoStatus`), keeps its stdout (the result)
 * as the `stdout` output, and fails the update when it exits non-zero, leaving nothing in state, so the next
 * `pulumi up` waits again (provider/pkg/provider/local/commandOutputs.go, `run`).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { WaitCommandSettings } from "./main";

const MAIN = path.join(__dirname, "main.ts");

/**
 * The command line of the wait. The path is relative to the project directory, where Pulumi starts both the
 * program and its providers (pulumi/pulumi sdk/go/common/resource/plugin/plugin.go, `cmd.Dir = pwd`), so that
 * state holds no path of one machine.
 */
export function waitCommandLine(): string {
    return `node --require sucrase/register/ts ${path.relative(process.cwd(), MAIN).split(path.sep).join("/")}`;
}

export function createBuildWait(name: string, args: {
    runId: string;
    settings: pulumi.Input<WaitCommandSettings>;
    /** The AWS profile the wait asks AWS with (`aws:profile`); without it, the environment's credentials. */
    awsProfile?: string;
}, opts: pulumi.CustomResourceOptions): command.local.Command {
    return new command.local.Command(`${name}-wait`, {
        create: waitCommandLine(),
        environment: pulumi.output(args.settings).apply((settings) => ({
            ARMFARM_BUILD_WAIT: JSON.stringify(settings),
            ...(args.awsProfile ? { AWS_PROFILE: args.awsProfile } : {}),
        })),
        // Progress is on stderr; stdout holds only the result, kept as the `stdout` output.
        logging: "stderr",
        addPreviousOutputInEnv: false,
        // One wait per run: a new run (key or attempt) replaces it.
        triggers: [args.runId],
    }, {
        ...opts,
        // A run's settings are fixed when it starts (see build-document.ts): a later change of the bound or the
        // profile does not wait for the same run again.
        ignoreChanges: ["create", "environment"],
    });
}
