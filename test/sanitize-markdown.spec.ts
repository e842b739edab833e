/**
 * The sanitizer plan-diff-comment.yml runs over the offline diff before posting it (.github/scripts/
 * sanitize-markdown.js). The diff comes from a pull request's code, so it is hostile content: these specs feed
 * it mentions, links, images, HTML, entity tricks, references and code fences that do not close, and expect
 * what GitHub Flavored Markdown (spec 0.29-gfm) then renders inert: code spans and fenced blocks stay literal;
 * elsewhere `&`, `<`, `[` and `]` are escaped and a zero-width space (`&#8203;`) breaks mentions, autolinks and
 * issue references.
 */
import * as assert from "assert";
import * as path from "path";
import { spawnSync } from "child_process";
import { PROJECT_DIR } from "./harness";
import { requireTool } from "./tools";

const { sanitizeMarkdown, commentBody } = require(path.join(PROJECT_DIR, ".github", "scripts", "sanitize-markdown.js")) as {
    sanitizeMarkdown(markdown: string): string;
    commentBody(markdown: string, options: { marker: string; limit?: number }): string;
};

const Z = "&#8203;";
const MARKER = "<!-- armfarm-offline-plan-diff -->";

describe("the comment sanitizer", () => {
    it("breaks @-mentions of users and teams, and e-mail addresses", () => {
        assert.strictEqual(sanitizeMarkdown("ping @octocat and @acme/security-team"), `ping @${Z}octocat and @${Z}acme/security-team`);
        assert.strictEqual(sanitizeMarkdown("mail admin@example.com"), `mail admin@${Z}example.com`);
    });

    it("turns links, images and reference definitions into text", () => {
        assert.strictEqual(sanitizeMarkdown("[free credits](https://evil.example/login)"), `\\[free credits\\](https:${Z}//evil.example/login)`);
        assert.strictEqual(sanitizeMarkdown("![pixel](https://evil.example/track.png)"), `!\\[pixel\\](https:${Z}//evil.example/track.png)`);
        assert.strictEqual(sanitizeMarkdown("[ref]: http://evil.example"), `\\[ref\\]: http:${Z}//evil.example`);
        // Bare URLs and www. that GFM would autolink, in any case.
        assert.strictEqual(sanitizeMarkdown("HTTPS://evil.example www.evil.example WWW.Evil.example"),
            `HTTPS:${Z}//evil.example www${Z}.evil.example WWW${Z}.Evil.example`);
    });

    it("escapes HTML, autolinks in angle brackets and entities that would spell a mention", () => {
        assert.strictEqual(sanitizeMarkdown('<img src="https://evil.example/x.png" onerror="alert(1)">'),
            `&lt;img src="https:${Z}//evil.example/x.png" onerror="alert(1)">`);
        assert.strictEqual(sanitizeMarkdown("<https://evil.example>"), `&lt;https:${Z}//evil.example>`);
        assert.strictEqual(sanitizeMarkdown("&#64;octocat &commat;octocat"), `&amp;#${Z}64;octocat &amp;commat;octocat`);
        assert.strictEqual(sanitizeMarkdown("<details><summary>x</summary>"), "&lt;details>&lt;summary>x&lt;/summary>");
    });

    it("breaks issue references, which would notify the referenced issue", () => {
        assert.strictEqual(sanitizeMarkdown("fixes #1 and #42"), `fixes #${Z}1 and #${Z}42`);
        assert.strictEqual(sanitizeMarkdown("### Heading"), "### Heading", "a heading is not a reference");
    });

    it("keeps code spans literal, and does not take an escaped backtick for one", () => {
        assert.strictEqual(sanitizeMarkdown("`@octocat <b> [x](y)` and ``a ` @b``"), "`@octocat <b> [x](y)` and ``a ` @b``");
        assert.strictEqual(sanitizeMarkdown("\\`@octocat\\`"), `\\\`@${Z}octocat\\\``);
        // A run of backticks with no closing run on the line is text, escaped: GitHub could otherwise close it on
        // a later line of the paragraph (GFM spec 6.1, code spans over line endings).
        assert.strictEqual(sanitizeMarkdown("`` @octocat `"), `\\\`\\\` @${Z}octocat \\\``);
    });

    it("keeps fenced blocks literal, and closes one that the content leaves open", () => {
        const fenced = "```\n@octocat <img src=x>\n```\n@after";
        assert.strictEqual(sanitizeMarkdown(fenced), `\`\`\`\n@octocat <img src=x>\n\`\`\`\n@${Z}after`);
        // A shorter or different fence does not close it; the end of the text does.
        assert.strictEqual(sanitizeMarkdown("~~~~\n~~~\n```\n@inside"), "~~~~\n~~~\n```\n@inside\n~~~~");
        // A fence that is never closed would swallow whatever is posted after it: it is closed.
        assert.strictEqual(sanitizeMarkdown("````sh\necho hi"), "````sh\necho hi\n````");
        // An info string names a language; anything else in it goes.
        assert.strictEqual(sanitizeMarkdown("```js onload=<x>\n```"), "```jsonloadx\n```");
        // Backticks in a backtick fence's info string make it no fence: text, its unclosed runs escaped.
        assert.strictEqual(sanitizeMarkdown("``` a`b @c"), `\\\`\\\`\\\` a\\\`b @${Z}c`);
        // Indented, it is taken for text (it may sit in a list item that a fence at the line's start closes).
        assert.strictEqual(sanitizeMarkdown("    ```\n@x"), `    \\\`\\\`\\\`\n@${Z}x`);
        assert.strictEqual(sanitizeMarkdown("  ```\n@x\n```"), `  \\\`\\\`\\\`\n@${Z}x\n\`\`\`\n\`\`\``);
        assert.strictEqual(sanitizeMarkdown("   ~~~ @y\n@x"), `   \\~~~ @${Z}y\n@${Z}x`);
    });

    // What GitHub would render, by cmark-gfm (GitHub's own fork of cmark) with GitHub's extensions: hostile input
    // that lines up a code span or a fence differently from a line-by-line reading.
    describe("rendered by cmark-gfm, as GitHub renders comments", () => {
        /** The HTML of `markdown`, and its text outside code, where a mention or a link would act. */
        function render(markdown: string): { html: string; outsideCode: string } {
            const run = spawnSync("cmark-gfm", ["--extension", "autolink", "--extension", "table", "--extension", "strikethrough", "--extension", "tagfilter"],
                { input: markdown, encoding: "utf8" });
            assert.strictEqual(run.status, 0, run.stderr);
            return { html: run.stdout, outsideCode: run.stdout.replace(/<pre>[\s\S]*?<\/pre>|<code>[\s\S]*?<\/code>/g, "") };
        }
        const payload = "@victim ![i](https://evil.example/x.png) <img src=https://evil.example/y.png> [l](https://evil.example/l) https://evil.example";
        const hostile: Record<string, string> = {
            "a code span over two lines": `\`a\nb\` ${payload} \`c\``,
            "a fence in a list item, closed by one at the line's start": `- a\n  \`\`\`\n  x\n\`\`\`\nprose\n\`\`\`\n${payload}\n\`\`\``,
            "a fence in a block quote, closed by one at the line's start": `> \`\`\`\n> x\n\`\`\`\nprose\n\`\`\`\n${payload}\n\`\`\``,
            "a fence indented three spaces at the top level": `   ~~~\n${payload}\n~~~\n${payload}\n~~~`,
            "a fence indented in a list item, with tildes": `1. a\n   ~~~\n~~~\nprose\n~~~\n${payload}\n~~~`,
            // GFM, "Tables": a row is split at each pipe before code spans are read.
            "a code span cut by a table cell's pipe": `| a | b |\n| - | - |\n| \`x | ${payload} \` | d |`,
        };
        for (const [what, markdown] of Object.entries(hostile)) {
            it(`leaves nothing active: ${what}`, function () {
                requireTool(this, "cmark-gfm");
                const raw = render(markdown);
                assert.match(raw.outsideCode, /<a |<img |@victim/, "the hostile input is active without the sanitizer (the case is not vacuous)");
                const { html, outsideCode } = render(sanitizeMarkdown(markdown));
                assert.doesNotMatch(html, /<a |<img /, html);
                assert.doesNotMatch(outsideCode, /@[A-Za-z]/, html);
            });
        }
    });

    it("leaves the offline diff's own Markdown as it is", async () => {
        const { plan } = await import("./harness");
        const { diffPlans, renderDiff } = await import("../scripts/plan/diff");
        const base = (await plan()).plan;
        for (const change of [{ "armfarm:farmInstanceType": "c7g.4xlarge" }, { "armfarm:farmRepositoryPrefix": "mesh" }]) {
            const md = renderDiff(diffPlans(base, (await plan(change)).plan), "base.json");
            assert.match(md, /\*\*update\*\*|\*\*replace\*\*/);
            assert.strictEqual(sanitizeMarkdown(md), md, "the diff writes its values in code spans, and no HTML");
        }
    });

    it("builds the comment: the marker once, the body inert and within the limit, a cut code block closed", () => {
        const body = commentBody(`${MARKER}\n### Diff\n@octocat`, { marker: MARKER });
        assert.strictEqual(body, `${MARKER}\n### Diff\n@${Z}octocat`);
        // A body without the marker gets it; one that tries to fake a second marker gets it escaped.
        assert.strictEqual(commentBody(`${MARKER} hidden`, { marker: MARKER }), `${MARKER}\n&lt;!-- armfarm-offline-plan-diff --> hidden`);
        // Escapes grow the text: the limit holds for what is posted, and an open fence is closed after the cut.
        const flood = "@".repeat(70000);
        const cut = commentBody(flood, { marker: MARKER, limit: 60000 });
        assert.ok(cut.length <= MARKER.length + 1 + 60000, `${cut.length} characters`);
        assert.ok(cut.endsWith("*(cut: the full text is in the workflow run's summary)*\n"));
        assert.ok(!cut.includes("@@"), "every @ is broken");
        const fence = commentBody("```\n" + "x\n".repeat(40000), { marker: MARKER, limit: 60000 });
        assert.match(fence, /\n```\n\n\*\(cut/);
    });
});
