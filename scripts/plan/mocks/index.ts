import * as pulumi from "@pulumi/pulumi";
import { stableHex, MockTable, ResourceMock, InvokeMock } from "./fake";
import { awsMocks } from "./aws";
import { registryMocks } from "./registry";
import { gcpMocks } from "./gcp";
import { k8sMocks } from "./k8s";
import { buildMocks } from "./build";
import { withProjectApis } from "./gcp-apis";
import { ESTATE_ENABLED_APIS, gcpClusterMocks } from "./gcp-clusters";
// Each domain adds its table below, one import and one entry a line.

/**
 * Every domain's mocks, by token, made afresh for each plan (the GCP project starts with its APIs off). A later
 * domain may not redefine a token an earlier one answers.
 */
const tables = (): MockTable[] => [
    awsMocks,
    registryMocks,
    withProjectApis(gcpMocks, ESTATE_ENABLED_APIS),
    gcpClusterMocks,
    k8sMocks(),
    buildMocks,

];

function merge(): MockTable {
    const merged: MockTable = { resources: {}, invokes: {} };
    for (const table of tables()) {
        for (const kind of ["resources", "invokes"] as const) {
            for (const [token, fn] of Object.entries(table[kind])) {
                if (token in merged[kind]) throw new Error(`mock for ${token} is defined twice`);
                (merged[kind] as Record<string, unknown>)[token] = fn;
            }
        }
    }
    return merged;
}

export interface MockOverrides {
    /** Replace the answer of an invoke, by token (tests use this to feed a failing registry answer). */
    invokes?: Record<string, InvokeMock>;
    /** Replace the outputs of a resource type, by token. */
    resources?: Record<string, ResourceMock>;
}

/** The plan's mocks: realistic, deterministic answers for every resource type and invoke the program uses. */
export function makeMocks(overrides: MockOverrides = {}): pulumi.runtime.Mocks {
    const table = merge();
    const resources = { ...table.resources, ...overrides.resources };
    const invokes = { ...table.invokes, ...overrides.invokes };
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
            const mock = resources[args.type];
            const extra = mock ? mock(args.name, args.inputs, args.id) : {};
            const id = typeof extra.id === "string" ? extra.id : `${args.name}-${stableHex(8, args.type, args.name)}`;
            return { id: args.custom === false ? undefined : id, state: { ...args.inputs, ...extra } };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
            const mock = invokes[args.token];
            if (!mock) {
                throw new Error(`the offline plan has no mock for invoke ${args.token}; add one in scripts/plan/mocks/`);
            }
            return mock(args.inputs);
        },
    };
}
