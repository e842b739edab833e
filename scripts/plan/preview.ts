/**
 * A first `pulumi preview`, played under the mock engine: what the engine answers each request with while no
 * resource of the stack exists yet. The SDK does the rest itself once it runs in preview mode
 * (`setMockOptions(monitor, project, stack, true)`), as it does under the real engine:
 *
 * - A property that the engine's answer leaves out resolves as unknown, and its `apply` never runs
 *   (@pulumi/pulumi@3.270.0:runtime/rpc.js `resolveProperties`, "mark the value as known if we are not running
 *   a preview"). An empty id resolves as an unknown id (runtime/resource.js, `resolveID(id, id !== undefined)`).
 * - An output-form invoke whose inputs hold an unknown answers unknown without asking the engine, and so does
 *   one that depends (by its inputs or `dependsOn`) on a custom resource whose id is unknown, because the mock
 *   monitor leaves the SDK's own dependency gate on (runtime/invoke.js `invokeAsync`, `supportsInvokeDependsOn`
 *   false; runtime/mocks.js `setMocks`).
 *
 * What the engine answers, and so what these mocks answer (pulumi/pulumi@v3.259.0):
 * - Creating a custom resource: the provider's preview of it, with an empty id. A provider that previews
 *   returns the inputs with the properties it computes left unknown; one whose configuration holds an unknown
 *   is not configured and returns nothing at all (sdk/go/common/resource/plugin/provider_plugin.go,
 *   `Create`: "if req.Preview", "hand back an empty property map"). Here: the inputs as given, known where they
 *   are known, and unknown wherever the plan's own mock (what the cloud answers to an update) adds a property,
 *   at the top or nested (a cluster's endpoint inside the endpoints config the program gave); or nothing for an
 *   unconfigured provider. A provider's schema defaults, which a real preview fills in, are left out.
 * - Creating a provider: its id is unknown until the update (pkg/resource/deploy/providers/registry.go,
 *   `Create`, `id := resource.ID(UnknownID)` unless not a preview).
 * - Reading a resource (`Resource.get`, a StackReference): reads run during previews, except when the id is
 *   unknown, which leaves every output unknown (pkg/resource/deploy/step.go, `ReadStep.Apply`); a provider that
 *   is not configured reads nothing (provider_plugin.go, `Read`).
 * - An invoke through a provider that is not configured returns an empty property map (provider_plugin.go,
 *   `Invoke`: "If the provider is not fully configured, return an empty property map").
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown, unknown } from "@pulumi/pulumi/output";

/** The engine's unknown value on the wire (pulumi/pulumi `plugin.UnknownStringValue`, the SDK's `unknownValue`). */
export const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** How the plan shows a value that is not known until the cloud answers. */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** True when a value as the SDK hands it to the mocks (deserialized) holds an unknown anywhere. */
export function holdsUnknown(value: unknown): boolean {
    if (isUnknown(value) || value === UNKNOWN_WIRE) return true;
    if (Array.isArray(value)) return value.some(holdsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(holdsUnknown);
    return false;
}

/** The URN of a provider reference (`urn::id` on the wire). */
export function providerUrnOf(ref: string | undefined): string | undefined {
    if (!ref) return undefined;
    const cut = ref.lastIndexOf("::");
    return cut > 0 ? ref.slice(0, cut) : ref;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A created resource as a provider previews it: its inputs, with every property the cloud adds (what `answered`,
 * the update's answer, holds beyond the inputs, at any depth) unknown.
 */
export function plannedState(inputs: unknown, answered: unknown): unknown {
    if (isPlainObject(answered) && (isPlainObject(inputs) || inputs === undefined)) {
        const given = (inputs ?? {}) as Record<string, unknown>;
        const planned: Record<string, unknown> = { ...given };
        for (const [k, v] of Object.entries(answered)) {
            if (!(k in given) || given[k] === undefined) planned[k] = unknown;
            else planned[k] = plannedState(given[k], v);
        }
        return planned;
    }
    if (Array.isArray(answered) && Array.isArray(inputs) && answered.length === inputs.length) {
        return inputs.map((v, i) => plannedState(v, answered[i]));
    }
    return inputs;
}

/**
 * Wraps the plan's mocks (which answer as `pulumi up` would) so that they answer as a first preview does.
 * `unconfigured` holds the URNs of the providers whose configuration is not known in this preview; the caller
 * adds each as it is registered.
 */
export function previewMocks(mocks: pulumi.runtime.Mocks, unconfigured: ReadonlySet<string>): pulumi.runtime.Mocks {
    const configured = (ref: string | undefined) => {
        const urn = providerUrnOf(ref);
        return urn === undefined || !unconfigured.has(urn);
    };
    return {
        async newResource(args: pulumi.runtime.MockResourceArgs) {
            if (args.custom === false) return mocks.newResource(args);
            if (args.type.startsWith(PROVIDER_TYPE_PREFIX)) return { id: UNKNOWN_WIRE, state: args.inputs };
            if (args.id) {
                // A read (or an import) of a resource that exists: it runs unless its id or its provider is unknown.
                if (args.id === UNKNOWN_WIRE || !configured(args.provider)) return { id: args.id, state: {} };
                return mocks.newResource(args);
            }
            if (!configured(args.provider)) return { id: "", state: {} };
            return { id: "", state: plannedState(args.inputs, (await mocks.newResource(args)).state) as Record<string, unknown> };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            return configured(args.provider) ? mocks.call(args) : {};
        },
    };
}
