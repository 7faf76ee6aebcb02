# Warnings and sanitizers, applied to every target of the project (not to imported ones).
add_compile_options(-Wall -Wextra -Wpedantic)
if(CACHELENS_WERROR)
  add_compile_options(-Werror)
endif()

if(CACHELENS_SANITIZE)
  # vptr checks need RTTI of Qt's uninstrumented plugins and give false reports on them.
  set(_san_flags -fsanitize=${CACHELENS_SANITIZE} -fno-omit-frame-pointer -g)
  if(CACHELENS_SANITIZE MATCHES "undefined")
    list(APPEND _san_flags -fno-sanitize=vptr -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_san_flags})
  add_link_options(${_san_flags})
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()
