/**
 * The offline plan diff: this checkout's plan against an earlier one (such as the base branch's), as the
 * Markdown a reviewer reads in a pull request. It compares inputs and options resource by resource (by URN),
 * and stack outputs. Secrets never show: a value that is secret on either side is reported as changed, or
 * not, without either value.
 */
import * as fs from "fs";
import { Plan, PlannedOptions, PlannedResource } from "./engine";
import { replaceReasons } from "./diff-replace";
import { SECRET_PLACEHOLDER, StackFileError } from "./stack-config";

export interface PropertyChange {
    /** `nodeConfig.machineType`, `ingress[0].cidrBlocks[1]`, `values.global.hub`. */
    path: string;
    kind: "add" | "delete" | "update";
    old?: unknown;
    new?: unknown;
    /** Secret on either side: the values are never shown. */
    secret: boolean;
}

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    changes: PropertyChange[];
    /** Resource options that differ, such as `protect` or `ignoreChanges`. */
    options: PropertyChange[];
    /** Why the change replaces the resource; empty for an update in place (as far as the diff can tell). */
    replaceReasons: string[];
    protect: boolean;
    deleteBeforeReplace: boolean;
}

export interface PlanDiff {
    stack: string;
    baseStack: string;
    added: PlannedResource[];
    removed: PlannedResource[];
    changed: ResourceChange[];
    outputs: PropertyChange[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isSecret = (v: unknown) => v === SECRET_PLACEHOLDER;

function equal(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

function join(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The paths at which `before` and `after` differ, leaf by leaf. A secret on either side stops the walk: its
 * path is reported as one change whose values are withheld, and only when the two sides differ.
 */
export function diffValues(before: unknown, after: unknown, path = ""): PropertyChange[] {
    if (equal(before, after)) return [];
    if (isSecret(before) || isSecret(after)) {
        const kind = before === undefined ? "add" : after === undefined ? "delete" : "update";
        return [{ path: path || "(value)", kind, secret: true }];
    }
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => diffValues(before[k], after[k], join(path, k)));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => diffValues(before[i], after[i], join(path, i))).flat();
    }
    if (before === undefined) return [{ path, kind: "add", new: after, secret: false }];
    if (after === undefined) return [{ path, kind: "delete", old: before, secret: false }];
    return [{ path, kind: "update", old: before, new: after, secret: false }];
}

/** Options that change what `pulumi up` does with the resource (dependsOn is ordering only, and noisy). */
const COMPARED_OPTIONS: (keyof PlannedOptions)[] = [
    "protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges", "provider", "customTimeouts",
];

function diffResource(before: PlannedResource, after: PlannedResource): ResourceChange | undefined {
    const changes = diffValues(before.inputs, after.inputs);
    const options = COMPARED_OPTIONS.flatMap((k) => diffValues(before.options?.[k], after.options[k], k));
    if (changes.length === 0 && options.length === 0) return undefined;
    // A resource is replaced by what changes in its inputs, judged by the replaceOnChanges it has now.
    const reasons = replaceReasons(after.type, changes.map((c) => c.path), after.options.replaceOnChanges);
    return {
        urn: after.urn, type: after.type, name: after.name, changes, options,
        replaceReasons: [...new Set(reasons)],
        protect: Boolean(before.options?.protect) || after.options.protect,
        deleteBeforeReplace: after.options.deleteBeforeReplace,
    };
}

export function diffPlans(base: Plan, head: Plan): PlanDiff {
    const byUrn = (plan: Plan) => new Map(plan.resources.map((r) => [r.urn, r]));
    const before = byUrn(base);
    const after = byUrn(head);
    return {
        stack: head.stack,
        baseStack: base.stack,
        added: head.resources.filter((r) => !before.has(r.urn)),
        removed: base.resources.filter((r) => !after.has(r.urn)),
        // Components hold no cloud state of their own: `pulumi up` never updates one, only its children.
        changed: head.resources.filter((r) => r.custom).flatMap((r) => {
            const old = before.get(r.urn);
            const change = old ? diffResource(old, r) : undefined;
            return change ? [change] : [];
        }),
        outputs: diffValues(base.outputs, head.outputs),
    };
}

/**
 * Reads a plan written by `npm run -s plan -- --json`, refusing anything else with a clear message that names the
 * option it was given with.
 */
export function readPlanFile(file: string, option = "--diff"): Plan {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackFileError(`${option} ${file}: cannot read a plan (${(err as Error).message}); write one with npm run -s plan -- --json > ${file}`);
    }
    const plan = doc as Partial<Plan>;
    const resourcesOk = Array.isArray(plan?.resources) && plan.resources.every((r) =>
        isObject(r) && typeof r.urn === "string" && typeof r.type === "string" && typeof r.name === "string" && isObject(r.inputs));
    if (!isObject(doc) || typeof plan.stack !== "string" || !resourcesOk || !isObject(plan.outputs)) {
        throw new StackFileError(`${option} ${file}: not a plan written by npm run -s plan -- --json (expected stack, resources with urn, type, name and inputs, and outputs)`);
    }
    const defaults: PlannedOptions = {
        protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [],
        dependsOn: [], provider: null, customTimeouts: null,
    };
    return { ...(doc as unknown as Plan), resources: plan.resources!.map((r) => ({ ...r, options: { ...defaults, ...r.options } })) };
}

