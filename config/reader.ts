import * as pulumi from "@pulumi/pulumi";
import { differsFromDeclaredDefault } from "./declared";

/**
 * Whether the CLI passed a key as secret, or undefined when the SDK cannot say. The SDK answers it but marks the
 * function internal (checked with @pulumi/pulumi 3.270, runtime/config.js `isConfigSecret`).
 */
function configSecretness(fullKey: string): boolean | undefined {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return check ? check(fullKey) : undefined;
}

/** Whether a key is secret, for refusing a secret set in clear: without the SDK's answer, nothing is refused. */
const isConfigSecret = (fullKey: string): boolean => configSecretness(fullKey) ?? true;

/** Whether a key is secret, for hiding its value in a message: without the SDK's answer, values are shown. */
const knownSecret = (fullKey: string): boolean => configSecretness(fullKey) ?? false;

/** How the offline plan passes a secure value it cannot decrypt (scripts/plan/stack-config.ts). */
const OFFLINE_SECRET = "[secret]";

/** One problem with one configuration key. */
export interface ConfigProblem {
    /** The full key, for example `armfarm:farmInstanceType`. */
    key: string;
    /** What is wrong and what would be accepted. */
    message: string;
}

/**
 * The stack configuration is invalid. The message lists every problem found, one per line, each naming the
 * key, the bad value and what is accepted, so that a user fixes them all in one pass.
 */
export class ConfigError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Shows a config value in an error message. */
export function show(value: unknown): string {
    return JSON.stringify(value);
}

interface Common<T> {
    /** Used when the key is not set. Without it, an unset key is an error. */
    default?: T;
}

/**
 * Reads keys of one namespace and collects problems instead of throwing at the first, so that one run reports
 * every bad key. Values arrive as the Pulumi CLI passes them: strings, with structured values as JSON.
 */
export class ConfigReader {
    private readonly known = new Set<string>();
    private readonly config: pulumi.Config;

    /** `problems` is shared with readers of other namespaces, so that one error lists them all. */
    constructor(readonly namespace: string, readonly problems: ConfigProblem[] = []) {
        this.config = new pulumi.Config(namespace);
    }

    /**
     * A key's value as an error message shows it: a secret one never in clear, and the offline plan's placeholder
     * for a secure value said to be one (the plan cannot decrypt it to check it).
     */
    shown(key: string, value: unknown): string {
        if (!knownSecret(this.full(key))) return show(value);
        return value === OFFLINE_SECRET ? "its secure value, which the offline plan cannot decrypt to check,"
            : "its secret value";
    }

    /** A reader of another namespace (a provider's, such as `aws`) that reports into the same list. */
    namespaceReader(namespace: string): ConfigReader {
        return new ConfigReader(namespace, this.problems);
    }

    /** The full key as users write it: `namespace:key`. */
    full(key: string): string {
        return `${this.namespace}:${key}`;
    }

    /** Records a problem with a key. */
    fail(key: string, message: string): void {
        this.problems.push({ key: this.full(key), message });
    }

    private raw(key: string): string | undefined {
        this.known.add(key);
        return this.config.get(key);
    }

    /** True when the key is set in the stack (or by a project default). */
    isSet(key: string): boolean {
        return this.raw(key) !== undefined;
    }

    /** True when the stack (its file or ESC environment) sets the key to other than its declared default (declared.ts). */
    isSetByStack(key: string): boolean {
        // Not `raw`: asking whether a key is set does not make it one armfarm reads.
        const value = this.config.get(key);
        return value !== undefined && differsFromDeclaredDefault(this.full(key), value);
    }

    string(key: string, opts: Common<string> & { oneOf?: readonly string[]; pattern?: RegExp; accepted?: string } = {}): string {
        const value = this.raw(key);
        if (value === undefined || value === "") {
            if (opts.default !== undefined) return opts.default;
            this.fail(key, `is not set; ${opts.accepted ?? (opts.oneOf ? `one of ${opts.oneOf.join(", ")}` : "a value")} is required`);
            return "";
        }
        if (opts.oneOf && !opts.oneOf.includes(value)) {
            this.fail(key, `${this.shown(key, value)} is not accepted; use one of ${opts.oneOf.join(", ")}`);
        } else if (opts.pattern && !opts.pattern.test(value)) {
            this.fail(key, `${this.shown(key, value)} is not accepted; expected ${opts.accepted ?? `a value matching ${opts.pattern}`}`);
        }
        return value;
    }

    /** A string that may be left unset. */
    optionalString(key: string, opts: { pattern?: RegExp; accepted?: string } = {}): string | undefined {
        const value = this.raw(key);
        if (value === undefined || value === "") return undefined;
        if (opts.pattern && !opts.pattern.test(value)) {
            this.fail(key, `${this.shown(key, value)} is not accepted; expected ${opts.accepted ?? `a value matching ${opts.pattern}`}`);
        }
        return value;
    }

