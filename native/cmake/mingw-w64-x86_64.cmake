# Cross-compiling toolchain for 64-bit Windows with Debian's mingw-w64 (the win32 thread model).
# Used by native/win: the Windows engine and launcher, run here under Wine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(HILT_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${HILT_MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${HILT_MINGW_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${HILT_MINGW_TRIPLE}-windres)

# Headers and libraries come from the mingw sysroot only, never from the Linux host.
set(CMAKE_FIND_ROOT_PATH /usr/${HILT_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
