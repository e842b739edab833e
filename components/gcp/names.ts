/**
 * Physical names that must be unique in a GCP project (service account ids, the Workload Identity pool id,
 * firewall rule names, the hub's repository id) all start with one prefix: `armfarm-<stack>` unless config sets
 * another. Two stacks in one project then never take each other's names, whether they create their own clusters
 * or attach pools to the same existing one (whose name both share, so it cannot be the stem).
 */
import { createHash } from "crypto";

/** A name prefix: lowercase letters, digits and hyphens, starting with a letter, at most 40 (a GKE cluster name). */
export const NAME_PREFIX = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const NAME_PREFIX_ACCEPTED = "1-40 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit, such as armfarm-prod";

const MAX_PREFIX = 40;

/** A short, stable digest of `text`, which keeps shortened names apart. */
function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `text` cut to `max` characters; a cut name ends with a digest of the whole one, so that two long names that
 * share their beginning stay apart.
 */
function fit(text: string, max: number): string {
    if (text.length <= max) return text;
    return `${text.slice(0, max - 5).replace(/-+$/, "")}-${digest(text, 4)}`;
}

/**
 * The default prefix, `armfarm-<stack>`, made a valid name: a stack may be named with capitals, dots and
 * underscores (Pulumi accepts them), which GCP names do not take.
 */
export function defaultNamePrefix(stack: string): string {
    const cleaned = `armfarm-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-{2,}/g, "-").replace(/-+$/, "");
    return fit(cleaned, MAX_PREFIX).replace(/-+$/, "");
}

/** `<prefix>-<suffix>` within `max` characters, the suffix kept whole. */
export function scopedName(prefix: string, suffix: string, max: number): string {
    return `${fit(prefix, max - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** A service account id (6-30 characters): `<prefix>-<suffix>`. */
export function serviceAccountId(prefix: string, suffix: string): string {
    return scopedName(prefix, suffix, 30);
}

/** A Workload Identity pool id (4-32 characters): `<prefix>-<suffix>`. */
export function workloadIdentityPoolId(prefix: string, suffix: string): string {
    return scopedName(prefix, suffix, 32);
}
