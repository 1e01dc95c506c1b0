import { assertEquals } from "../helpers/assert.ts";
import { parseUpsdUsers } from "../../lib/conf/upsd_users.ts";

const F = "/etc/nut/upsd.users";

Deno.test("upsd.users: passwords, actions, instcmds, upsmon roles", () => {
  const r = parseUpsdUsers(
    `
user legacy   # before any section: ignored
[admin]
  password = "p w\\#x"
  actions = SET
  actions = fsd
  instcmds = test.battery.start Beeper.Toggle
[mon]
  password=monpw
  upsmon primary
[sec]
  password = s
  upsmon = slave
`,
    F,
  );
  assertEquals(r.errors, []);
  const admin = r.users.get("admin")!;
  assertEquals(admin.password, "p w#x");
  assertEquals([...admin.actions], ["SET", "FSD"]);
  assertEquals([...admin.instcmds], ["test.battery.start", "beeper.toggle"]);
  assertEquals([...r.users.get("mon")!.actions], ["LOGIN", "MASTER", "FSD"]);
  assertEquals(r.users.get("mon")!.password, "monpw");
  assertEquals([...r.users.get("sec")!.actions], ["LOGIN"]);
  assertEquals(r.users.has("Admin"), false); // names are case-sensitive
});

Deno.test("upsd.users: duplicates keep the first; a duplicate section's lines are ignored", () => {
  const r = parseUpsdUsers(
    `[a]
  password = one
  password = two
[b]
  password = bpw
[a]
  actions = SET
  password = three
`,
    F,
  );
  assertEquals(r.errors, []);
  assertEquals(r.warnings.map((w) => w.message), [
    `${F}:3: Ignoring duplicate password for a`,
    `${F}:6: Ignoring duplicate user a`,
  ]);
  assertEquals(r.users.get("a")!.password, "one");
  assertEquals(r.users.get("a")!.actions.size, 0);
  // NUT would have applied these lines to [b]; we do not
  assertEquals(r.users.get("b")!.actions.size, 0);
  assertEquals(r.users.get("b")!.password, "bpw");
});

Deno.test("upsd.users: errors name file and line", () => {
  const r = parseUpsdUsers(
    `[u]
  password = x
  colour = blue
  upsmon boss
  allowfrom = localhost
  password
  "unterminated #"
`,
    F,
  );
  assertEquals(r.errors.map((e) => e.message), [
    `${F}:7: Unbalanced word due to unescaped # in quotes`,
    `${F}:3: Unrecognized user setting colour`,
    `${F}:4: Unknown upsmon type boss`,
    `${F}:6: Unrecognized user setting password`,
  ]);
  assertEquals(r.warnings.map((w) => w.message), [
    `${F}:5: allowfrom in upsd.users is no longer used`,
  ]);
});
