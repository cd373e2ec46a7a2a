// -----------------------------------------------------------------------------
// File: internal/lstm_network.hpp
// -----------------------------------------------------------------------------
//
// The numerical core of `SmallLstm`: a 1- or 2-layer LSTM with a linear output
// layer, all parameters in one flat vector (so Adam and gradient clipping are
// one loop), forward and backward passes with Eigen, and truncated BPTT over
// chunks of a sequence whose hidden state is carried across chunk boundaries
// (gradients are not). Loss: pinball (quantile) loss summed over the output
// heads, with a mask for targets beyond the end of the sequence.
#ifndef FORESIGHT_FORECAST_INTERNAL_LSTM_NETWORK_HPP_
#define FORESIGHT_FORECAST_INTERNAL_LSTM_NETWORK_HPP_

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "foresight/forecast/internal/synthetic.hpp"

namespace foresight::internal {

class LstmNetwork {
 public:
  using Vec = Eigen::VectorXd;
  using Mat = Eigen::MatrixXd;
  using MapMat = Eigen::Map<Mat>;
  using CMapMat = Eigen::Map<const Mat>;

  LstmNetwork(int inputs, int hidden, int layers, int outputs, std::uint64_t seed)
      : inputs_(inputs), hidden_(hidden), layers_(std::clamp(layers, 1, 2)), outputs_(outputs) {
    std::size_t off = 0;
    for (int l = 0; l < layers_; ++l) {
      w_offset_[static_cast<std::size_t>(l)] = off;
      off += static_cast<std::size_t>(4 * hidden_ * Cols(l));
    }
    v_offset_ = off;
    off += static_cast<std::size_t>(outputs_ * (hidden_ + 1));
    params_.assign(off, 0.0);
    SeededNormal rng(seed);
    const double r = 1.0 / std::sqrt(static_cast<double>(hidden_));
    for (double& p : params_) p = (2.0 * rng.Uniform() - 1.0) * r;
    for (int l = 0; l < layers_; ++l) {
      MapMat w = W(l);
      w.col(Cols(l) - 1).setZero();                       // biases
      w.col(Cols(l) - 1).segment(hidden_, hidden_).setOnes();  // forget-gate bias 1
    }
    V().col(hidden_).setZero();
  }

  int inputs() const { return inputs_; }
  int hidden() const { return hidden_; }
  int layers() const { return layers_; }
  int outputs() const { return outputs_; }
  std::vector<double>& params() { return params_; }
  const std::vector<double>& params() const { return params_; }

  // Columns of layer l's gate matrix: [x; h_prev; 1].
  int Cols(int l) const { return (l == 0 ? inputs_ : hidden_) + hidden_ + 1; }
  MapMat W(int l) { return MapMat(params_.data() + w_offset_[static_cast<std::size_t>(l)], 4 * hidden_, Cols(l)); }
  CMapMat W(int l) const {
    return CMapMat(params_.data() + w_offset_[static_cast<std::size_t>(l)], 4 * hidden_, Cols(l));
  }
  MapMat V() { return MapMat(params_.data() + v_offset_, outputs_, hidden_ + 1); }
  CMapMat V() const { return CMapMat(params_.data() + v_offset_, outputs_, hidden_ + 1); }
  // The same views into a gradient vector laid out like params().
  MapMat GradW(std::vector<double>& g, int l) const {
    return MapMat(g.data() + w_offset_[static_cast<std::size_t>(l)], 4 * hidden_, Cols(l));
  }
  MapMat GradV(std::vector<double>& g) const { return MapMat(g.data() + v_offset_, outputs_, hidden_ + 1); }

  static double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

  // One time step: `h` and `c` hold layers x hidden values, updated in place.
  void Step(const double* x, double* h, double* c) const {
    double z[4 * kMaxHidden];
    const int H = hidden_;
    for (int l = 0; l < layers_; ++l) {
      const CMapMat w = W(l);
      const int in = l == 0 ? inputs_ : H;
      const double* xin = l == 0 ? x : h + (l - 1) * H;
      double* hl = h + l * H;
      double* cl = c + l * H;
      Eigen::Map<Vec> zv(z, 4 * H);
      zv = w.col(Cols(l) - 1);
      zv.noalias() += w.leftCols(in) * Eigen::Map<const Vec>(xin, in);
      zv.noalias() += w.middleCols(in, H) * Eigen::Map<const Vec>(hl, H);
      for (int j = 0; j < H; ++j) {
        const double ig = Sigmoid(z[j]), fg = Sigmoid(z[H + j]), gg = std::tanh(z[2 * H + j]),
                     og = Sigmoid(z[3 * H + j]);
        cl[j] = fg * cl[j] + ig * gg;
        hl[j] = og * std::tanh(cl[j]);
      }
    }
  }

  // The first `rows` outputs from the top layer's hidden state.
  void Output(const double* h_top, int rows, double* out) const {
    const CMapMat v = V();
    Eigen::Map<Vec> o(out, rows);
    o = v.col(hidden_).head(rows);
    o.noalias() += v.topLeftCorner(rows, hidden_) * Eigen::Map<const Vec>(h_top, hidden_);
  }

