import * as assert from "assert";
import {
    AUTOSCALING_GROUP, buildHostPublicIp, buildHostSpot, EBS_VOLUME, encryptedVolumes, gravitonBuildHosts, imdsv2Required,
    INSTANCE, LAUNCH_TEMPLATE, noOpenIngress, SECURITY_GROUP, SECURITY_GROUP_INGRESS_RULE, SECURITY_GROUP_RULE,
} from "../rules/ec2";
import { cover, resource, violations } from "./cases";

const buildHostTags = { "armfarm:role": "build-host" };
const templateFor = (props: Record<string, any>) => resource(LAUNCH_TEMPLATE, {
    tagSpecifications: [{ resourceType: "instance", tags: buildHostTags }], ...props,
});

describe("policy: EC2", () => {
    it("requires IMDSv2 on instances and launch templates", () => {
        cover(imdsv2Required);
        assert.deepStrictEqual(violations(imdsv2Required, resource(LAUNCH_TEMPLATE, { metadataOptions: { httpTokens: "required" } })), []);
        assert.deepStrictEqual(violations(imdsv2Required, resource(INSTANCE, { metadataOptions: { httpEndpoint: "disabled" } })), []);
        const [message] = violations(imdsv2Required, resource(INSTANCE, { metadataOptions: { httpTokens: "optional" } }));
        assert.match(message, /metadataOptions.httpTokens is "optional"; set it to "required"/);
        assert.match(violations(imdsv2Required, resource(LAUNCH_TEMPLATE, {}))[0], /httpTokens is "unset"/);
    });

    it("refuses ingress from anywhere, in groups and in separate rules, IPv4 and IPv6", () => {
        cover(noOpenIngress);
        const open = resource(SECURITY_GROUP, { ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["10.0.0.0/8"], ipv6CidrBlocks: ["::/0"] }] });
        assert.deepStrictEqual(violations(noOpenIngress, open), [
            "ingress[0] admits ingress from ::/0; name the networks that need access, or reach hosts through SSM",
        ]);
        assert.strictEqual(violations(noOpenIngress, resource(SECURITY_GROUP_RULE, { type: "ingress", cidrBlocks: ["0.0.0.0/0"] })).length, 1);
        assert.strictEqual(violations(noOpenIngress, resource(SECURITY_GROUP_INGRESS_RULE, { cidrIpv4: "0.0.0.0/0" })).length, 1);
        // Egress to anywhere is how hosts reach registries; ingress from a named network is fine.
        assert.deepStrictEqual(violations(noOpenIngress, resource(SECURITY_GROUP_RULE, { type: "egress", cidrBlocks: ["0.0.0.0/0"] })), []);
        assert.deepStrictEqual(violations(noOpenIngress, resource(SECURITY_GROUP, {
            ingress: [{ cidrBlocks: ["10.40.0.0/16"] }], egress: [{ cidrBlocks: ["0.0.0.0/0"] }],
        })), []);
    });

    it("requires encrypted volumes, reading the provider's string booleans", () => {
        cover(encryptedVolumes);
        assert.deepStrictEqual(violations(encryptedVolumes, resource(LAUNCH_TEMPLATE, {
            blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "true" } }, { deviceName: "/dev/sdb", virtualName: "ephemeral0" }],
        })), []);
        assert.deepStrictEqual(violations(encryptedVolumes, resource(LAUNCH_TEMPLATE, {
            blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { encrypted: "false" } }],
        })), ['blockDeviceMappings[0].ebs.encrypted is "false"; set it to true (an unencrypted volume keeps build caches and credentials in the clear)']);
        const instance = resource(INSTANCE, { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] });
        assert.deepStrictEqual(violations(encryptedVolumes, instance).map((m) => m.split(";")[0]), ['ebsBlockDevices[0].encrypted is "unset"']);
        assert.deepStrictEqual(violations(encryptedVolumes, resource(EBS_VOLUME, { encrypted: true, size: 100 })), []);
    });

    it("keeps build hosts on Graviton, and leaves other hosts alone", () => {
        cover(gravitonBuildHosts);
        assert.deepStrictEqual(violations(gravitonBuildHosts, templateFor({ instanceType: "c7g.8xlarge" })), []);
        assert.match(violations(gravitonBuildHosts, templateFor({ instanceType: "m7i.4xlarge" }))[0],
            /instanceType "m7i.4xlarge" is not a Graviton \(arm64\) type/);
        assert.deepStrictEqual(violations(gravitonBuildHosts, resource(INSTANCE, { instanceType: "m7i.large", tags: { role: "bastion" } })), []);
        assert.strictEqual(violations(gravitonBuildHosts, resource(INSTANCE, { instanceType: "m7i.large", tags: buildHostTags })).length, 1);
        const group = resource(AUTOSCALING_GROUP, {
            tags: [{ key: "armfarm:role", value: "build-host", propagateAtLaunch: true }],
            mixedInstancesPolicy: { launchTemplate: { overrides: [{ instanceType: "m6g.4xlarge" }, { instanceType: "c6i.4xlarge" }] } },
        });
        assert.deepStrictEqual(violations(gravitonBuildHosts, group).map((m) => m.split(" is ")[0]),
            ['mixedInstancesPolicy.launchTemplate.overrides[1].instanceType "c6i.4xlarge"']);
    });

    it("advises on public IPs of build hosts", () => {
        cover(buildHostPublicIp);
        assert.strictEqual(violations(buildHostPublicIp, templateFor({ networkInterfaces: [{ associatePublicIpAddress: "true" }] })).length, 1);
        assert.deepStrictEqual(violations(buildHostPublicIp, templateFor({ networkInterfaces: [{ associatePublicIpAddress: "false" }] })), []);
        assert.strictEqual(buildHostPublicIp.enforcementLevel, "advisory");
    });

    it("advises on spot build hosts", () => {
        cover(buildHostSpot);
        assert.strictEqual(violations(buildHostSpot, templateFor({ instanceMarketOptions: { marketType: "spot" } })).length, 1);
        const group = (percent?: number) => resource(AUTOSCALING_GROUP, {
            tags: [{ key: "armfarm:role", value: "build-host", propagateAtLaunch: true }],
            mixedInstancesPolicy: { instancesDistribution: percent === undefined ? {} : { onDemandPercentageAboveBaseCapacity: percent } },
        });
        assert.strictEqual(violations(buildHostSpot, group(0)).length, 1);
        assert.deepStrictEqual(violations(buildHostSpot, group(100)), []);
        assert.deepStrictEqual(violations(buildHostSpot, group()), []);
        assert.deepStrictEqual(violations(buildHostSpot, templateFor({})), []);
        assert.strictEqual(buildHostSpot.enforcementLevel, "advisory");
    });
});
