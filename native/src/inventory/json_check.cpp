// hilt-inventory-json: hilt-inventory's JSON text for each argument, one line each, so a unit test
// can hold the escaping and pw-dump's typing to JSON.parse (native/src/inventory/json.test.ts).
//
//   hilt-inventory-json <value>...  ->  {"string":<the value as a JSON string>,"typed":<as pw-dump types it>}
#include <cstdio>
#include <string>

#include "json_out.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string line = "{\"string\":";
    hilt_inventory::appendString(line, argv[i]);
    line += ",\"typed\":";
    hilt_inventory::appendPwValue(line, argv[i]);
    line += "}\n";
    std::fputs(line.c_str(), stdout);
  }
  return 0;
}
