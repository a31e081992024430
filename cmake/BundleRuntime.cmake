# bundle_runtime(target): copy the non-system shared libraries the target needs
# from Debian (muParser) into <bin>/lib and point the RPATH there, so the build
# folder can be carried to a machine that lacks those packages. NVRTC comes
# from the CUDA toolkit, which that machine has; its folder is in the RPATH too.
function(bundle_runtime target)
  get_target_property(mu_lib muparser::muparser IMPORTED_LOCATION_NONE)
  if(NOT mu_lib)
    get_target_property(mu_lib muparser::muparser LOCATION)
  endif()
  get_filename_component(mu_real ${mu_lib} REALPATH)
  get_target_property(mu_soname muparser::muparser IMPORTED_SONAME_NONE)
  if(NOT mu_soname)
    get_filename_component(mu_soname ${mu_lib} NAME)
  endif()
  # Debian's muParser is built with OpenMP: libgomp travels with it.
  find_library(GOMP_LIBRARY NAMES libgomp.so.1 gomp REQUIRED)
  get_filename_component(gomp_real ${GOMP_LIBRARY} REALPATH)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory $<TARGET_FILE_DIR:${target}>/lib
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${mu_real} $<TARGET_FILE_DIR:${target}>/lib/${mu_soname}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${gomp_real} $<TARGET_FILE_DIR:${target}>/lib/libgomp.so.1
    VERBATIM)
  set_target_properties(${target} PROPERTIES
    BUILD_RPATH "\$ORIGIN/lib;${CUDAToolkit_LIBRARY_DIR}"
    INSTALL_RPATH "\$ORIGIN/lib;${CUDAToolkit_LIBRARY_DIR}")
endfunction()
