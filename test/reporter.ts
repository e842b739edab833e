/**
 * Mocha's spec reporter, closed by one plain line with the counts (`N passed, N failed, N skipped`) that CI
 * reads.
 */
import * as Mocha from "mocha";

class SpecWithCounts extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
            // After the spec reporter's own epilogue.
            process.nextTick(() => console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`));
        });
    }
}

export = SpecWithCounts;
