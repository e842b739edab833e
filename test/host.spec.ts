import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as YAML from "yaml";
import { plan, PROJECT_DIR } from "./harness";
import { requireTool, shellcheck } from "./tools";

interface WriteFile { path: string; permissions: string; content: string }

/**
 * The v4 fingerprint of the primary key of an ASCII-armored OpenPGP public key, after checking the armor's
 * CRC-24. RFC 4880: 6.1 (CRC-24, init 0xB704CE, polynomial 0x1864CFB), 4.2 (packet headers; an old-format
 * header 0x99 is tag 6, a public key, with a two-octet length), 12.2 (the fingerprint is the SHA-1 of 0x99, the
 * two-octet length and the public key packet's body).
 */
function openPgpFingerprint(armored: string): string {
    const lines = armored.trim().split("\n");
    const body = lines.slice(lines.indexOf("") + 1, lines.findIndex((l) => l.startsWith("=")));
    const bytes = Buffer.from(body.join(""), "base64");
    let crc = 0xb704ce;
    for (const b of bytes) {
        crc ^= b << 16;
        for (let i = 0; i < 8; i++) {
            crc <<= 1;
            if (crc & 0x1000000) crc ^= 0x1864cfb;
        }
    }
    const expected = Buffer.from(lines.find((l) => l.startsWith("="))!.slice(1), "base64");
    assert.strictEqual(crc & 0xffffff, expected.readUIntBE(0, 3), "the armor's CRC-24 matches its data");
    assert.strictEqual(bytes[0], 0x99, "an old-format public key packet with a two-octet length");
    const length = bytes.readUInt16BE(1);
    return createHash("sha1").update(bytes.subarray(0, 3 + length)).digest("hex").toUpperCase();
}

