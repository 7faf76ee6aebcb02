// Compiled only by the layers test (tests/engine/check-layers.cmake), with a library's own include directories: each
// PROBE_* names an include that library's layer forbids, and the build must fail on the layer rule.
#if defined(PROBE_HIREDIS)
#include <hiredis/hiredis.h>
#elif defined(PROBE_SQLITE)
#include <sqlite3.h>
#elif defined(PROBE_OPENSSL)
#include <openssl/ssl.h>
#elif defined(PROBE_SOCKET)
#include <sys/socket.h>
#endif
int layerProbe() { return 0; }
