// Dense decompositions the statistical forecasters need, compiled once.
//
// Eigen's solvers are templates: a header that calls `eigenvalues()` or
// builds a `ColPivHouseholderQR` makes every translation unit that includes it
// instantiate and optimise the whole solver again (about 16 s of GCC's front
// end per unit for the four below). These plain functions keep the forecasters
// header-only in everything else and put the solvers in one compiled library,
// foresight::linalg, which foresight::foresight links.
#ifndef FORESIGHT_FORECAST_INTERNAL_LINALG_HPP_
#define FORESIGHT_FORECAST_INTERNAL_LINALG_HPP_

#include <Eigen/Core>

namespace foresight::internal {

// Eigenvalues of the square real matrix `a` (Eigen::EigenSolver, values only).
Eigen::VectorXcd Eigenvalues(const Eigen::MatrixXd& a);

// Least squares `a x ~ b` by column-pivoted Householder QR. Writes the solution
// to `x` and returns the numerical rank of `a` (Eigen's default threshold).
Eigen::Index LeastSquaresQr(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, Eigen::VectorXd& x);

// The inverse of the square matrix `a` (LU with partial pivoting; no check).
Eigen::MatrixXd Inverse(const Eigen::MatrixXd& a);

// Solves `a x = b` by LU with partial pivoting. Writes `x` and returns the
// reciprocal condition number estimate of `a` (PartialPivLU::rcond).
double LuSolve(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, Eigen::MatrixXd& x);

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_LINALG_HPP_
