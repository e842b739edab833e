/** Formats shared by several config sections: one definition each, so that every key checks them alike. */

/** An IPv4 CIDR block such as 10.40.0.0/16, with the address aligned to its prefix. */
export function isIpv4Cidr(value: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const hostBits = 32 - prefix;
    const hostMask = hostBits === 32 ? 0xffffffff : (2 ** hostBits - 1);
    return (addr & hostMask) === 0;
}

/** The range an IPv4 CIDR covers, as [first, last] addresses in numeric form. */
export function cidrRange(value: string): [number, number] {
    const [ip, prefix] = value.split("/");
    const addr = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(prefix));
    return [addr, addr + size - 1];
}

/** True when CIDR `inner` lies wholly inside CIDR `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const [a0, a1] = cidrRange(outer);
    const [b0, b1] = cidrRange(inner);
    return b0 >= a0 && b1 <= a1;
}

/** True when two CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const [a0, a1] = cidrRange(a);
    const [b0, b1] = cidrRange(b);
    return a0 <= b1 && b0 <= a1;
}

export const IPV4_CIDR_ACCEPTED = "an IPv4 CIDR block with its address aligned to the prefix, such as 10.40.0.0/16";

/** AWS commercial, GovCloud and China region names, such as us-east-1 or ap-southeast-2. */
export const AWS_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$|^cn-(north|northwest)-1$/;
export const AWS_REGION_ACCEPTED = "an AWS region name such as us-east-1 or eu-west-1";

/** A full git commit SHA. */
export const GIT_SHA = /^[0-9a-f]{40}$/;
export const GIT_SHA_ACCEPTED = "a full git commit SHA of 40 lowercase hex characters";
