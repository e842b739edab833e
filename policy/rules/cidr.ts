/**
 * IPv4 address blocks, as the pack reads them in firewall rules and cluster configs. The program has the same
 * functions in components/cidr.ts; test/policy-standalone.spec.ts checks that the two agree.
 */

/** An IPv4 CIDR block such as 10.40.0.0/16, with the address aligned to its prefix. */
export function isIpv4Cidr(value: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return false;
    const prefix = Number(m[5]);
    if (m.slice(1, 5).some((o) => Number(o) > 255) || prefix > 32) return false;
    const [first] = range(value);
    return first % 2 ** (32 - prefix) === 0;
}

/** The addresses a CIDR covers, first and last, as numbers. */
function range(cidr: string): [number, number] {
    const [ip, prefix] = cidr.split("/");
    const first = ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    return [first, first + 2 ** (32 - Number(prefix)) - 1];
}

/** True when CIDR `inner` lies wholly inside CIDR `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const [o0, o1] = range(outer);
    const [i0, i1] = range(inner);
    return i0 >= o0 && i1 <= o1;
}

/** Addresses that mean "anyone on the internet". */
export const ANYWHERE: readonly string[] = ["0.0.0.0/0", "::/0"];
