# cmake -DBUILD_DIR=… -DTARGETS="a;b" -P check-layers.cmake: builds each probe and passes only when every build fails
# with the layer rule's message (cmake/CacheLensLayers.cmake).
foreach(target IN LISTS TARGETS)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${target}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc EQUAL 0)
    message(FATAL_ERROR "${target}: a forbidden include compiled")
  endif()
  if(NOT out MATCHES "Layer rule: ")
    message(FATAL_ERROR "${target}: the build failed without stating the layer rule:\n${out}")
  endif()
  string(REGEX MATCH "Layer rule: [^\"\n]*" rule "${out}")
  message(STATUS "${target}: ${rule}")
endforeach()
