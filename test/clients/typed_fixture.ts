/**
 * A UPS whose writable variables cover every type block upsrw prints, with
 * the listing NUT 2.8.0's upsrw prints for it (checked against Debian's
 * upsrw in interop_test.ts).
 *
 * @module
 */

import type { FakeUps } from "../helpers/fake_upsd.ts";

/** Recorded TYPE/ENUM/RANGE replies (the shapes upsd 2.8.0 sends). */
export const TYPED_UPS: Record<string, FakeUps> = {
  fake: {
    vars: {
      "battery.charge": {
        value: "100",
        type: "RW NUMBER",
        desc: "Battery charge (percent of full)",
      },
      "device.mfr": { value: "Dummy Manufacturer", type: "RW STRING:32" },
      "input.sensitivity": {
        value: "M",
        type: "RW ENUM",
        desc: "Input power sensitivity",
        enums: ["L", "M", "H"],
      },
      "input.transfer.high": {
        value: "abc",
        type: "RW RANGE NUMBER",
        desc: "High voltage transfer point (V)",
        ranges: [["250", "260"]],
      },
      "input.transfer.low": {
        value: "170",
        type: "RW RANGE NUMBER",
        desc: "Low voltage transfer point (V)",
        ranges: [["160", "180"], ["190", "200"]],
      },
      "ups.beeper.status": {
        value: "enabled",
        type: "RW ENUM STRING:10",
        desc: "Beeper status",
        enums: ["enabled", "disabled", "muted"],
      },
      "ups.delay.shutdown": {
        value: "20",
        type: "RW ENUM NUMBER",
        enums: ["10", "20", "30"],
      },
      "ups.id": { value: 'a "q" \\ b', type: "RW STRING:0" },
      "ups.weird": { value: "x", type: "RW FOO NUMBER", desc: "Weird" },
      "ups.weirder": { value: "x", type: "RW BAR", desc: "Weirder" },
    },
  },
};

export const TYPED_LISTING = `[battery.charge]
Battery charge (percent of full)
Type: NUMBER
Value: 100

[device.mfr]
Description unavailable
Type: STRING
Maximum length: 32
Value: Dummy Manufacturer

[input.sensitivity]
Input power sensitivity
Type: ENUM
Option: "L"
Option: "M" SELECTED
Option: "H"

[input.transfer.high]
High voltage transfer point (V)
Type: RANGE NUMBER
Option: "250-260"

[input.transfer.low]
Low voltage transfer point (V)
Type: RANGE NUMBER
Option: "160-180" SELECTED
Option: "190-200"

[ups.beeper.status]
Beeper status
Type: ENUM STRING
Maximum length: 10
Option: "enabled" SELECTED
Option: "disabled"
Option: "muted"

[ups.delay.shutdown]
Description unavailable
Type: ENUM NUMBER
Option: "10"
Option: "20" SELECTED
Option: "30"

[ups.id]
Description unavailable
Type: STRING
Maximum length: 0
Value: a "q" \\ b

[ups.weird]
Weird
Type: FOO (unrecognized)
Type: NUMBER
Value: x

[ups.weirder]
Weirder
Type: BAR (unrecognized)

`;
