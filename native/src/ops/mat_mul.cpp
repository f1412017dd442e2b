// MatMul: numpy matmul over float32. A 1-D A is a row (1, K) and a 1-D B a column (K, 1), their added dim removed
// from the result; the batch dims (all but the last two) broadcast. A fused activation is applied to every output
// element. Parallel over (batch, row) of the output.
#include <algorithm>

#include "ops/elementwise.h"

namespace lite::ops {
namespace {

class MatMulKernel final : public Kernel {
public:
    MatMulKernel(const Attributes&, int) {}

    void infer(InferContext& ctx) override {
        for (size_t i = 0; i < 2; ++i) {
            if (ctx.input_dtype(i) != LITE_FLOAT) ctx.fail("input " + std::to_string(i) + " must be float32, got " + dtype_label(ctx.input_dtype(i)));
        }
        Dims d;
        std::string why = dims(ctx.input_shape(0), ctx.input_shape(1), d);
        if (!why.empty()) ctx.fail(why);
        ctx.set_output(0, LITE_FLOAT, d.out);
    }

    void run(RunContext& ctx) override {
        const TensorView& av = ctx.input(0);
        const TensorView& bv = ctx.input(1);
        Dims d;
        std::string why = dims(av.shape, bv.shape, d);
        if (!why.empty()) throw Error(ErrorCode::Internal, "MatMul: " + why);
        const float* a = av.as<float>();
        const float* b = bv.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t m = d.m, k = d.k, n = d.n;
        const size_t batch_rank = d.batch.size();
        int64_t batches = numel(d.batch);
        // Element strides of whole matrices of A and B over the broadcast batch dims (0 where broadcast).
        std::vector<int64_t> sa = broadcast_strides(d.a_batch, d.batch), sb = broadcast_strides(d.b_batch, d.batch);
        const Activation act = m_activation;
        ctx.parallel_for(batches * m, [&](int64_t begin, int64_t end) {
            for (int64_t row = begin; row < end; ++row) {
                const int64_t batch = row / m, i = row % m;
                int64_t rem = batch, oa = 0, ob = 0;
                for (size_t dim = batch_rank; dim-- > 0;) {
                    const int64_t idx = rem % d.batch[dim];
                    rem /= d.batch[dim];
                    oa += idx * sa[dim];
                    ob += idx * sb[dim];
                }
                const float* a_row = a + oa * m * k + i * k;
                const float* b_mat = b + ob * k * n;
                float* y_row = y + row * n;
                for (int64_t j = 0; j < n; ++j) {
                    double sum = 0;
                    for (int64_t p = 0; p < k; ++p) sum += static_cast<double>(a_row[p]) * b_mat[p * n + j];
                    y_row[j] = act.apply(static_cast<float>(sum));
                }
            }
        });
    }

    bool fuse_activation(const Activation& activation) override { return m_activation.then(activation); }

private:
    struct Dims {
        int64_t m = 1, k = 1, n = 1;
        Shape a_batch, b_batch, batch, out;
    };

    // Resolves the matrix and batch dims; returns "" or why the shapes do not multiply.
    static std::string dims(const Shape& a, const Shape& b, Dims& d) {
        if (a.empty() || b.empty()) return "inputs must have rank 1 or more, got " + shape_str(a) + " and " + shape_str(b);
        const bool a_vec = a.size() == 1, b_vec = b.size() == 1;
        d.m = a_vec ? 1 : a[a.size() - 2];
        d.k = a.back();
        const int64_t kb = b_vec ? b[0] : b[b.size() - 2];
        d.n = b_vec ? 1 : b.back();
        if (d.k != kb) return "inner dims differ: " + shape_str(a) + " x " + shape_str(b);
        d.a_batch = a_vec ? Shape{} : Shape(a.begin(), a.end() - 2);
        d.b_batch = b_vec ? Shape{} : Shape(b.begin(), b.end() - 2);
        const size_t rank = std::max(d.a_batch.size(), d.b_batch.size());
        d.batch.assign(rank, 1);
        for (size_t i = 0; i < rank; ++i) {
            const int64_t da = i < rank - d.a_batch.size() ? 1 : d.a_batch[i - (rank - d.a_batch.size())];
            const int64_t db = i < rank - d.b_batch.size() ? 1 : d.b_batch[i - (rank - d.b_batch.size())];
            if (da != db && da != 1 && db != 1) return "batch dims of " + shape_str(a) + " and " + shape_str(b) + " do not broadcast";
            d.batch[i] = da == 1 ? db : da;
        }
        d.out = d.batch;
        if (!a_vec) d.out.push_back(d.m);
        if (!b_vec) d.out.push_back(d.n);
        return "";
    }

    Activation m_activation;
};

}  // namespace
}  // namespace lite::ops

EDGELITE_OP(MatMul, MatMulKernel)
