// Preloaded into each benchmarked run: writes the process's peak resident memory (KiB) to BENCH_RSS_FILE.
"use strict";
const fs = require("fs");
process.on("exit", () => {
    if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
