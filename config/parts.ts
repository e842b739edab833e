/**
 * Which part of the stack each key configures, and the check that a stack sets no key of a part it does not
 * deploy: such a key would be a setting that silently never happens (cluster keys in a mesh-only stack, for
 * example, where the mesh installs on a cluster made elsewhere).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigReader, show } from "./reader";

/** The parts a stack can hold; each works alone or fed by the one before it. */
export const PARTS = ["farm", "build", "cluster", "mesh"] as const;
export type Part = (typeof PARTS)[number];

/** Keys of a part that do not carry its name: GCP labels label only what the cluster part creates. */
const KEYS_OF_PARTS: Record<string, Part> = { labels: "cluster" };

/** Keys of any of several parts: AWS tags tag what the farm and the build create. */
const KEYS_OF_ANY_PART: Record<string, Part[]> = { tags: ["farm", "build"] };

/** The part a key of the `armfarm:` namespace configures (`farmSpot` → farm), or undefined for a stack-wide key. */
export function partOfKey(key: string): Part | undefined {
    return KEYS_OF_PARTS[key] ?? PARTS.find((part) => new RegExp(`^${part}[A-Z]`).test(key));
}

/**
 * Reports every key the stack sets (its file or ESC environment, not a project default: see declared.ts) for a
 * part that `parts` leaves out, naming the key and the part.
 */
export function checkKeysOfParts(r: ConfigReader, parts: ReadonlySet<Part>): void {
    const prefix = `${r.namespace}:`;
    for (const full of Object.keys(pulumi.runtime.allConfig()).sort()) {
        if (!full.startsWith(prefix)) continue;
        const key = full.slice(prefix.length);
        const part = partOfKey(key);
        if (part && !parts.has(part) && r.isSetByStack(key)) {
            r.fail(key, `configures the ${part} part, which armfarm:parts ${show([...parts])} does not deploy; remove the key, or add "${part}" to armfarm:parts`);
        }
        const anyOf = KEYS_OF_ANY_PART[key];
        if (anyOf && !anyOf.some((p) => parts.has(p)) && r.isSetByStack(key)) {
            r.fail(key, `configures the ${anyOf.join(" and ")} parts, neither of which armfarm:parts ${show([...parts])} deploys; remove the key, or add one of them to armfarm:parts`);
        }
    }
}
