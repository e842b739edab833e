import * as assert from "assert";
import { plan, planError } from "./harness";

describe("stack config", () => {
    it("plans the dev stack as it is", async () => {
        const view = await plan();
        assert.ok(view.resources.length > 0);
        assert.deepStrictEqual(view.ofType("pulumi:pulumi:Stack").map((r) => r.name), ["armfarm-dev"]);
    });

    it("refuses a key armfarm does not know, naming it", async () => {
        const message = await planError({ "armfarm:farmInstanceTyp": "m6g.large" });
        assert.match(message, /armfarm:farmInstanceTyp: is not a key armfarm knows; known keys: .*farmInstanceType/);
    });

    it("reports every bad key in one error, before any resource is registered", async () => {
        const message = await planError({
            "aws:region": "moon-1", "armfarm:farmRootVolumeGiB": 8, "armfarm:farmSubnetCidr": "10.99.0.0/24",
        });
        assert.match(message, /^Invalid stack configuration \(3 problems\)/);
        assert.match(message, /aws:region: "moon-1" is not accepted; expected an AWS region name/);
        assert.match(message, /armfarm:farmRootVolumeGiB: "8" is not accepted; expected an integer from 100/);
        assert.match(message, /armfarm:farmSubnetCidr: "10.99.0.0\/24" is not inside armfarm:farmVpcCidr "10.40.0.0\/16"/);
    });

    it("refuses a build without the farm it runs on, here or in another stack", async () => {
        assert.match(await planError({ "armfarm:parts": ["build"] }),
            /armfarm:parts: \["build"\] has "build" without "farm", and neither armfarm:buildFarmStack nor armfarm:buildFarm names the farm of another stack/);
    });

    it("refuses an unknown part and an empty part list", async () => {
        assert.match(await planError({ "armfarm:parts": ["farm", "cache"] }), /armfarm:parts: "cache" is not accepted; use items from farm, build, cluster, mesh/);
        assert.match(await planError({ "armfarm:parts": [] }), /armfarm:parts: \[\] is not accepted; expected at least 1 item/);
    });

    it("needs only the keys without a default: the defaults agree with each other", async () => {
        // A new stack of every part names its regions, its project and the release to mirror; nothing else.
        const message = await planError({
            "armfarm:buildIstioRelease": undefined, "gcp:project": undefined, "armfarm:buildVariant": undefined,
            "armfarm:buildPublishTo": undefined, "armfarm:meshVariant": undefined, "armfarm:buildImages": undefined,
        });
        const keys = [...message.matchAll(/^ {2}- ([\w:]+):/gm)].map((m) => m[1]);
        assert.deepStrictEqual(keys, ["armfarm:buildIstioRelease", "gcp:project"]);
    });
});
