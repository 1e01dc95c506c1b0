/**
 * The manual pages in man/: each one renders without a single groff or man
 * warning, has the sections every page needs, names itself correctly, and
 * every program launcher in bin/ has a page.
 *
 * Rendering checks need groff (and man-db for the `man --warnings` check);
 * they are skipped with a message where those are not installed.
 */

import { assert, assertEquals } from "../helpers/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAN_DIR = `${ROOT}man`;
const BIN_DIR = `${ROOT}bin`;

/** Sections a program page may live in (commands, admin commands). */
const PROGRAM_SECTIONS = ["1", "8"];

function listFiles(dir: string): string[] {
  const names: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile || e.isSymlink) names.push(e.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/** Man pages are named `<title>.<section>`, section a digit. */
const pages = listFiles(MAN_DIR).filter((n) => /\.[1-9]$/.test(n));

function haveTool(name: string): boolean {
  try {
    const out = new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success;
  } catch {
    return false;
  }
}

const haveGroff = haveTool("groff");
const haveMan = haveTool("man");
if (!haveGroff) console.log("man_test: groff not installed, skipping rendering checks");
if (!haveMan) console.log("man_test: man (man-db) not installed, skipping `man --warnings`");

function run(cmd: string, args: string[]): { code: number; stderr: string } {
  const out = new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    // Fixed width and no pager so the result does not depend on the terminal.
    env: { MANWIDTH: "80", MANPAGER: "cat", PAGER: "cat", LC_ALL: "C.UTF-8" },
  }).outputSync();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** `.SH` headings of a page, quotes removed. */
function sectionHeadings(src: string): string[] {
  return src.split("\n")
    .filter((l) => l.startsWith(".SH "))
    .map((l) => l.slice(4).trim().replace(/^"(.*)"$/, "$1"));
}

Deno.test("man: the pages directory holds pages", () => {
  assert(pages.length > 0, `no man pages found in ${MAN_DIR}`);
  const stray = listFiles(MAN_DIR).filter((n) => !pages.includes(n));
  assertEquals(stray, [], "files in man/ that are not named <title>.<section>");
});

for (const page of pages) {
  const path = `${MAN_DIR}/${page}`;

  Deno.test({
    name: `man: ${page} renders with groff -man -ww without warnings`,
    ignore: !haveGroff,
    fn() {
      const r = run("groff", ["-man", "-ww", "-z", path]);
      assertEquals(r.stderr, "", `groff warnings for ${page}`);
      assertEquals(r.code, 0, `groff exit status for ${page}`);
    },
  });

  Deno.test({
    name: `man: ${page} renders with man --warnings without warnings`,
    ignore: !haveMan || !haveGroff,
    fn() {
      const r = run("man", ["--warnings", "-l", path]);
      assertEquals(r.stderr, "", `man warnings for ${page}`);
      assertEquals(r.code, 0, `man exit status for ${page}`);
    },
  });

  Deno.test(`man: ${page} has NAME, SYNOPSIS, DESCRIPTION and a matching .TH`, () => {
    const src = Deno.readTextFileSync(path);
    const heads = sectionHeadings(src);
    for (const want of ["NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"]) {
      assert(heads.includes(want), `${page} lacks section ${want} (has: ${heads.join(", ")})`);
    }
    assertEquals(heads.slice(0, 3), ["NAME", "SYNOPSIS", "DESCRIPTION"], `${page} section order`);

    const dot = page.lastIndexOf(".");
    const title = page.slice(0, dot);
    const section = page.slice(dot + 1);
    const th = src.split("\n").find((l) => l.startsWith(".TH "));
    assert(th !== undefined, `${page} has no .TH line`);
    const words = th.slice(4).match(/"[^"]*"|\S+/g) ?? [];
    assertEquals(
      words[0]?.replaceAll("\\-", "-").toLowerCase(),
      title.toLowerCase(),
      `${page}: .TH title`,
    );
    assertEquals(words[1], section, `${page}: .TH section`);

    // The NAME line starts with the page's own name.
    const nameAt = src.indexOf("\n.SH NAME\n");
    const nameLine = src.slice(nameAt + "\n.SH NAME\n".length).split("\n")[0];
    assert(
      nameLine.replaceAll("\\-", "-").startsWith(`${title} - `),
      `${page}: NAME line should read "${title} \\- ...", got ${JSON.stringify(nameLine)}`,
    );
  });

  Deno.test(`man: ${page} refers in SEE ALSO only to pages that exist`, () => {
    const src = Deno.readTextFileSync(path);
    const at = src.indexOf("\n.SH SEE ALSO\n");
    assert(at >= 0, `${page} has no SEE ALSO`);
    const rest = src.slice(at + 1).split("\n").slice(1);
    const end = rest.findIndex((l) => l.startsWith(".SH "));
    const body = (end < 0 ? rest : rest.slice(0, end)).join("\n");
    // Our own pages are in sections 5, 7 and 8; others (logger(1)...) are the system's.
    const refs = [...body.matchAll(/^\.BR\s+(\S+)\s+\(([578])\)/gm)]
      .map((m) => `${m[1].replaceAll("\\-", "-")}.${m[2]}`);
    const missing = refs.filter((r) => !pages.includes(r));
    assertEquals(missing, [], `${page} refers to pages that man/ does not have`);
  });
}

Deno.test("man: every program launcher in bin/ has a page", () => {
  // Launchers are added as programs are written; check the ones that exist.
  const launchers = listFiles(BIN_DIR).filter((n) => !n.startsWith("_") && !n.startsWith("."));
  if (launchers.length === 0) console.log("man_test: no launchers in bin/ yet");
  const missing = launchers.filter((name) =>
    !PROGRAM_SECTIONS.some((s) => pages.includes(`${name}.${s}`))
  );
  assertEquals(missing, [], "launchers without a man/<name>.8 (or .1) page");
});
