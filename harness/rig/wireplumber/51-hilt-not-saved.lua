-- For a device runner whose WirePlumber (0.4) keeps state: hilt's own streams and sinks (all named
-- hilt-...) are test traffic, so WirePlumber neither saves nor restores their volumes and targets.
-- Without it, the first hilt run adds a fixed set of hilt-... lines to restore-stream (once: the
-- names are fixed). Copy to ~/.config/wireplumber/main.lua.d/ and restart WirePlumber once, by
-- hand (hilt never restarts it). WirePlumber 0.4 ignores a stream's own state.restore-props=false
-- (it compares the string with a boolean), so a rule is the only way. See docs/device-runner.md.
table.insert(stream_defaults.rules, {
  matches = {
    { { "application.name", "matches", "hilt-*" } },
    { { "node.name", "matches", "hilt-*" } },
  },
  apply_properties = {
    ["state.restore-props"] = false,
    ["state.restore-target"] = false,
  },
})
