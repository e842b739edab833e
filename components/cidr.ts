/** IPv4 address blocks (CIDR notation), as the farm's and the cluster's networks take them. */

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

/** Cuts a CIDR block into `parts` (a power of two) equal blocks: `10.40.0.0/24` into four /26. */
export function splitCidr(cidr: string, parts: number): string[] {
    const [address, bits] = cidr.split("/");
    const prefix = Number(bits) + Math.log2(parts);
    const start = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    return Array.from({ length: parts }, (_, i) => {
        const n = start + i * size;
        return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")}/${prefix}`;
    });
}
