import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

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

/** Reads Pulumi.yaml in `projectDir`. */
export function readProjectFile(projectDir: string): ProjectFile {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as ProjectFile;
    if (!doc || typeof doc.name !== "string") throw new StackFileError(`${file}: no project name`);
    return doc;
}

/**
 * Builds the config the CLI would pass: the project's declared defaults, overlaid by the stack file's values.
 * Project keys without a namespace belong to the project (`armfarm:`), as in Pulumi.yaml.
 */
export function loadStackConfig(projectDir: string, stackFile: string): StackConfig {
    const project = readProjectFile(projectDir);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);

    for (const [key, decl] of Object.entries(project.config ?? {})) {
        if (typeof decl === "object" && decl !== null && !Array.isArray(decl) && "default" in decl) {
            values[qualify(key)] = asConfigString((decl as { default: unknown }).default);
        } else if (typeof decl !== "object" || decl === null) {
            values[qualify(key)] = asConfigString(decl);
        }
    }

    if (!fs.existsSync(stackFile)) throw new StackFileError(`${stackFile}: no such stack file`);
    let doc: { config?: Record<string, unknown> } | null;
    try {
        doc = YAML.parse(fs.readFileSync(stackFile, "utf8"));
    } catch (err) {
        throw new StackFileError(`${stackFile}: not valid YAML: ${(err as Error).message}`);
    }
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        const full = qualify(key);
        if (isSecure(value)) {
            values[full] = SECRET_PLACEHOLDER;
            secretKeys.push(full);
        } else {
            values[full] = asConfigString(value);
        }
    }
    return { project: project.name, values, secretKeys: secretKeys.sort() };
}
