# ctest install_consumer: installs the build tree into a scratch prefix, then
# configures, builds and runs tests/install (a downstream project that calls
# find_package(foresight) and links foresight::foresight).
# Run as: cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#               -DCXX=... -P check_install.cmake
foreach(_v BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR CXX)
  if(NOT ${_v})
    message(FATAL_ERROR "set ${_v}")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})

function(_run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${_rc}):\n${_out}")
  endif()
  message(STATUS "${what}: ok")
  set(_last_output "${_out}" PARENT_SCOPE)
endfunction()

_run("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
_run("configure consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install -B ${WORK_DIR}/build
     -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release
     -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
_run("build consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
_run("run consumer" ${WORK_DIR}/build/consumer)
message(STATUS "${_last_output}")