// --- Markdown -------------------------------------------------------------------------------------------------

/** The longest value shown in full; longer ones (user data, policy documents) are cut. */
const MAX_VALUE = 120;

/**
 * A value as inline code that nothing in it can break out of: a fence longer than any backtick run inside,
 * table pipes escaped, newlines flattened. Values come from a pull request's code and are not trusted.
 */
export function code(value: unknown): string {
    let s = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    s = s.replace(/\r?\n/g, "⏎");
    if (s.length > MAX_VALUE) s = `${s.slice(0, MAX_VALUE)}… (${s.length} characters)`;
    s = s.replace(/\|/g, "\\|");
    const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
    const fence = "`".repeat(longest + 1);
    const pad = s.startsWith("`") || s.endsWith("`") || s === "" ? " " : "";
    return `${fence}${pad}${s}${pad}${fence}`;
}

function changeRow(c: PropertyChange): string {
    if (c.secret) {
        const what = c.kind === "add" ? "added" : c.kind === "delete" ? "removed" : "changed";
        return `| ${code(c.path)} | *secret* | *secret, ${what}: value not shown* |`;
    }
    const old = c.kind === "add" ? "*(unset)*" : code(c.old);
    const now = c.kind === "delete" ? "*(unset)*" : code(c.new);
    return `| ${code(c.path)} | ${old} | ${now} |`;
}

function table(rows: PropertyChange[]): string[] {
    return ["| property | old | new |", "| --- | --- | --- |", ...rows.map(changeRow)];
}

function resourceLine(r: { type: string; name: string }): string {
    return `${code(r.type)} ${code(r.name)}`;
}

function renderChanged(c: ResourceChange): string[] {
    const replace = c.replaceReasons.length > 0;
    const heading = replace
        ? `**replace** ${resourceLine(c)}: ${c.replaceReasons.join("; ")}` +
          (c.deleteBeforeReplace ? " (deleted before its replacement is created)" : "") +
          (c.protect ? ". It is **protected**: `pulumi up` refuses to replace it until `protect` is lifted" : "")
        : `**update** ${resourceLine(c)}`;
    const lines = [`- ${heading}`, ""];
    if (c.changes.length) lines.push(...table(c.changes).map((l) => `  ${l}`), "");
    if (c.options.length) lines.push("  Resource options:", "", ...table(c.options).map((l) => `  ${l}`), "");
    return lines;
}

/** The diff as Markdown for a pull request comment. */
export function renderDiff(diff: PlanDiff, baseName: string): string {
    const replacements = diff.changed.filter((c) => c.replaceReasons.length > 0).length;
    const summary = `${diff.added.length} to add, ${diff.removed.length} to remove, ${diff.changed.length} to change` +
        (replacements ? ` (${replacements} to replace)` : "");
    const lines = [
        `### Offline plan diff of stack ${code(diff.stack)}`,
        "",
        `Against ${code(baseName)}${diff.baseStack !== diff.stack ? ` (stack ${code(diff.baseStack)})` : ""}: **${summary}**` +
            (diff.outputs.length ? `, ${diff.outputs.length} output change${diff.outputs.length === 1 ? "" : "s"}` : "") + ".",
        "",
    ];
    const nothing = diff.added.length + diff.removed.length + diff.changed.length + diff.outputs.length === 0;
    if (nothing) lines.push("No differences: this checkout plans the same resources, inputs, options and outputs.", "");
    if (diff.added.length) lines.push("#### Added", "", ...diff.added.map((r) => `- **create** ${resourceLine(r)}`), "");
    if (diff.removed.length) {
        lines.push("#### Removed", "", ...diff.removed.map((r) =>
            `- **delete** ${resourceLine(r)}${r.options.protect ? " (it is **protected**: `pulumi up` refuses until `protect` is lifted)" : ""}` +
            `${r.options.retainOnDelete ? " (retained in the cloud: `retainOnDelete`)" : ""}`), "");
        const renamed = diff.removed.filter((r) => diff.added.some((a) => a.type === r.type && a.parent === r.parent));
        if (renamed.length) {
            lines.push(`> A resource removed and one of the same type added under the same parent may be a rename: without an \`aliases\` option, \`pulumi up\` deletes the old one and creates the new one.`, "");
        }
    }
    if (diff.changed.length) lines.push("#### Changed", "", ...diff.changed.flatMap(renderChanged));
    if (diff.outputs.length) lines.push("#### Stack outputs", "", ...table(diff.outputs), "");
    lines.push(
        // No HTML: the comment workflow escapes all of it (.github/scripts/sanitize-markdown.js).
        "> **What an offline diff cannot know.** It compares the inputs the program gives each resource, run under the SDK's mock engine without credentials. " +
        "It does not see the cloud's current state, properties the provider fills in, or values inside secrets (two secret values always look alike: " +
        "a secret shows here only when it appears, disappears, or stops being secret). Replacements are called out from `replaceOnChanges`, " +
        "Kubernetes names, and a short list of properties the providers cannot update in place; any other property may still force one. " +
        "`pulumi preview` on the stack is the authority.",
        "",
    );
    return lines.join("\n");
}
