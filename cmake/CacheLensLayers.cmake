# Compile-time layer rules (/DESIGN.md, "Layers"). cachelens_forbid_includes(target rule header…) gives `target` a
# directory of stub headers, searched before every system directory, named like the headers its layer must not use;
# each stub is an #error stating the rule, so a forbidden include fails to compile and says why instead of quietly
# tying the layer to another library. Qt needs no stub: a target that does not link Qt cannot find its headers.
function(cachelens_forbid_includes target rule)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/layer-stubs/${target})
  foreach(header IN LISTS ARGN)
    file(CONFIGURE OUTPUT ${dir}/${header} CONTENT "#error \"${rule} (it includes <${header}>)\"\n")
  endforeach()
  target_include_directories(${target} BEFORE PRIVATE $<BUILD_INTERFACE:${dir}>)
endfunction()