    /**
     * A secret string that may be left unset, as an Output marked secret. A value set in clear (without
     * `pulumi config set --secret`) is refused: it would sit readable in the stack file.
     */
    optionalSecret(key: string, accepted: string): pulumi.Output<string> | undefined {
        const value = this.raw(key);
        if (value === undefined || value === "") return undefined;
        if (!isConfigSecret(this.full(key))) {
            this.fail(key, `is set in clear; ${accepted} is a secret: set it with pulumi config set --secret ${this.full(key)}`);
        }
        return pulumi.secret(value);
    }

    integer(key: string, opts: Common<number> & { min?: number; max?: number } = {}): number {
        const value = this.raw(key);
        const range = `an integer${opts.min !== undefined ? ` from ${opts.min}` : ""}${opts.max !== undefined ? ` to ${opts.max}` : ""}`;
        if (value === undefined || value === "") {
            if (opts.default !== undefined) return opts.default;
            this.fail(key, `is not set; ${range} is required`);
            return NaN;
        }
        const n = Number(value);
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) ||
            (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
            this.fail(key, `${this.shown(key, value)} is not accepted; expected ${range}`);
        }
        return n;
    }

    boolean(key: string, opts: Common<boolean> = {}): boolean {
        const value = this.raw(key);
        if (value === undefined || value === "") {
            if (opts.default !== undefined) return opts.default;
            this.fail(key, "is not set; true or false is required");
            return false;
        }
        if (value !== "true" && value !== "false") {
            this.fail(key, `${this.shown(key, value)} is not accepted; use true or false`);
        }
        return value === "true";
    }

    /** A list of strings, given in the stack file as a YAML list (passed as JSON). */
    stringList(key: string, opts: Common<string[]> & { oneOf?: readonly string[]; pattern?: RegExp; accepted?: string; minItems?: number } = {}): string[] {
        const value = this.raw(key);
        if (value === undefined || value === "") {
            if (opts.default !== undefined) return opts.default;
            this.fail(key, "is not set; a list is required");
            return [];
        }
        let list: unknown;
        try {
            list = JSON.parse(value);
        } catch {
            list = undefined;
        }
        if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
            this.fail(key, `${this.shown(key, value)} is not accepted; expected a list of strings`);
            return [];
        }
        const items = list as string[];
        if (opts.minItems !== undefined && items.length < opts.minItems) {
            this.fail(key, `${this.shown(key, items)} is not accepted; expected at least ${opts.minItems} item${opts.minItems === 1 ? "" : "s"}`);
        }
        const dupes = items.filter((x, i) => items.indexOf(x) !== i);
        if (dupes.length > 0) this.fail(key, `${this.shown(key, dupes[0])} is listed twice`);
        for (const item of items) {
            if (opts.oneOf && !opts.oneOf.includes(item)) {
                this.fail(key, `${this.shown(key, item)} is not accepted; use items from ${opts.oneOf.join(", ")}`);
            } else if (opts.pattern && !opts.pattern.test(item)) {
                this.fail(key, `${this.shown(key, item)} is not accepted; expected ${opts.accepted ?? `items matching ${opts.pattern}`}`);
            }
        }
        return items;
    }

    /** A structured value (an object or list in the stack file or an ESC environment, passed as JSON); undefined when unset. */
    json(key: string): unknown {
        const value = this.raw(key);
        if (value === undefined || value === "") return undefined;
        try {
            return JSON.parse(value);
        } catch {
            this.fail(key, `${this.shown(key, value)} is not accepted; expected a structured value (a YAML map)`);
            return undefined;
        }
    }

    /** A map of strings, given in the stack file as a YAML mapping (passed as JSON, as `type: object` keys are). */
    stringMap(key: string): Record<string, string> {
        const value = this.raw(key);
        if (value === undefined || value === "") return {};
        let map: unknown;
        try {
            map = JSON.parse(value);
        } catch {
            map = undefined;
        }
        if (typeof map !== "object" || map === null || Array.isArray(map) || !Object.values(map).every((v) => typeof v === "string")) {
            this.fail(key, `${this.shown(key, value)} is not accepted; expected a mapping of names to strings, such as {team: mesh}`);
            return {};
        }
        return map as Record<string, string>;
    }

    /**
     * Reports every key of this namespace that is set but that no reader asked for: a misspelt key is
     * otherwise a setting that silently never happens.
     */
    checkUnknownKeys(): void {
        const prefix = `${this.namespace}:`;
        for (const full of Object.keys(pulumi.runtime.allConfig()).sort()) {
            if (!full.startsWith(prefix)) continue;
            const key = full.slice(prefix.length);
            if (!this.known.has(key)) {
                this.problems.push({
                    key: full,
                    message: `is not a key armfarm knows; known keys: ${[...this.known].sort().join(", ")}`,
                });
            }
        }
    }

    /** Throws one ConfigError listing every problem, if there were any. */
    throwIfInvalid(): void {
        if (this.problems.length > 0) throw new ConfigError(this.problems);
    }
}
