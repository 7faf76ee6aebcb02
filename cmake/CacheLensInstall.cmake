# Installation of the libraries other programs embed (CPack component "dev", the libcachelens-dev package):
#   include/cachelens/*.h                       the engine's public headers, <cachelens/version.h> and <cachelens/redis.h>
#   <libdir>/libcachelens_engine.{a,so}         the engine (C++20 + zstd)
#   <libdir>/libcachelens_redis.{a,so}          the redis provider (the engine + hiredis + OpenSSL)
#   <libdir>/cmake/CacheLens/                   find_package(CacheLens 0.2 REQUIRED COMPONENTS engine redis)
#   <libdir>/pkgconfig/cachelens-{engine,redis}.pc
# Neither library links or includes Qt.
include(CMakePackageConfigHelpers)
set(CACHELENS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/CacheLens)

foreach(part engine provider)
  set(export CacheLensEngine)
  if(part STREQUAL provider)
    set(export CacheLensRedis)
  endif()
  install(TARGETS cachelens_${part} cachelens_${part}_shared EXPORT ${export}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev NAMELINK_COMPONENT dev
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export} NAMESPACE CacheLens:: DESTINATION ${CACHELENS_CMAKE_DIR} FILE ${export}Targets.cmake
    COMPONENT dev)
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/cachelens ${PROJECT_SOURCE_DIR}/connectors/provider/include/cachelens
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/engine/include/cachelens/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cachelens COMPONENT dev)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/CacheLensConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/CacheLensConfig.cmake INSTALL_DESTINATION ${CACHELENS_CMAKE_DIR})
# 0.x: a new minor version may change the API, so 0.2 accepts 0.2.* only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/CacheLensConfigVersion.cmake
  VERSION ${CACHELENS_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/CacheLensConfig.cmake ${PROJECT_BINARY_DIR}/cmake/CacheLensConfigVersion.cmake
  DESTINATION ${CACHELENS_CMAKE_DIR} COMPONENT dev)

# pkg-config files find their prefix from where they are installed (${pcfiledir}), so a package built for /usr and
# an install into any --prefix both work.
file(RELATIVE_PATH CACHELENS_PC_PREFIX ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" CACHELENS_PC_PREFIX "${CACHELENS_PC_PREFIX}")
foreach(pc cachelens-engine cachelens-redis)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in ${PROJECT_BINARY_DIR}/cmake/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/cmake/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()
