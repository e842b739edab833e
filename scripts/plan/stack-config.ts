import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { environmentConfig, environmentNames, mergeOver } from "./esc";

/** Config as the Pulumi CLI hands it to a program: flat `namespace:key` strings, and the keys that are secret. */
export interface StackConfig {
    project: string;
    values: Record<string, string>;
    secretKeys: string[];
}

/** What a secure (encrypted) value is shown as: the offline plan cannot decrypt it, and must not. */
export const SECRET_PLACEHOLDER = "[secret]";

export class StackFileError extends Error {}

interface ProjectFile {
    name: string;
    config?: Record<string, { type?: string; default?: unknown; description?: string; secret?: boolean } | unknown>;
}

/** A config value as the CLI passes it to a program: scalars as text, structured values as JSON. */
export function asConfigString(value: unknown): string {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) &&
        Object.keys(value).length === 1 && "secure" in value;
}

/** A stack file's value with every `secure:` value (at the top or under a path) as the placeholder. */
function maskSecure(value: unknown): unknown {
    if (isSecure(value)) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map(maskSecure);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecure(v)]));
    }
    return value;
}

const holdsSecret = (value: unknown): boolean =>
    value === SECRET_PLACEHOLDER || (value !== null && typeof value === "object" && Object.values(value).some(holdsSecret));

/** Reads Pulumi.yaml in `projectDir`. */
export function readProjectFile(projectDir: string): ProjectFile {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as ProjectFile;
    if (!doc || typeof doc.name !== "string") throw new StackFileError(`${file}: no project name`);
    return doc;
}

/**
 * The name `esc open` takes for an environment a stack file imports. The stack file names it within the stack's
 * organization, as `<project>/<env>` or `<env>` in the project `default` (ESC reference, "imports": "Environment
 * names should be qualified with a project ... If no project name is given, the default project is assumed").
 */
function escRef(name: string | undefined): string {
    if (name === undefined) return "ORG/PROJECT/ENV";
    return `ORG/${name.includes("/") ? "" : "default/"}${name}`;
}

/**
 * Builds the config the CLI would pass, in the CLI's order (pulumi/pulumi@v3.259.0:pkg/workspace/config.go
 * `mergeConfig`): the stack file's values; merged over them, the `pulumiConfig` of the stack's ESC environment
 * (`escFiles`, see esc.ts), the stack file winning key by key inside objects; then, for keys neither sets, the
 * defaults Pulumi.yaml declares. Keys without a namespace belong to the project (`armfarm:`), in Pulumi.yaml and
 * in an environment alike (`parseConfigKey`). A stack file with `environment:` needs `escFiles`.
 */
export function loadStackConfig(projectDir: string, stackFile: string, escFiles: readonly string[] = []): StackConfig {
    const project = readProjectFile(projectDir);
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);

    if (!fs.existsSync(stackFile)) throw new StackFileError(`${stackFile}: no such stack file`);
    // Values keep their YAML types, as the CLI decodes them (pulumi/pulumi@v3.259.0 sdk/go/common/resource/config/
    // value.go `Value.UnmarshalYAML` into object.go `unmarshalObject`, with yaml.v3), and pass as their JSON
    // (object.go `MarshalString`): `1.30` reaches the program as "1.3", `True` as "true", `~` as "null" (asConfigString).
    let doc: { config?: unknown; environment?: unknown } | null;
    try {
        doc = YAML.parse(fs.readFileSync(stackFile, "utf8"));
    } catch (err) {
        throw new StackFileError(`${stackFile}: not valid YAML: ${(err as Error).message}`);
    }
    const config = doc?.config;
    if (config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config))) {
        throw new StackFileError(`${stackFile}: config: is ${JSON.stringify(config)}; expected a mapping of keys to values (namespace:key: value, one per line)`);
    }
    const structured: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config ?? {})) structured[qualify(key)] = maskSecure(value);

    const environment = doc?.environment;
    if (environment !== undefined && environment !== null) {
        const names = environmentNames(environment);
        const named = names.length ? `${names.length === 1 ? "environment" : "environments"} ${names.join(", ")}` : "an inline environment";
        if (escFiles.length === 0) {
            throw new StackFileError(`${stackFile} opens the ESC ${named} (environment:), and the offline plan cannot open it: ` +
                `give what it opens to with --esc FILE (esc open ${escRef(names[0])} --format detailed > FILE)`);
        }
        for (const [key, value] of Object.entries(environmentConfig(escFiles))) {
            const full = qualify(key);
            structured[full] = full in structured ? mergeOver(structured[full], value) : value;
        }
    } else if (escFiles.length > 0) {
        throw new StackFileError(`--esc ${escFiles[0]}: ${stackFile} has no environment: to open`);
    }

    // As the CLI merges the project's config (pulumi/pulumi@v3.259.0:pkg/workspace/config.go `mergeConfig`): a
    // declared key of the project's namespace that the stack does not set takes its `default` (or `value`); one
    // without either is missing, and the CLI refuses the stack before the program runs.
    const missing: string[] = [];
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = qualify(key);
        if (full in structured) continue;
        if (typeof decl === "object" && decl !== null && !Array.isArray(decl)) {
            const declared = decl as { default?: unknown; value?: unknown };
            if ("default" in declared) structured[full] = declared.default;
            else if ("value" in declared) structured[full] = declared.value;
            else if (full.startsWith(`${project.name}:`)) missing.push(key);
        } else {
            structured[full] = decl;
        }
    }
    if (missing.length > 0) {
        const names = missing.sort().map((k) => `'${k}'`);
        throw new StackFileError(`Stack '${path.basename(stackFile).replace(/^Pulumi\.|\.yaml$/g, "")}' is missing configuration ` +
            `${names.length === 1 ? "value" : "values"} ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`} ` +
            "(the Pulumi CLI refuses a stack that leaves a declared key without a default unset)");
    }

    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const key of Object.keys(structured).sort()) {
        values[key] = asConfigString(structured[key]);
        if (holdsSecret(structured[key])) secretKeys.push(key);
    }
    return { project: project.name, values, secretKeys };
}
