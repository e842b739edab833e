/**
 * The build's wait as a command: `pulumi up` runs it (a `command:local:Command` of IstioImageBuild) on the
 * machine that runs `pulumi up`, with its settings as JSON in ARMFARM_BUILD_WAIT. Progress goes to stderr,
 * which the command provider streams to `pulumi up` as it comes; the result goes to stdout as one JSON line,
 * which becomes the command's `stdout` output. Exit status 1 when the build failed or the wait gave up.
 */
import { awsBuildApi, awsClients } from "./aws";
import { waitForBuild, WaitSettings } from "./wait";

/** The wait's settings, as IstioImageBuild passes them. */
export interface WaitCommandSettings extends WaitSettings {
    region: string;
}

const REQUIRED: (keyof WaitCommandSettings)[] = [
    "region", "runId", "associationId", "groups", "resultPath", "instanceArnPrefix", "logGroupName", "hostReadySeconds", "buildSeconds", "logLocation",
];

export function readSettings(text: string | undefined): WaitCommandSettings {
    if (!text) throw new Error("ARMFARM_BUILD_WAIT is not set: the wait needs its settings as JSON");
    const settings = JSON.parse(text) as WaitCommandSettings;
    const missing = REQUIRED.filter((k) => settings[k] === undefined || settings[k] === "");
    if (missing.length > 0) throw new Error(`ARMFARM_BUILD_WAIT lacks ${missing.join(", ")}`);
    return settings;
}

async function main(): Promise<number> {
    try {
        const settings = readSettings(process.env.ARMFARM_BUILD_WAIT);
        const result = await waitForBuild(awsBuildApi(awsClients(settings.region)), settings, {
            now: () => Date.now(),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
            progress: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
    } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}

if (require.main === module) {
    main().then((code) => { process.exitCode = code; });
}
