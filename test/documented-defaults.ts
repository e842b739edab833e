/**
 * The defaults the components' Args interfaces document, read from their source with the TypeScript parser, and
 * the coverage guard that holds a spec file's checks to them: every optional argument whose doc comment says
 * "Default" must have a check (or a stated reason why no plan shows it), and every check must quote words its
 * field's doc comment still says. A new argument without a check, or a default whose doc changed under its
 * check, fails the suite.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "./harness";

/** The four Args interfaces and the files that declare them. */
export const ARGS_SOURCES = {
    GravitonBuildFarmArgs: "components/aws/farm.ts",
    IstioImageBuildArgs: "components/aws/build.ts",
    GkeArmClusterArgs: "components/gcp/cluster-args.ts",
    IstioMeshArgs: "components/k8s/mesh.ts",
} as const;
export type ArgsInterface = keyof typeof ARGS_SOURCES;

/** A field of an Args interface, as its source declares it. */
export interface DeclaredField {
    name: string;
    optional: boolean;
    /** Its doc comment, whitespace collapsed. */
    doc: string;
}

/** The fields of `interfaceName` in `file` (relative to the project). */
export function declaredFields(file: string, interfaceName: string): DeclaredField[] {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"), ts.ScriptTarget.Latest, true);
    const declaration = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === interfaceName);
    if (!declaration) return assert.fail(`${file} declares no interface ${interfaceName}`);
    return declaration.members.filter(ts.isPropertySignature).map((member) => ({
        name: member.name.getText(source),
        optional: member.questionToken !== undefined,
        doc: ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc).map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join(" ").replace(/\s+/g, " ").trim(),
    }));
}

const DOCUMENTS_DEFAULT = /\bDefault\b/;

interface DefaultCheck {
    args: ArgsInterface;
    field: string;
    /** Words of the field's doc comment that state the default. */
    documented: string;
}

/** Every check registered with `defaultOf`, for the guard. */
const CHECKS: DefaultCheck[] = [];

/**
 * Registers specs of `args`' defaults: `applies(field, documented, check)` is a mocha `it` that checks the plan
 * applies `field`'s default, `documented` quoting the words of its doc comment that state it.
 */
export function defaultOf(args: ArgsInterface) {
    return (field: string, documented: string, check: () => void | Promise<void>) => {
        CHECKS.push({ args, field, documented });
        it(`${field}: ${documented}`, check);
    };
}

/**
 * The coverage guard, over the checks registered so far (call it after them, in the same file): `unobservable`
 * names, per interface, the documented defaults no plan can show, each with the reason.
 */
export function describeDefaultsCoverage(unobservable: Record<ArgsInterface, Record<string, string>>): void {
    describe("the coverage of the documented defaults", () => {
        for (const [args, file] of Object.entries(ARGS_SOURCES) as [ArgsInterface, string][]) {
            describe(`${args} (${file})`, () => {
                const fields = declaredFields(file, args);
                const documented = fields.filter((f) => f.optional && DOCUMENTS_DEFAULT.test(f.doc));
                const checks = CHECKS.filter((c) => c.args === args);

                it("documents a default (or that it is required) for every optional argument", () => {
                    assert.ok(documented.length >= 10, `only ${documented.length} documented defaults read from ${file}`);
                    assert.deepStrictEqual(fields.filter((f) => f.optional && !DOCUMENTS_DEFAULT.test(f.doc) && !/\bRequired\b/.test(f.doc)).map((f) => f.name), []);
                });

                it("has a check for every documented default, or a reason why no plan shows it", () => {
                    const unchecked = documented.map((f) => f.name).filter((name) => !checks.some((c) => c.field === name) && !(name in unobservable[args]));
                    assert.deepStrictEqual(unchecked, [], `add a check of ${unchecked.join(", ")}`);
                });

                it("quotes each field's doc comment as it stands", () => {
                    for (const check of checks) {
                        const field = documented.find((f) => f.name === check.field);
                        assert.ok(field, `${check.field} is not an argument of ${args} with a documented default`);
                        assert.ok(field.doc.includes(check.documented),
                            `${args}.${check.field}'s doc no longer says ${JSON.stringify(check.documented)}: ${JSON.stringify(field.doc)}`);
                    }
                });

                it("lists as unobservable only documented defaults that have no check", () => {
                    for (const [name, reason] of Object.entries(unobservable[args])) {
                        assert.ok(documented.some((f) => f.name === name), `${name} is not an argument of ${args} with a documented default`);
                        assert.ok(!checks.some((c) => c.field === name), `${name} has a check now; take it off the list`);
                        assert.ok(reason.length > 20, `${name} needs a reason`);
                    }
                });
            });
        }
    });
}
