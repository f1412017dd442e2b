# CMake toolchain for Jetson-class aarch64 Linux, with Debian's cross compiler (g++-aarch64-linux-gnu) and arm64
# multiarch -dev packages (e.g. libgtest-dev:arm64). Binaries run here under qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Target libraries come from the cross sysroot and the arm64 multiarch paths, never from the host's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /usr)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest and gtest discovery run the test binaries through qemu with the arm64 loader and libraries.
find_program(EDGELITE_QEMU_AARCH64 qemu-aarch64)
if(EDGELITE_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${EDGELITE_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()
