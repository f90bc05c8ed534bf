// Is the process that created an object still there? A zombie counts as dead: it can no
// longer clean anything up.
#pragma once

namespace hilt {
bool processAlive(int pid);
}
