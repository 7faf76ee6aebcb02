# cachelens_add_library(<name> OUTPUT_NAME <file name> EXPORT_NAME <package name> SOURCES …): one library that other
# programs embed, compiled once into <name>_objects (position-independent) and linked twice: <name>, the static
# library the project's own targets link, and <name>_shared, a versioned shared library. Both are installed; the
# CMake package calls them CacheLens::<export name>_static and CacheLens::<export name>_shared (see
# cmake/CacheLensConfig.cmake.in). cachelens_library_link(<name> …) and cachelens_library_include(<name> …) give all
# three targets the same usage requirements.
include_guard(GLOBAL)

function(cachelens_add_library name)
  cmake_parse_arguments(L "" "OUTPUT_NAME;EXPORT_NAME" "SOURCES" ${ARGN})
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" soversion "${CACHELENS_VERSION}")   # 0.x: every minor version may break ABI
  add_library(${name}_objects OBJECT ${L_SOURCES})
  add_library(${name} STATIC $<TARGET_OBJECTS:${name}_objects>)
  add_library(${name}_shared SHARED $<TARGET_OBJECTS:${name}_objects>)
  foreach(t ${name}_objects ${name} ${name}_shared)
    # Qt's automoc, set project-wide by qt_standard_project_setup(), has nothing to do in a library without Qt.
    set_target_properties(${t} PROPERTIES POSITION_INDEPENDENT_CODE ON AUTOMOC OFF AUTOUIC OFF AUTORCC OFF)
    target_compile_features(${t} PUBLIC cxx_std_20)
    # -fPIC alone lets GCC assume any global function may be interposed at load time, so it inlines none of them
    # inside a file: the engine's hit path (store, table, policy calls) would pay a call per step.
    target_compile_options(${t} PRIVATE -fno-semantic-interposition)
  endforeach()
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${L_OUTPUT_NAME} EXPORT_NAME ${L_EXPORT_NAME}_static)
  set_target_properties(${name}_shared PROPERTIES OUTPUT_NAME ${L_OUTPUT_NAME} EXPORT_NAME ${L_EXPORT_NAME}_shared
    VERSION ${CACHELENS_VERSION} SOVERSION ${soversion})
  if(NOT CACHELENS_SANITIZE)   # every symbol the library uses is defined in it or in a library it links
    target_link_options(${name}_shared PRIVATE LINKER:--no-undefined)
  endif()
endfunction()

function(cachelens_library_link name)
  foreach(t ${name}_objects ${name} ${name}_shared)
    target_link_libraries(${t} ${ARGN})
  endforeach()
endfunction()

function(cachelens_library_include name)
  foreach(t ${name}_objects ${name} ${name}_shared)
    target_include_directories(${t} ${ARGN})
  endforeach()
endfunction()
