/**
 * AWS tags: what AWS accepts, and the tags armfarm sets beside the stack's own on every AWS resource it creates.
 *
 * Source: the tag restrictions AWS's service references share (for example Amazon ECS API Reference, `Tag`):
 * at most 50 tags on a resource; keys 1 to 128 characters, values 0 to 256, of letters, digits, spaces and
 * `+ - = . _ : / @`; no key or value may start with `aws:` in any case, which AWS keeps for itself.
 */

/** A tag key or value: letters, digits, spaces and `+ - = . _ : / @`. */
const TAG_TEXT = /^[\p{L}\p{N} +\-=._:/@]*$/u;
const MAX_TAGS = 50;
const MAX_KEY = 128;
const MAX_VALUE = 256;

/** The keys armfarm sets itself on its AWS resources and hosts; a stack's tags may not take them. */
export const ARMFARM_TAG_KEYS: readonly string[] = [
    "managed-by", "Name", "armfarm:farm", "armfarm:build", "armfarm:build-key", "armfarm:build-run", "armfarm:role",
];

/** The most tags a stack may give, beside armfarm's own. */
export const MAX_STACK_TAGS = MAX_TAGS - ARMFARM_TAG_KEYS.length;

/** Why `tags` cannot be a stack's AWS tags, or undefined when they can. */
export function tagsProblem(tags: Record<string, string>): string | undefined {
    const keys = Object.keys(tags);
    const room = MAX_STACK_TAGS;
    if (keys.length > room) return `has ${keys.length} tags; an AWS resource takes ${MAX_TAGS}, and armfarm sets up to ${ARMFARM_TAG_KEYS.length}, so give at most ${room}`;
    for (const key of keys) {
        if (ARMFARM_TAG_KEYS.includes(key) || key.startsWith("armfarm:")) return `${JSON.stringify(key)} is a tag armfarm sets itself (${ARMFARM_TAG_KEYS.join(", ")}, armfarm:*); use another key`;
        if (key.length < 1 || key.length > MAX_KEY || !TAG_TEXT.test(key)) {
            return `${JSON.stringify(key)} is not an AWS tag key; keys are 1-${MAX_KEY} letters, digits, spaces and + - = . _ : / @`;
        }
        const value = tags[key];
        if (value.length > MAX_VALUE || !TAG_TEXT.test(value)) {
            return `${JSON.stringify(value)} (tag ${key}) is not an AWS tag value; values are 0-${MAX_VALUE} letters, digits, spaces and + - = . _ : / @`;
        }
        for (const text of [key, value]) {
            if (/^aws:/i.test(text)) return `${JSON.stringify(text)} (tag ${key}) starts with aws:, which AWS keeps for its own tags`;
        }
    }
    return undefined;
}
