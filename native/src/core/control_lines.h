// The hosts' main loop: control lines on stdin and quit signals through a signalfd, so the work
// a signal asks for happens outside signal context.
#pragma once
#include <functional>
#include <string>

namespace hilt {

// Calls `onLine` for each stdin line until it returns true ("<why>" is then "<verb> command"),
// stdin closes ("stdin closed") or a signal arrives on `sigfd` ("signal SIGTERM"). sigfd may be -1.
// Blocks SIGTERM and SIGINT in the calling thread (threads started later inherit the mask, so
// call it before any) and returns a signalfd that receives them instead.
int quitSignalFd();

std::string serveControlLines(int sigfd, const std::function<bool(const std::string& line)>& onLine);

}  // namespace hilt