  static constexpr int kMaxHidden = 64;

 private:
  int inputs_, hidden_, layers_, outputs_;
  std::size_t w_offset_[2] = {0, 0};
  std::size_t v_offset_ = 0;
  std::vector<double> params_;
};

// Adam with global-norm gradient clipping over a flat parameter vector.
class AdamOptimizer {
 public:
  AdamOptimizer(std::size_t n, double lr, double clip) : lr_(lr), clip_(clip), m_(n, 0.0), v_(n, 0.0) {}
  void Step(std::vector<double>& params, const std::vector<double>& grad) {
    double norm2 = 0.0;
    for (double g : grad) norm2 += g * g;
    const double scale = std::sqrt(norm2) > clip_ ? clip_ / std::sqrt(norm2) : 1.0;
    ++t_;
    const double b1 = 0.9, b2 = 0.999;
    const double c1 = 1.0 - std::pow(b1, t_), c2 = 1.0 - std::pow(b2, t_);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const double g = grad[i] * scale;
      m_[i] = b1 * m_[i] + (1 - b1) * g;
      v_[i] = b2 * v_[i] + (1 - b2) * g * g;
      params[i] -= lr_ * (m_[i] / c1) / (std::sqrt(v_[i] / c2) + 1e-8);
    }
  }

 private:
  double lr_, clip_;
  std::vector<double> m_, v_;
  int t_ = 0;
};

// A training sequence: features (inputs x T, column-major) and targets
// (outputs x T, NaN = no target).
struct LstmSequence {
  Eigen::MatrixXd x;
  Eigen::MatrixXd y;
};

// Truncated BPTT: one pass over `seq` in chunks of `chunk` steps, carrying the
// hidden state; gradients of each chunk are added to `grad` and the mean
// pinball loss of the chunk's targets is returned through `loss_sum/count`.
// `apply(grad)` is called after every chunk (an optimiser step).
template <typename ApplyFn>
void TrainSequence(LstmNetwork& net, const LstmSequence& seq, std::span<const double> taus,
                   int chunk, std::vector<double>& grad, double& loss_sum, double& count,
                   ApplyFn&& apply) {
  using Vec = Eigen::VectorXd;
  using Mat = Eigen::MatrixXd;
  const int H = net.hidden(), L = net.layers(), T = static_cast<int>(seq.x.cols());
  const int Q = static_cast<int>(taus.size());
  const int outputs = net.outputs();
  std::vector<double> h(static_cast<std::size_t>(L * H), 0.0), c(static_cast<std::size_t>(L * H), 0.0);
  // Caches per layer: input, h_prev, c_prev, gates (4H), c, h for each step of a chunk.
  std::vector<Mat> in(static_cast<std::size_t>(L)), hp(static_cast<std::size_t>(L)),
      cp(static_cast<std::size_t>(L)), gates(static_cast<std::size_t>(L)),
      cc(static_cast<std::size_t>(L)), hh(static_cast<std::size_t>(L));
  for (int l = 0; l < L; ++l) {
    const std::size_t li = static_cast<std::size_t>(l);
    in[li].resize(l == 0 ? net.inputs() : H, chunk);
    hp[li].resize(H, chunk);
    cp[li].resize(H, chunk);
    gates[li].resize(4 * H, chunk);
    cc[li].resize(H, chunk);
    hh[li].resize(H, chunk);
  }
  Vec out(outputs), dout(outputs), z(4 * H), dz(4 * H), dcol;
  for (int a = 0; a < T; a += chunk) {
    const int len = std::min(chunk, T - a);
    std::fill(grad.begin(), grad.end(), 0.0);
    // Forward.
    for (int k = 0; k < len; ++k) {
      for (int l = 0; l < L; ++l) {
        const std::size_t li = static_cast<std::size_t>(l);
        const auto w = net.W(l);
        const int nin = l == 0 ? net.inputs() : H;
        in[li].col(k) = l == 0 ? Vec(seq.x.col(a + k)) : Vec(hh[li - 1].col(k));
        hp[li].col(k) = Eigen::Map<const Vec>(h.data() + l * H, H);
        cp[li].col(k) = Eigen::Map<const Vec>(c.data() + l * H, H);
        z = w.col(net.Cols(l) - 1);
        z.noalias() += w.leftCols(nin) * in[li].col(k);
        z.noalias() += w.middleCols(nin, H) * hp[li].col(k);
        for (int j = 0; j < H; ++j) {
          const double ig = LstmNetwork::Sigmoid(z[j]), fg = LstmNetwork::Sigmoid(z[H + j]),
                       gg = std::tanh(z[2 * H + j]), og = LstmNetwork::Sigmoid(z[3 * H + j]);
          gates[li](j, k) = ig;
          gates[li](H + j, k) = fg;
          gates[li](2 * H + j, k) = gg;
          gates[li](3 * H + j, k) = og;
          const double cn = fg * c[static_cast<std::size_t>(l * H + j)] + ig * gg;
          c[static_cast<std::size_t>(l * H + j)] = cn;
          h[static_cast<std::size_t>(l * H + j)] = og * std::tanh(cn);
        }
        cc[li].col(k) = Eigen::Map<const Vec>(c.data() + l * H, H);
        hh[li].col(k) = Eigen::Map<const Vec>(h.data() + l * H, H);
      }
    }
    // Backward through the chunk.
    auto gv = net.GradV(grad);
    const auto v = net.V();
    std::vector<Vec> dh_next(static_cast<std::size_t>(L), Vec::Zero(H)),
        dc_next(static_cast<std::size_t>(L), Vec::Zero(H));
    double chunk_count = 0.0;
    for (int k = len - 1; k >= 0; --k) {
      const std::size_t top = static_cast<std::size_t>(L - 1);
      out = v.col(H);
      out.noalias() += v.leftCols(H) * hh[top].col(k);
      dout.setZero();
      for (int r = 0; r < outputs; ++r) {
        const double target = seq.y(r, a + k);
        if (std::isnan(target)) continue;
        const double tau = taus[static_cast<std::size_t>(r % Q)];
        const double e = target - out[r];
        loss_sum += e >= 0 ? tau * e : (tau - 1) * e;
        dout[r] = (e < 0 ? 1.0 : 0.0) - tau;
        chunk_count += 1.0;
      }
      gv.leftCols(H).noalias() += dout * hh[top].col(k).transpose();
      gv.col(H) += dout;
      Vec dh = v.leftCols(H).transpose() * dout;
      for (int l = L - 1; l >= 0; --l) {
        const std::size_t li = static_cast<std::size_t>(l);
        dh += dh_next[li];
        Vec dc = dc_next[li];
        for (int j = 0; j < H; ++j) {
          const double ig = gates[li](j, k), fg = gates[li](H + j, k), gg = gates[li](2 * H + j, k),
                       og = gates[li](3 * H + j, k);
          const double tc = std::tanh(cc[li](j, k));
          dc[j] += dh[j] * og * (1 - tc * tc);
          dz[j] = dc[j] * gg * ig * (1 - ig);
          dz[H + j] = dc[j] * cp[li](j, k) * fg * (1 - fg);
          dz[2 * H + j] = dc[j] * ig * (1 - gg * gg);
          dz[3 * H + j] = dh[j] * tc * og * (1 - og);
          dc[j] *= fg;
        }
        const int nin = l == 0 ? net.inputs() : H;
        auto gw = net.GradW(grad, l);
        const auto w = net.W(l);
        gw.leftCols(nin).noalias() += dz * in[li].col(k).transpose();
        gw.middleCols(nin, H).noalias() += dz * hp[li].col(k).transpose();
        gw.col(nin + H) += dz;
        dh_next[li] = w.middleCols(nin, H).transpose() * dz;
        dc_next[li] = dc;
        if (l > 0) dh = w.leftCols(nin).transpose() * dz;  // into the layer below's output
        else break;
      }
    }
    count += chunk_count;
    if (chunk_count > 0) {
      for (double& g : grad) g /= chunk_count;
      apply(grad);
    }
  }
}

