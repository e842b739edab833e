/**
 * What armfarm knows about GCE machine series and where they run (components/arch.ts, components/gcp/gke-data.ts),
 * against Google's pages: GKE "Arm workloads on GKE" (C4A, N4A and T2A for Arm nodes), Compute Engine
 * "General-purpose machine family" (the T2A machine types) and "Regions and zones" (T2A by zone).
 */
import * as assert from "assert";
import { gceArchOf, isGceArm64, parseGceMachineType } from "../components/arch";
import { armLocationProblem, bootDiskType, seriesShapeProblem, T2A_ZONES } from "../components/gcp/gke-data";

describe("GCE machine-type and location knowledge", () => {
    it("parses machine types and tells their architecture", () => {
        assert.deepStrictEqual(parseGceMachineType("t2a-standard-4"), { family: "t2a", shape: "standard", vcpus: 4, localSsd: false });
        assert.deepStrictEqual(parseGceMachineType("c4a-highmem-8-lssd"), { family: "c4a", shape: "highmem", vcpus: 8, localSsd: true });
        assert.strictEqual(parseGceMachineType("e2-medium")?.vcpus, undefined);
        assert.strictEqual(parseGceMachineType("m6g.large"), undefined);
        assert.strictEqual(isGceArm64("c4a-standard-16"), true);
        assert.strictEqual(isGceArm64("c3-standard-4"), false);
        assert.strictEqual(gceArchOf("a3-highgpu-8g"), undefined);
    });

    it("knows where T2A runs, zone by zone, and which series boot from Hyperdisk only", () => {
        assert.ok(T2A_ZONES.every((z) => /^(us-central1|europe-west4|asia-southeast1)-[a-z]$/.test(z)));
        assert.strictEqual(armLocationProblem("t2a-standard-4", "asia-southeast1"), undefined);
        assert.match(String(armLocationProblem("t2a-standard-4", "asia-southeast1-a")), /no Tau T2A/);
        assert.strictEqual(armLocationProblem("c4a-standard-4", "us-east4-b"), undefined);
        // No current list of C4A or N4A locations could be confirmed: GKE, not a stale allow-list, refuses them.
        assert.strictEqual(armLocationProblem("c4a-standard-4", "asia-northeast1-a"), undefined);
        assert.strictEqual(armLocationProblem("n4a-standard-4", "europe-west1"), undefined);
        assert.strictEqual(isGceArm64("n4a-highcpu-16"), true);
        assert.strictEqual(bootDiskType("t2a-standard-4"), "pd-balanced");
        assert.strictEqual(bootDiskType("c4a-standard-4"), "hyperdisk-balanced");
        assert.strictEqual(bootDiskType("n4a-standard-4"), "hyperdisk-balanced");
    });

    it("knows the T2A machine types: t2a-standard-1, 2, 4, 8, 16, 32 and 48, nothing else", () => {
        for (const n of [1, 2, 4, 8, 16, 32, 48]) assert.strictEqual(seriesShapeProblem(`t2a-standard-${n}`), undefined, String(n));
        for (const type of ["t2a-standard-3", "t2a-standard-64", "t2a-highmem-8", "t2a-standard-4-lssd"]) {
            assert.match(String(seriesShapeProblem(type)), /is not a Tau T2A machine type/, type);
        }
        // Other series' sizes are left to Compute Engine.
        assert.strictEqual(seriesShapeProblem("c4a-highcpu-72"), undefined);
    });
});
