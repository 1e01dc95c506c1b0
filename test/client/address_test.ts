import { AddressError, parseHostAddress, parseUpsAddress } from "../../lib/client/address.ts";
import { assertEquals, assertThrows } from "../helpers/assert.ts";

const fails = (fn: () => unknown, message: string) =>
  assertThrows(fn, (e) => e instanceof AddressError && e.message === message, message);

Deno.test("parseUpsAddress: defaults, host, port, IPv6 literal", () => {
  assertEquals(parseUpsAddress("myups"), { ups: "myups", host: "localhost", port: 3493 });
  assertEquals(parseUpsAddress("myups@server"), { ups: "myups", host: "server", port: 3493 });
  assertEquals(parseUpsAddress("myups@10.0.0.1:34930"), {
    ups: "myups",
    host: "10.0.0.1",
    port: 34930,
  });
  assertEquals(parseUpsAddress("u@[::1]:3494"), { ups: "u", host: "::1", port: 3494 });
  assertEquals(parseUpsAddress("u@[fe80::1]"), { ups: "u", host: "fe80::1", port: 3493 });
  // NUT ignores what follows "]" unless it starts with ":"
  assertEquals(parseUpsAddress("u@[::1]junk"), { ups: "u", host: "::1", port: 3493 });
  // strtol: leading digits count
  assertEquals(parseUpsAddress("u@h:12abc"), { ups: "u", host: "h", port: 12 });
  assertEquals(parseUpsAddress("u@h:65535"), { ups: "u", host: "h", port: 65535 });
});

Deno.test("parseUpsAddress: NUT's messages for bad specs", () => {
  fails(() => parseUpsAddress(""), "upscli_splitname: can't parse empty string");
  fails(() => parseUpsAddress("@host"), "upscli_splitname: got empty upsname string");
  fails(
    () => parseUpsAddress("ups@"),
    "upscli_splitname: got the @ separator and then an empty hostname[:port] string",
  );
  fails(
    () => parseUpsAddress("ups:3493"),
    "upscli_splitname: port specified, but not a hostname",
  );
  for (const bad of ["u@h:0", "u@h:", "u@h:abc", "u@h:65536", "u@h:-1", "u@::1"]) {
    fails(() => parseUpsAddress(bad), "upscli_splitaddr: no port specified after ':' separator");
  }
  fails(
    () => parseUpsAddress("u@[::1"),
    "upscli_splitaddr: missing closing bracket in [domain literal]",
  );
});

Deno.test("parseHostAddress: host[:port]", () => {
  assertEquals(parseHostAddress("localhost"), { host: "localhost", port: 3493 });
  assertEquals(parseHostAddress("127.0.0.1:34930"), { host: "127.0.0.1", port: 34930 });
  assertEquals(parseHostAddress("[::1]:1"), { host: "::1", port: 1 });
  fails(() => parseHostAddress(""), "upscli_splitaddr: can't parse empty string");
  fails(
    () => parseHostAddress("127.0.0.1:0"),
    "upscli_splitaddr: no port specified after ':' separator",
  );
});
