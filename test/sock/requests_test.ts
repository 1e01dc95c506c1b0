import { assertEquals } from "../helpers/assert.ts";
import { parseRequest, unknownCommandLog } from "../../lib/sock/requests.ts";

Deno.test("simple requests, case-insensitive, extra words ignored", () => {
  assertEquals(parseRequest([]), null);
  assertEquals(parseRequest(["dumpall"]), { kind: "dumpall" });
  assertEquals(parseRequest(["DUMPALL", "extra"]), { kind: "dumpall" });
  assertEquals(parseRequest(["Ping"]), { kind: "ping" });
  assertEquals(parseRequest(["GETPID"]), { kind: "getpid" });
  assertEquals(parseRequest(["LOGOUT"]), { kind: "logout" });
  assertEquals(parseRequest(["DUMPSTATUS"]), { kind: "dumpstatus" });
  assertEquals(parseRequest(["DUMPVALUE", "ups.id"]), { kind: "dumpvalue", name: "ups.id" });
  assertEquals(parseRequest(["DUMPVALUE"]), { kind: "unknown", words: ["DUMPVALUE"] });
  assertEquals(parseRequest(["NOBROADCAST"]), { kind: "nobroadcast" });
  assertEquals(parseRequest(["BROADCAST"]), { kind: "broadcast", enable: true });
  assertEquals(parseRequest(["BROADCAST", "1"]), { kind: "broadcast", enable: true });
  assertEquals(parseRequest(["BROADCAST", "0"]), { kind: "broadcast", enable: false });
  assertEquals(parseRequest(["BROADCAST", "-3"]), { kind: "broadcast", enable: false });
  assertEquals(parseRequest(["FOO", "bar"]), { kind: "unknown", words: ["FOO", "bar"] });
});

Deno.test("SET shapes as NUT 2.8.0 treats them", () => {
  assertEquals(parseRequest(["SET", "ups.id", "x"]), { kind: "set", name: "ups.id", value: "x" });
  assertEquals(parseRequest(["SET", "ups.id", "x", "foo"]), {
    kind: "set",
    name: "ups.id",
    value: "x",
  });
  assertEquals(parseRequest(["SET", "ups.id", "x", "tracking", "t-1"]), {
    kind: "set",
    name: "ups.id",
    value: "x",
    tracking: "t-1",
  });
  assertEquals(parseRequest(["SET", "ups.id", "x", "foo", "bar"]), {
    kind: "unknown",
    words: ["SET", "ups.id", "x", "foo", "bar"],
    note: "Got SET <var> with unsupported parameters (foo/bar)",
  });
  assertEquals(parseRequest(["SET", "ups.id", "x", "a", "b", "c"]), {
    kind: "set",
    name: "ups.id",
    value: "x",
  });
  assertEquals(parseRequest(["SET"]), { kind: "unknown", words: ["SET"] });
  assertEquals(parseRequest(["SET", "x"]), { kind: "unknown", words: ["SET", "x"] });
});

Deno.test("INSTCMD shapes: 2 to 5 words, else malformed", () => {
  assertEquals(parseRequest(["INSTCMD", "load.off"]), { kind: "instcmd", cmd: "load.off" });
  assertEquals(parseRequest(["INSTCMD", "load.off", "5"]), {
    kind: "instcmd",
    cmd: "load.off",
    param: "5",
  });
  assertEquals(parseRequest(["INSTCMD", "load.off", "TRACKING", "id"]), {
    kind: "instcmd",
    cmd: "load.off",
    tracking: "id",
  });
  assertEquals(parseRequest(["INSTCMD", "load.off", "5", "Tracking", "id"]), {
    kind: "instcmd",
    cmd: "load.off",
    param: "5",
    tracking: "id",
  });
  const malformed = "Malformed INSTCMD request";
  assertEquals(parseRequest(["INSTCMD", "x", "a", "b"]), {
    kind: "unknown",
    words: ["INSTCMD", "x", "a", "b"],
    note: malformed,
  });
  assertEquals(parseRequest(["INSTCMD", "x", "a", "b", "c"])?.kind, "unknown");
  assertEquals(parseRequest(["INSTCMD", "a", "b", "c", "d", "e"]), {
    kind: "unknown",
    words: ["INSTCMD", "a", "b", "c", "d", "e"],
    note: malformed,
  });
  assertEquals(parseRequest(["INSTCMD"]), { kind: "unknown", words: ["INSTCMD"] });
});

Deno.test("unknown commands are logged word by word", () => {
  assertEquals(unknownCommandLog(["FOO", "bar baz"]), [
    "Unknown command on socket: ",
    "arg 0: FOO",
    "arg 1: bar baz",
  ]);
});
