# ctest header_solvers: no public header may include Eigen's decomposition
# modules or call a dense solver. Those instantiate the solver in every unit
# that includes the header (eigenvalues() alone costs GCC ~9 s per unit); they
# belong in src/linalg (foresight/forecast/internal/linalg.hpp).
# Run as: cmake -DINCLUDE_DIR=<repo>/include -P check_header_solvers.cmake
if(NOT INCLUDE_DIR)
  message(FATAL_ERROR "set INCLUDE_DIR")
endif()
file(GLOB_RECURSE _headers ${INCLUDE_DIR}/*.hpp)
set(_bad "")
foreach(_h IN LISTS _headers)
  file(STRINGS ${_h} _lines REGEX
       "#include <Eigen/(Dense|LU|QR|SVD|Eigenvalues|Cholesky|Householder|Jacobi)>|\\.(eigenvalues|inverse|colPivHouseholderQr|householderQr|fullPivLu|partialPivLu|jacobiSvd|bdcSvd|llt|ldlt)\\(|(EigenSolver|HouseholderQR|PartialPivLU|FullPivLU|JacobiSVD|BDCSVD|LLT|LDLT)<")
  foreach(_l IN LISTS _lines)
    file(RELATIVE_PATH _rel ${INCLUDE_DIR} ${_h})
    string(STRIP "${_l}" _l)
    string(APPEND _bad "\n  ${_rel}: ${_l}")
  endforeach()
endforeach()
list(LENGTH _headers _n)
if(_bad)
  message(FATAL_ERROR "Eigen solvers in public headers (use foresight/forecast/internal/linalg.hpp):${_bad}")
endif()
message(STATUS "${_n} headers, no Eigen solver in any")
