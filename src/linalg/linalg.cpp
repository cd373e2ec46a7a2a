// foresight::linalg: the Eigen solvers behind foresight/forecast/internal/linalg.hpp.
#include "foresight/forecast/internal/linalg.hpp"

#include <Eigen/Dense>

namespace foresight::internal {

Eigen::VectorXcd Eigenvalues(const Eigen::MatrixXd& a) { return a.eigenvalues(); }

Eigen::Index LeastSquaresQr(const Eigen::MatrixXd& a, const Eigen::VectorXd& b,
                            Eigen::VectorXd& x) {
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  x = qr.solve(b);
  return qr.rank();
}

Eigen::MatrixXd Inverse(const Eigen::MatrixXd& a) { return a.inverse(); }

double LuSolve(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, Eigen::MatrixXd& x) {
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(a);
  x = lu.solve(b);
  return lu.rcond();
}

}  // namespace foresight::internal