function cloudInitSchema(text: string): { status: number | null; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "armfarm-user-data-"));
    const file = path.join(dir, "user-data.yaml");
    fs.writeFileSync(file, text);
    const run = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe("build host user data (cloud-init)", () => {
    let userData: string;
    let doc: any;
    let files: Record<string, WriteFile>;

    before(async () => {
        const view = await plan();
        const lt = view.get("aws:ec2/launchTemplate:LaunchTemplate", "farm-hosts");
        userData = Buffer.from(lt.inputs.userData as string, "base64").toString("utf8");
        doc = YAML.parse(userData);
        files = Object.fromEntries((doc.write_files as WriteFile[]).map((f) => [f.path, f]));
    });

    it("is a #cloud-config document that `cloud-init schema` accepts", function () {
        assert.ok(userData.startsWith("#cloud-config\n"));
        requireTool(this, "cloud-init");
        const result = cloudInitSchema(userData);
        assert.strictEqual(result.status, 0, result.output);
        assert.match(result.output, /Valid cloud-config/);
    });

    it("`cloud-init schema` rejects a malformed document (the check is not vacuous)", function () {
        requireTool(this, "cloud-init");
        const result = cloudInitSchema("#cloud-config\npackages: docker-ce\nruncmd: {setup: true}\n");
        assert.notStrictEqual(result.status, 0);
        assert.match(result.output, /is not of type 'array'/);
    });

    it("installs Docker CE with buildx from Docker's own repository, signed by Docker's key, shipped in the user data", () => {
        const source = doc.apt.sources["docker.list"];
        assert.match(source.source, /^deb \[arch=arm64 signed-by=\$KEY_FILE\] https:\/\/download\.docker\.com\/linux\/ubuntu \$RELEASE stable$/);
        // With only a keyid, cloud-init would fetch the key with gpg from keyserver.ubuntu.com over HKP, TCP 11371
        // (canonical/cloud-init@24.1.3 cloudinit/config/cc_apt_configure.py, DEFAULT_KEYSERVER; cloudinit/gpg.py):
        // a port the hosts' security group does not open.
        assert.strictEqual(source.keyid, undefined);
        assert.strictEqual(source.keyserver, undefined);
        // Docker publishes its key's fingerprint in "Install Docker Engine on Ubuntu".
        assert.strictEqual(openPgpFingerprint(source.key), "9DC858229FC7DD38854AE2D88D81803C0EBFCD88");
        for (const pkg of ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "git"]) {
            assert.ok(doc.packages.includes(pkg), `${pkg} is installed`);
        }
        assert.ok(!doc.packages.includes("docker.io"), "not Ubuntu's older docker.io package");
    });

    // Istio 1.15's build-tools pins Docker 20.10.14 (API 1.41), 1.19 to 1.21's pin 24.0.5 to 24.0.7 (API 1.43)
    // (istio/tools@04ab00931b61:docker/build-tools/Dockerfile, DOCKER_VERSION, the image istio/istio@1.19.0 pins);
    // Docker 29 answers them "client version 1.43 is too old. Minimum supported API version is 1.44" unless
    // dockerd runs with DOCKER_MIN_API_VERSION (moby/moby#51186).
    it("lets the Docker CLI of older Istio build containers reach the host's daemon: DOCKER_MIN_API_VERSION, loaded before docker restarts", () => {
        const dropIn = files["/etc/systemd/system/docker.service.d/armfarm-api.conf"];
        assert.deepStrictEqual([dropIn.content, dropIn.permissions], ["[Service]\nEnvironment=DOCKER_MIN_API_VERSION=1.24\n", "0644"]);
        const setup = files["/usr/local/lib/armfarm/host-setup.sh"].content;
        const reload = setup.indexOf("systemctl daemon-reload"), restart = setup.indexOf("systemctl restart docker");
        assert.ok(reload > 0 && restart > reload, "the drop-in is read (daemon-reload) before docker restarts");
    });

    it("runs the repository's host setup script, which installs Go by checksum, the AWS CLI and the CloudWatch agent", () => {
        const setup = files["/usr/local/lib/armfarm/host-setup.sh"];
        assert.strictEqual(setup.content, fs.readFileSync(path.join(PROJECT_DIR, "components/build/host-setup.sh"), "utf8"));
        assert.strictEqual(setup.permissions, "0755");
        assert.deepStrictEqual(doc.runcmd, [["bash", "/usr/local/lib/armfarm/host-setup.sh"]]);
        assert.match(setup.content, /sha256sum --check --strict/);
        const env = files["/etc/armfarm/host.env"].content;
        assert.match(env, /^GO_VERSION=\d+\.\d+\.\d+$/m);
        assert.match(env, /^GO_SHA256=[0-9a-f]{64}$/m);
    });

    it("ships /var/log/armfarm and cloud-init's log to the farm's log group", () => {
        const agent = JSON.parse(files["/etc/armfarm/cloudwatch-agent.json"].content);
        const collected = agent.logs.logs_collected.files.collect_list as any[];
        assert.deepStrictEqual(collected.map((c) => [c.file_path, c.log_group_name]),
            [["/var/log/armfarm/*.log", "/armfarm-dev/farm"], ["/var/log/cloud-init-output.log", "/armfarm-dev/farm"]]);
        assert.match(files["/etc/armfarm/host.env"].content, /^ARMFARM_LOG_GROUP=\/armfarm-dev\/farm$/m);
        assert.match(files["/etc/armfarm/host.env"].content, /^ARMFARM_REGION=us-east-1$/m);
    });

    it("needs no port the hosts' security group does not open: every fetch is HTTPS or HTTP, on their own ports", () => {
        const texts = [userData, ...Object.values(files).map((f) => f.content)];
        const urls = texts.flatMap((t) => t.match(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'\\)]+/g) ?? []);
        assert.ok(urls.length >= 3, urls.join(" "));
        for (const url of urls) {
            const u = new URL(url.replace(/\$\{?[A-Z_]+\}?/g, "x"));
            assert.ok(["https:", "http:"].includes(u.protocol) || (u.protocol === "file:"), `${url}: ${u.protocol} needs a port the group does not open`);
            assert.strictEqual(u.port, "", `${url} names a port of its own`);
        }
        assert.doesNotMatch(userData, /keyserver|hkp:|keyid/);
    });

    it("holds no credentials", () => {
        assert.doesNotMatch(userData, /AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}/, "no AWS access key id");
        assert.doesNotMatch(userData, /aws_secret_access_key|password|BEGIN [A-Z ]*PRIVATE KEY/i);
    });

    it("passes shellcheck in every shell part it carries", function () {
        requireTool(this, "shellcheck");
        const scripts = Object.values(files).filter((f) => f.content.startsWith("#!"));
        assert.ok(scripts.length > 0);
        for (const script of scripts) {
            const result = shellcheck(path.join(PROJECT_DIR, "components/build", path.basename(script.path)), script.content);
            assert.strictEqual(result.status, 0, `${script.path}: ${result.output}`);
        }
        for (const command of doc.runcmd as (string | string[])[]) {
            const text = Array.isArray(command) ? command.map((w) => `'${w}'`).join(" ") : command;
            const result = shellcheck(path.join(PROJECT_DIR, "components/build", "runcmd.sh"), `#!/usr/bin/env bash\n${text}\n`);
            assert.strictEqual(result.status, 0, `runcmd ${text}: ${result.output}`);
        }
    });
});
