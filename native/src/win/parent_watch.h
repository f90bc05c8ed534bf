// exitWithParent: this process ends (with `code`) when the one that started it ends; false when it
// has no parent to watch (started from Unix under Wine, or its parent already gone).
#pragma once
#include <windows.h>

bool exitWithParent(UINT code);
