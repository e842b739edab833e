/**
 * Whether the stack itself set a key, as opposed to the project's declared default.
 *
 * The program cannot ask: the Pulumi CLI merges each default that Pulumi.yaml declares into the stack's config
 * before the program runs, for every key the stack (or its ESC environment) leaves unset
 * (pulumi/pulumi@v3.259.0:pkg/workspace/config.go, mergeConfig), and hands the program one map in which a default
 * and a value set in the stack file look alike; the offline plan does the same (scripts/plan/stack-config.ts). So a
 * key counts as set when its value differs from the default Pulumi.yaml declares for it, read from the project file
 * beside the program. A stack that sets a key to exactly its default is taken as not setting it: the value changes
 * nothing, so nothing is lost by not reporting it.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

interface Declaration {
    type?: string;
    default?: unknown;
}

let declarations: Map<string, Declaration> | undefined;

/** Pulumi.yaml's config declarations by full key (`armfarm:meshHub`; project keys are declared without namespace). */
function declared(): Map<string, Declaration> {
    if (!declarations) {
        const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as
            { name: string; config?: Record<string, Declaration> };
        declarations = new Map(Object.entries(project.config ?? {}).map(([key, decl]) =>
            [key.includes(":") ? key : `${project.name}:${key}`, decl]));
    }
    return declarations;
}

/** A config value as the program receives it (text, structured values as JSON), read back as a value of `type`. */
function parsed(raw: string, type: string | undefined): unknown {
    if (type === "integer") return Number(raw);
    if (type === "boolean") return raw === "true";
    if (type === "array" || type === "object") {
        try {
            return JSON.parse(raw);
        } catch {
            return raw;
        }
    }
    return raw;
}

/** A value in a form where equal values compare equal: object keys sorted. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/** True when `raw`, the value the program got for `fullKey`, is not the default Pulumi.yaml declares for it. */
export function differsFromDeclaredDefault(fullKey: string, raw: string): boolean {
    const decl = declared().get(fullKey);
    if (!decl || !("default" in decl)) return true;
    return canonical(parsed(raw, decl.type)) !== canonical(decl.default);
}
