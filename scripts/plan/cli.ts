/** What the plan's command lines share: their output, their one error line, their exit status. */

/**
 * Writes to stdout and waits until it is handed on: to a pipe, stdout is asynchronous, and exiting before the
 * write completes cuts the output at the pipe's buffer (64 KiB).
 */
export function writeOut(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}

/** A reader that stops reading early (`| head`) closes the pipe: the output it wanted was written, so that is no failure. */
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
});

/**
 * Runs a command line: what `body` returns goes to stdout and the process exits 0; what it throws goes to stderr
 * as one message and the process exits 1, with nothing on stdout.
 */
export function runCommand(body: () => Promise<string> | string): void {
    Promise.resolve()
        .then(body)
        .then(async (text) => {
            await writeOut(text);
            return 0;
        }, (err) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            return 1;
        })
        .then((status) => process.exit(status));
}
