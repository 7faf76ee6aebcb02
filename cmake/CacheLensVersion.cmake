# The one place the version is set. The project, the libraries' SONAME, <cachelens/version.h>, the CMake package and
# the pkg-config files all read it; engine/CMakeLists.txt includes this file itself when it is built on its own.
set(CACHELENS_VERSION 0.2.0)