// Runs `net` from a zero state over `seq` and calls fn(r, target, output_r)
// for each of its targets (NaN = none).
template <typename Fn>
void ForEachTarget(const LstmNetwork& net, const LstmSequence& seq, Fn&& fn) {
  const int H = net.hidden(), L = net.layers(), T = static_cast<int>(seq.x.cols());
  const int outputs = net.outputs();
  std::vector<double> h(static_cast<std::size_t>(L * H), 0.0),
      c(static_cast<std::size_t>(L * H), 0.0), out(static_cast<std::size_t>(outputs));
  for (int t = 0; t < T; ++t) {
    net.Step(seq.x.col(t).data(), h.data(), c.data());
    bool any = false;
    for (int r = 0; r < outputs && !any; ++r) any = !std::isnan(seq.y(r, t));
    if (!any) continue;
    net.Output(h.data() + (L - 1) * H, outputs, out.data());
    for (int r = 0; r < outputs; ++r) {
      const double target = seq.y(r, t);
      if (!std::isnan(target)) fn(r, target, out[static_cast<std::size_t>(r)]);
    }
  }
}

// The pinball loss of `net` on `seq`'s targets, output r at level
// taus[r % taus.size()]: adds to `loss_sum` and `count`.
inline void SequenceLoss(const LstmNetwork& net, const LstmSequence& seq,
                         std::span<const double> taus, double& loss_sum, double& count) {
  ForEachTarget(net, seq, [&](int r, double target, double output) {
    const double tau = taus[static_cast<std::size_t>(r) % taus.size()];
    const double e = target - output;
    loss_sum += e >= 0 ? tau * e : (tau - 1) * e;
    count += 1.0;
  });
}

}  // namespace foresight::internal

#endif  // FORESIGHT_FORECAST_INTERNAL_LSTM_NETWORK_HPP_
