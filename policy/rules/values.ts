/**
 * Reading property values the way both runners present them. Under `@pulumi/policy` an unknown value throws
 * when read (the framework then skips the check); the offline plan writes it as `[unknown]`. The AWS provider
 * takes some booleans as strings (`encrypted: "true"` in a launch template), so booleans are read leniently.
 */

/** How the offline plan writes a value that is not known until the cloud answers. */
export const UNKNOWN = "[unknown]";

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** A string value, or undefined when it is absent, empty or unknown. */
export function text(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" && value !== UNKNOWN ? value : undefined;
}

/** True for `true` and `"true"`, false for `false` and `"false"`, undefined otherwise. */
export function flag(value: unknown): boolean | undefined {
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    return undefined;
}

export function list<T = any>(value: unknown): T[] {
    return Array.isArray(value) ? (value as T[]) : [];
}

export function record(value: unknown): Record<string, any> {
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

/** Follows a dotted path through nested objects. */
export function at(value: unknown, path: string): unknown {
    let current: unknown = value;
    for (const key of path.split(".")) {
        if (!current || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

export function show(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}
