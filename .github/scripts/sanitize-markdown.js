// Makes Markdown from an untrusted source safe to post as a pull request comment: it can then notify nobody,
// link nowhere, show no image and run no HTML, and a code block it opens cannot swallow what follows.
//
// plan-diff-comment.yml loads this file from the default branch (never from the pull request) with
// actions/github-script's require, and test/sanitize-markdown.spec.ts runs it on hostile content. Plain
// CommonJS with no dependencies, so that it runs as it is in both places.
//
// What GitHub does with Markdown, and so what is neutralized (GitHub Flavored Markdown spec 0.29-gfm, and
// GitHub's docs on mentions and references):
// - fenced code blocks (a line of 3+ backticks or tildes, closed by a line of the same character at least as
//   long, indented 0 to 3 spaces) and code spans (a backtick run closed by a run of the same length) show their
//   content literally: they are kept as they are, and a fence left open is closed at the end. Only a fence that
//   opens at the start of a line is kept: indented one to three spaces, it may sit in a list item, which a line
//   at the start closes, where a line-by-line reading would see it go on. Such a line is made no fence (its
//   first backtick or tilde escaped) and neutralized as text;
// - in a table, GitHub splits a row at each `|` before it reads code spans (GFM spec, "Tables": a pipe inside a
//   code span in a cell must be escaped), so a span kept whole here could be cut there and its content left live:
//   every `|` in a kept span is escaped (`\|`), which a table shows as `|` and elsewhere shows with its backslash;
// - a code span may run over several lines of a paragraph (spec 6.1: "line endings are converted to spaces"):
//   only a span closed on its own line is kept, and a backtick run with no closing run on its line is escaped,
//   so that GitHub cannot close it on a later line and take what lies between for code;
// - everywhere else: `&` and `<` are escaped (no entity tricks, no HTML, no <autolink>); `[` and `]` are escaped
//   (no link, image or reference definition); an invisible zero-width space breaks @-mentions and e-mail
//   addresses, the autolinked `http://`, `https://` and `www.`, and issue references (`#123`, which notify
//   the referenced issue by a cross-reference).
"use strict";

const ZERO_WIDTH_SPACE = "&#8203;";
const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
const INDENTED_TILDE_FENCE = /^( {1,3})~{3,}/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Prose (text outside code) made inert. */
function neutralizeProse(text) {
    return text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/[[\]]/g, (c) => `\\${c}`)
        // Issue references first: the zero-width space's own entity holds a `#` before a digit.
        .replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`)
        .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
        .replace(/(https?):\/\//gi, `$1:${ZERO_WIDTH_SPACE}//`)
        .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZERO_WIDTH_SPACE}.`);
}

/**
 * One line outside fenced code: its code spans kept, the rest neutralized. A backslash before ASCII punctuation
 * escapes it (so an escaped backtick opens no span); a backtick run with no run of the same length after it on
 * the line is text, each of its backticks escaped, so that it opens no span GitHub would close on a later line.
 */
function neutralizeLine(line) {
    let out = "";
    let prose = "";
    let i = 0;
    while (i < line.length) {
        const c = line[i];
        if (c === "\\" && i + 1 < line.length && ASCII_PUNCTUATION.test(line[i + 1])) {
            // Kept escaped; the escaped character itself is neutralized as prose would be.
            out += neutralizeProse(prose) + "\\" + (line[i + 1] === "[" || line[i + 1] === "]" ? line[i + 1] : neutralizeProse(line[i + 1]));
            prose = "";
            i += 2;
            continue;
        }
        if (c === "`") {
            let n = 0;
            while (line[i + n] === "`") n++;
            let close = -1;
            for (let j = i + n; j < line.length;) {
                if (line[j] !== "`") { j++; continue; }
                let m = 0;
                while (line[j + m] === "`") m++;
                if (m === n) { close = j; break; }
                j += m;
            }
            if (close >= 0) {
                out += neutralizeProse(prose) + line.slice(i, close + n).replace(/\|/g, "\\|");
                prose = "";
                i = close + n;
            } else {
                out += neutralizeProse(prose) + "\\`".repeat(n);
                prose = "";
                i += n;
            }
            continue;
        }
        prose += c;
        i++;
    }
    return out + neutralizeProse(prose);
}

/** Markdown from an untrusted source, made inert (see above). */
function sanitizeMarkdown(markdown) {
    const lines = String(markdown).replace(/\r\n?/g, "\n").split("\n");
    const out = [];
    let fence = null;
    for (const line of lines) {
        if (fence) {
            const close = FENCE_CLOSE.exec(line);
            if (close && close[1][0] === fence[0] && close[1].length >= fence.length) fence = null;
            out.push(line);
            continue;
        }
        const open = FENCE_OPEN.exec(line);
        // A backtick fence's info string cannot hold a backtick (it would be a code span, not a fence).
        if (open && !(open[1][0] === "`" && open[2].includes("`"))) {
            fence = open[1];
            // The info string only names a language: letters, digits and a few marks are all it needs.
            out.push(open[1] + open[2].replace(/[^\w+.-]/g, ""));
            continue;
        }
        const indented = INDENTED_TILDE_FENCE.exec(line);
        // A backtick run with no closing run on its line is escaped as text anyway; a tilde is escaped here.
        if (indented) {
            out.push(indented[1] + "\\" + neutralizeLine(line.slice(indented[1].length)));
            continue;
        }
        out.push(neutralizeLine(line));
    }
    if (fence) out.push(fence);
    return out.join("\n");
}

/**
 * The body of a comment: `markdown` without a leading `marker` line, made inert, no longer than `limit`
 * characters (cut before it is made inert, so that no escape is cut in half and a cut code block is closed),
 * behind the marker that finds the comment again.
 */
function commentBody(markdown, { marker, limit = 60000 }) {
    let text = String(markdown).replace(/\r\n?/g, "\n");
    if (text.startsWith(`${marker}\n`)) text = text.slice(marker.length + 1);
    const note = "\n\n*(cut: the full text is in the workflow run's summary)*\n";
    let keep = text.length;
    let body = sanitizeMarkdown(text);
    while (body.length > limit) {
        keep = Math.floor(Math.min(keep, limit) * 0.9);
        body = sanitizeMarkdown(text.slice(0, keep)) + note;
    }
    return `${marker}\n${body}`;
}

module.exports = { sanitizeMarkdown, commentBody };
