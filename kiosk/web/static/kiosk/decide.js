// The gate's decision table, evaluated as the server evaluates it (kiosk/checkin/decisions.py):
// the rows and the gate's rules come from the server in the kiosk's offline set.
(function (root) {
  "use strict";

  function holds(expected, value) {
    return Array.isArray(expected) ? expected.includes(value) : value === expected;
  }

  // The reason the first matching row gives ("ok" admits).
  function decide(facts, table) {
    for (const row of table) {
      if (Object.entries(row.if).every(([name, want]) => holds(want, facts[name] === undefined ? null : facts[name]))) {
        return row.then;
      }
    }
    return "ok";
  }

  // [kind, index] of the first rule keeping the category out on day (YYYY-MM-DD) at clock
  // (HH:MM:SS), or null. Text compares as time does, exactly as on the server.
  function refusingRule(rules, category, day, clock) {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (rule.days.length && !rule.days.includes(day)) continue;
      if (rule.categories.length && !rule.categories.includes(category)) return ["category", i];
      if ((rule.opens && clock < rule.opens) || (rule.closes && clock >= rule.closes)) return ["hours", i];
    }
    return null;
  }

  // The show's local date and time of a moment, as the server's time zone has them.
  function localParts(date, timeZone) {
    const parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    }).formatToParts(date).forEach((p) => { parts[p.type] = p.value; });
    return { day: `${parts.year}-${parts.month}-${parts.day}`, clock: `${parts.hour}:${parts.minute}:${parts.second}` };
  }

  function factsAt(gate, category, day, clock, direction, presence, revoked) {
    const refused = refusingRule(gate.rules, category, day, clock);
    return { revoked, direction, presence, reentry: gate.reentry, rule: refused ? refused[0] : null };
  }

  root.KioskDecide = { decide, refusingRule, localParts, factsAt };
})(typeof window !== "undefined" ? window : globalThis);
