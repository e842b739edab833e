/**
 * What @pulumi/gcp (the installed version) says a resource type takes, read from its own type declarations: the
 * fields that hold GCP labels, at the top of a resource's arguments or one object down (a node pool's
 * `nodeConfig.resourceLabels`). Specs use it so that a resource type that takes labels cannot be missed.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./harness";

const GCP_DIR = path.join(PROJECT_DIR, "node_modules", "@pulumi", "gcp");
const LABEL_FIELDS = ["labels", "resourceLabels"];

/** The body of `interface <name> {` in `text`, at the given indentation, up to its closing brace. */
function interfaceBody(text: string, name: string, indent: string): string | undefined {
    const start = text.indexOf(`\n${indent}${indent ? "" : "export "}interface ${name} {\n`);
    if (start < 0) return undefined;
    const end = text.indexOf(`\n${indent}}\n`, start + 1);
    return text.slice(start, end);
}

/** Each property of an interface body (one indentation level in): its name, its type's first line, its doc comment. */
function properties(body: string, indent: string): [string, string, string][] {
    const pattern = new RegExp(`(?:^${indent}/\\*\\*\\n((?:${indent} \\*.*\\n)*)${indent} \\*/\\n)?^${indent}(\\w+)\\??: (.*?);?$`, "gm");
    return [...body.matchAll(pattern)].map((m) => [m[2], m[3], m[1] ?? ""]);
}

/** A field of GCP labels: named so, and not one of Kubernetes labels (a node config's `labels` are node labels). */
function isGcpLabels(field: string, doc: string): boolean {
    return LABEL_FIELDS.includes(field) && !/Kubernetes/.test(doc);
}

/** The declaration file of a resource type token such as `gcp:container/nodePool:NodePool`. */
function declarationOf(token: string): { text: string; resource: string } {
    const m = /^gcp:([a-z0-9]+)\/([A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(token);
    if (!m) throw new Error(`${token} is not a gcp resource type token`);
    const dir = path.join(GCP_DIR, m[1]);
    const file = fs.readdirSync(dir).find((f) => f.toLowerCase() === `${m[2].toLowerCase()}.d.ts`);
    if (!file) throw new Error(`@pulumi/gcp has no declaration for ${token}`);
    return { text: fs.readFileSync(path.join(dir, file), "utf8"), resource: m[3] };
}

const inputTypes = () => fs.readFileSync(path.join(GCP_DIR, "types", "input.d.ts"), "utf8");

/**
 * The label fields a resource type takes, as paths: `labels`, `resourceLabels`, or `<field>.resourceLabels` for an
 * object-valued argument whose input type has one.
 */
export function labelFieldsOf(token: string): string[] {
    const { text, resource } = declarationOf(token);
    const args = interfaceBody(text, `${resource}Args`, "");
    if (!args) throw new Error(`no ${resource}Args in @pulumi/gcp's declaration of ${token}`);
    const found: string[] = [];
    const inputs = inputTypes();
    for (const [field, type, doc] of properties(args, "    ")) {
        if (isGcpLabels(field, doc)) found.push(field);
        const nested = /^pulumi\.Input<inputs\.(\w+)\.(\w+)(?: \| undefined)?>$/.exec(type);
        if (!nested) continue;
        const namespace = inputs.indexOf(`\nexport declare namespace ${nested[1]} {\n`);
        const body = interfaceBody(inputs.slice(namespace), nested[2], "    ");
        for (const [inner, , innerDoc] of properties(body ?? "", "        ")) {
            if (isGcpLabels(inner, innerDoc)) found.push(`${field}.${inner}`);
        }
    }
    return found;
}

/** The fields of an output type @pulumi/gcp declares (a data source's result, or a nested block), with their types. */
function outputFields(module: string, type: string): Map<string, string> {
    if (type.endsWith("Result")) {
        const file = fs.readdirSync(path.join(GCP_DIR, module)).find((f) => f.toLowerCase() === `${type.replace(/Result$/, "").toLowerCase()}.d.ts`);
        const body = interfaceBody(fs.readFileSync(path.join(GCP_DIR, module, file ?? "missing"), "utf8"), type, "");
        return new Map([...(body ?? "").matchAll(/^ {4}readonly (\w+)\??: (.*?);?$/gm)].map((m) => [m[1], m[2]]));
    }
    const outputs = fs.readFileSync(path.join(GCP_DIR, "types", "output.d.ts"), "utf8");
    const body = interfaceBody(outputs.slice(outputs.indexOf(`\nexport declare namespace ${module} {\n`)), type, "    ");
    return new Map(properties(body ?? "", "        ").map(([field, declared]) => [field, declared]));
}

/**
 * Every field of `value`, an answer a mock gives for an invoke, as @pulumi/gcp declares the invoke's result `type`:
 * each key one of its fields, and each block (`outputs.<module>.<Type>[]`) a list of objects of that type, all the
 * way down. Returns what does not fit, as paths.
 */
export function misfits(value: Record<string, unknown>, module: string, type: string, at = type): string[] {
    const fields = outputFields(module, type);
    if (fields.size === 0) return [`${at}: @pulumi/gcp declares no ${type}`];
    return Object.entries(value).flatMap(([key, v]) => {
        const declared = fields.get(key);
        if (declared === undefined) return [`${at}.${key}: not a field of ${type}`];
        const block = new RegExp(`^outputs\\.${module}\\.(\\w+)\\[\\]$`).exec(declared);
        if (!block) return [];
        if (!Array.isArray(v)) return [`${at}.${key}: ${type} declares a list of ${block[1]}`];
        return v.flatMap((item, i) => misfits(item as Record<string, unknown>, module, block[1], `${at}.${key}[${i}]`));
    });
}
