/**
 * `armfarm:tags` (issue 15): the stack's AWS tags reach every AWS resource of the farm and the build that takes
 * tags, and the hosts and volumes the builds launch. Which resources take tags is read from @pulumi/aws itself:
 * a resource class that sends a `tags` input (`resourceInputs["tags"]` in its module).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { plan, planError, PlanView, PROJECT_DIR } from "./harness";

const TAGS = { team: "platform", "cost-center": "mesh 42", "owner@acme": "infra/mesh" };

/** Whether @pulumi/aws's class for `type` (`aws:<module>/<name>:<Name>`) sends a `tags` input. */
function takesTags(type: string): boolean {
    const [, module] = type.split(":");
    const source = fs.readFileSync(path.join(PROJECT_DIR, "node_modules/@pulumi/aws", `${module}.js`), "utf8");
    return source.includes('resourceInputs["tags"] = args?.tags') || source.includes('resourceInputs["tags"] = args ? args.tags : undefined');
}

/** The tags a resource carries, whatever their shape: a map, or an Auto Scaling group's list. */
function tagsOf(inputs: Record<string, any>): Record<string, string> {
    if (Array.isArray(inputs.tags)) return Object.fromEntries(inputs.tags.map((t: any) => [t.key, t.value]));
    return inputs.tags ?? {};
}

describe("AWS tags from armfarm:tags", function () {
    this.timeout(120000);
    let view: PlanView;
    before(async () => {
        view = await plan({ "armfarm:tags": TAGS, "armfarm:farmSpot": true });
    });

    it("reach every AWS resource that takes tags, as @pulumi/aws declares them", () => {
        const aws = view.resources.filter((r) => r.type.startsWith("aws:"));
        const tagged = aws.filter((r) => takesTags(r.type));
        assert.ok(tagged.length > 20, `${tagged.length} taggable resources`);
        for (const r of tagged) {
            const tags = tagsOf(r.inputs as Record<string, any>);
            for (const [key, value] of Object.entries(TAGS)) assert.strictEqual(tags[key], value, `${r.type} ${r.name}: ${key}`);
        }
        // And the armfarm tags beside them: the farm on every one, the build on the build's.
        for (const r of tagged) assert.strictEqual(tagsOf(r.inputs as Record<string, any>)["armfarm:farm"], "farm", `${r.type} ${r.name}`);
    });

    it("reach the hosts, their volumes and interfaces: through the groups' propagation and the templates' tag specifications", () => {
        for (const group of view.ofType("aws:autoscaling/group:Group")) {
            for (const key of Object.keys(TAGS)) {
                assert.ok((group.inputs.tags as any[]).some((t) => t.key === key && t.propagateAtLaunch === true), `${group.name}: ${key}`);
            }
        }
        for (const template of view.ofType("aws:ec2/launchTemplate:LaunchTemplate")) {
            const specs = template.inputs.tagSpecifications as any[];
            assert.deepStrictEqual(specs.map((s) => s.resourceType), ["instance", "volume", "network-interface"]);
            for (const spec of specs) for (const [key, value] of Object.entries(TAGS)) assert.strictEqual(spec.tags[key], value, `${template.name} ${spec.resourceType}`);
        }
    });

    it("refuses tags AWS does not take, or that take armfarm's own keys, naming the key", async () => {
        const refused: [Record<string, string>, RegExp][] = [
            [{ "aws:team": "x" }, /armfarm:tags: "aws:team" \(tag aws:team\) starts with aws:, which AWS keeps for its own tags/],
            [{ team: "AWS:mesh" }, /armfarm:tags: "AWS:mesh" \(tag team\) starts with aws:/],
            [{ "armfarm:build": "x" }, /armfarm:tags: "armfarm:build" is a tag armfarm sets itself/],
            [{ Name: "x" }, /armfarm:tags: "Name" is a tag armfarm sets itself/],
            [{ team: "a;b" }, /armfarm:tags: "a;b" \(tag team\) is not an AWS tag value; values are 0-256 letters, digits, spaces and \+ - = \. _ : \/ @/],
            [{ ["k".repeat(129)]: "x" }, /is not an AWS tag key; keys are 1-128/],
            [Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`t${i}`, "x"])), /armfarm:tags: has 44 tags; an AWS resource takes 50, and armfarm sets up to 7, so give at most 43/],
        ];
        for (const [tags, message] of refused) assert.match(await planError({ "armfarm:tags": tags }), message);
        assert.match(await planError({ "armfarm:tags": ["team"] }), /armfarm:tags: .* is not accepted; expected a mapping of names to strings/);
    });
});
