/**
 * GCP labels: what Google accepts, and the labels armfarm puts beside the stack's own on every GCP resource that
 * takes labels.
 *
 * Source: Resource Manager "Labels overview", requirements, as Google's API references repeat them (for example
 * the `labels` field of the Spanner and Bigtable Admin APIs): at most 64 labels on a resource; keys 1 to 63
 * characters, starting with a lowercase letter (or an international character), then lowercase letters, digits,
 * underscores and dashes; values 0 to 63 characters of the same set.
 */

/** A label key: a lowercase letter first, then up to 62 lowercase letters, digits, `_` or `-`. */
export const GCP_LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
/** A label value: up to 63 lowercase letters, digits, `_` or `-`. */
export const GCP_LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
/** The most labels one resource may carry. */
export const MAX_GCP_LABELS = 64;

/** The labels armfarm sets itself; a stack's labels may not take their keys. */
export const ARMFARM_LABEL_KEYS: readonly string[] = ["managed-by", "armfarm-cluster", "armfarm-arch"];

/** Why `labels` cannot be a stack's GCP labels, or undefined when they can. */
export function labelsProblem(labels: Record<string, string>): string | undefined {
    const keys = Object.keys(labels);
    const room = MAX_GCP_LABELS - ARMFARM_LABEL_KEYS.length;
    if (keys.length > room) return `has ${keys.length} labels; a GCP resource takes ${MAX_GCP_LABELS}, and armfarm sets ${ARMFARM_LABEL_KEYS.length}, so give at most ${room}`;
    for (const key of keys) {
        if (ARMFARM_LABEL_KEYS.includes(key)) return `${JSON.stringify(key)} is a label armfarm sets itself (${ARMFARM_LABEL_KEYS.join(", ")}); use another key`;
        if (!GCP_LABEL_KEY.test(key)) {
            return `${JSON.stringify(key)} is not a GCP label key; keys are 1-63 lowercase letters, digits, _ and -, starting with a lowercase letter`;
        }
        if (!GCP_LABEL_VALUE.test(labels[key])) {
            return `${JSON.stringify(labels[key])} (label ${key}) is not a GCP label value; values are 0-63 lowercase letters, digits, _ and -`;
        }
    }
    return undefined;
}
