/**
 * Pulumi ESC in the offline plan. A stack file's `environment:` (a list of environments, or an inline
 * definition that imports some) opens, under the CLI, to values whose `pulumiConfig` becomes config. Offline,
 * `--esc FILE` gives what the environment opens to, and the plan merges it as the CLI does.
 *
 * The file is what `esc open ORG/PROJECT/ENV` prints: `--format detailed` (each value with its `secret` and
 * `unknown` flags, so that secrets are known as such) or the default JSON, in which a value redacted as
 * `[secret]` (as `esc env get --value json` prints it) counts as a secret. Secrets never reach the plan: each
 * becomes `[secret]`, and its key is secret. Sources (pulumi/esc@v0.25.0): cmd/esc/cli/env_open.go
 * (`renderValue`: `json` is `Value.ToJSON`, `detailed` the value itself), value.go (`ToJSON` writes `[secret]`
 * and `[unknown]`, the `value`, `secret` and `unknown` fields).
 *
 * Several `--esc` files layer in order, the later over the earlier, as an environment's imports do: objects merge
 * key by key, anything else is replaced (pulumi/esc@v0.25.0:eval/eval.go `evaluateImports`, eval/value.go `merge`).
 */
import * as fs from "fs";
import { SECRET_PLACEHOLDER, StackFileError } from "./stack-config";

/** How the CLI shows an unknown environment value in config (pulumi/pulumi@v3.259.0:pkg/workspace/config.go `toPlaintext`). */
const UNKNOWN_CONFIG = "[unknown]";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * JSON merge patch with `over` preferred: two objects merge key by key, and otherwise `over` wins. This is how
 * the CLI merges a stack file's value over the environment's (pulumi/pulumi@v3.259.0:pkg/workspace/config.go
 * `mergeConfig`, "Prefers stack values over env values"; sdk/go/common/resource/config/object.go `Merge`), and
 * how ESC layers imports.
 */
export function mergeOver(over: unknown, base: unknown): unknown {
    if (!isObject(over) || !isObject(base)) return over;
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) merged[k] = k in base ? mergeOver(v, base[k]) : v;
    return merged;
}

/** A value of `esc open --format detailed`: `{ value, secret?, unknown?, trace }`, nested. */
function fromDetailed(node: unknown): unknown {
    if (!isObject(node)) return node;
    if (node.secret === true) return SECRET_PLACEHOLDER;
    if (node.unknown === true) return UNKNOWN_CONFIG;
    const value = node.value;
    if (Array.isArray(value)) return value.map(fromDetailed);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromDetailed(v)]));
    return value;
}

/** True for the shape `esc open --format detailed` prints at its top: a value with its trace. */
function isDetailed(doc: Record<string, unknown>): boolean {
    return "trace" in doc && isObject(doc.value);
}

/** The `pulumiConfig` an environment opens to, as plain JSON with `[secret]` in place of every secret. */
export function readEscFile(file: string): Record<string, unknown> {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new StackFileError(`--esc ${file}: cannot read what an environment opens to (${(err as Error).message}); write it with esc open ORG/PROJECT/ENV --format detailed > ${file}`);
    }
    if (!isObject(doc)) throw new StackFileError(`--esc ${file}: not an environment's values (expected a JSON object, as esc open prints)`);
    const values = isDetailed(doc) ? fromDetailed(doc) : doc;
    const config = isObject(values) ? values.pulumiConfig : undefined;
    if (config === undefined) return {};
    if (!isObject(config)) throw new StackFileError(`--esc ${file}: pulumiConfig is not an object of config keys`);
    return config;
}

/** The environments a stack file's `environment:` names: a list of them, or an inline definition's imports. */
export function environmentNames(environment: unknown): string[] {
    if (Array.isArray(environment)) return environment.map(String);
    if (typeof environment === "string") return [environment];
    if (isObject(environment) && Array.isArray(environment.imports)) {
        return environment.imports.map((i) => (isObject(i) ? Object.keys(i)[0] : String(i)));
    }
    return [];
}

/** The config the stack's environment supplies, its files layered in order. */
export function environmentConfig(files: readonly string[]): Record<string, unknown> {
    let merged: Record<string, unknown> = {};
    for (const file of files) merged = mergeOver(readEscFile(file), merged) as Record<string, unknown>;
    return merged;
}
