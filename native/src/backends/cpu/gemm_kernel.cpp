// Gemm and MatMul on the CPU backend, through the packed SGEMM. A constant B (the usual weight operand) is packed
// once; the other operand is packed per run. Gemm's alpha, beta·C (broadcast) and the fused activation are the
// epilogue. MatMul folds batch dims into M when B has none, and runs one product per batch otherwise.
#include <algorithm>
#include <mutex>

#include "backends/cpu/fast_kernels.h"
#include "backends/cpu/sgemm.h"
#include "ops/elementwise.h"

namespace lite::backend::cpu {
namespace {

// A constant operand packed once, keyed by its memory and shape.
template <typename Packed>
struct PackCache {
    Packed packed;
    const void* from = nullptr;
    ops::Shape shape;
    int64_t kc = 0;
    bool valid(const ops::TensorView& v, int64_t want_kc) const {
        return packed.simd && from == v.data && shape == v.shape && kc == want_kc;
    }
    void keep(const ops::TensorView& v, int64_t packed_kc, bool constant) {
        from = constant ? v.data : nullptr;
        shape = v.shape;
        kc = packed_kc;
    }
};

class GemmKernel final : public ops::Kernel {
public:
    GemmKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : m_reference(ops::find_op("Gemm")->create(attributes, opset)),
              m_alpha(attributes.get_float("alpha", 1.f)),
              m_beta(attributes.get_float("beta", 1.f)),
              m_trans_a(attributes.get_int("transA", 0) != 0),
              m_trans_b(attributes.get_int("transB", 0) != 0),
              m_simd(simd) {}

    void infer(ops::InferContext& ctx) override {
        m_reference->infer(ctx);
        m_b_constant.observe(ctx, 1, 0);
    }

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& av = ctx.input(0);
        const ops::TensorView& bv = ctx.input(1);
        if (av.dtype != LITE_FLOAT || bv.dtype != LITE_FLOAT || av.shape.size() != 2 || bv.shape.size() != 2) {
            m_reference->run(ctx);
            return;
        }
        const int64_t m = m_trans_a ? av.shape[1] : av.shape[0], k = m_trans_a ? av.shape[0] : av.shape[1];
        const int64_t n = m_trans_b ? bv.shape[0] : bv.shape[1];
        const int64_t a_rs = m_trans_a ? 1 : k, a_cs = m_trans_a ? m : 1;
        const int64_t b_rs = m_trans_b ? 1 : n, b_cs = m_trans_b ? k : 1;
        Epilogue ep;
        ep.alpha = m_alpha;
        ep.beta = m_beta;
        ep.act = m_activation;
        if (ctx.has_input(2)) {
            const ops::TensorView& cv = ctx.input(2);
            const ops::Shape& cs = cv.shape;
            ep.bias = cv.as<float>();
            if (cs.size() == 2) {
                ep.bias_rs = cs[0] == 1 ? 0 : cs[1];
                ep.bias_cs = cs[1] == 1 ? 0 : 1;
            } else if (cs.size() == 1) {
                ep.bias_cs = cs[0] == 1 ? 0 : 1;
            }
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        const ops::ParallelFor parallel = parallel_of(ctx);
        const int64_t kc = k_block_size(k);
        if (!m_b.valid(bv, kc)) {
            pack_b(m_simd, bv.as<float>(), b_rs, b_cs, k, n, kc, m_b.packed);
            m_b.keep(bv, kc, m_b_constant.constant());
        }
        pack_a(m_simd, av.as<float>(), a_rs, a_cs, m, k, kc, m_a);
        sgemm(m_a, PackedBSource(m_b.packed), n, ctx.output(0).as<float>(), n, ep, &parallel);
    }

    bool fuse_activation(const ops::Activation& activation) override {
        // The reference composes the same way, so both keep the same activation.
        ops::Activation combined = m_activation;
        if (!combined.then(activation) || !m_reference->fuse_activation(activation)) return false;
        m_activation = combined;
        return true;
    }

private:
    std::unique_ptr<ops::Kernel> m_reference;
    float m_alpha, m_beta;
    bool m_trans_a, m_trans_b;
    const SimdKernels& m_simd;
    ops::Activation m_activation;
    ConstantInput m_b_constant;
    std::mutex m_mutex;
    PackCache<PackedB> m_b;
    PackedA m_a;
};

class MatMulKernel final : public ops::Kernel {
public:
    MatMulKernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd)
            : m_reference(ops::find_op("MatMul")->create(attributes, opset)), m_simd(simd) {}

    void infer(ops::InferContext& ctx) override {
        m_reference->infer(ctx);
        m_b_constant.observe(ctx, 1, 0);
    }

    void run(ops::RunContext& ctx) override {
        const ops::TensorView& av = ctx.input(0);
        const ops::TensorView& bv = ctx.input(1);
        Dims d;
        if (av.dtype != LITE_FLOAT || bv.dtype != LITE_FLOAT || !dims(av.shape, bv.shape, d)) {
            m_reference->run(ctx);
            return;
        }
        const float* a = av.as<float>();
        const float* b = bv.as<float>();
        float* y = ctx.output(0).as<float>();
        Epilogue ep;
        ep.act = m_activation;
        std::lock_guard<std::mutex> lock(m_mutex);
        const ops::ParallelFor parallel = parallel_of(ctx);
        const int64_t kc = k_block_size(d.k);
        if (d.b_batch.empty()) {
            // B is one matrix: every batch of A is more rows of one product.
            const int64_t rows = ops::numel(d.batch) * d.m;
            if (!m_b.valid(bv, kc)) {
                pack_b(m_simd, b, d.n, 1, d.k, d.n, kc, m_b.packed);
                m_b.keep(bv, kc, m_b_constant.constant());
            }
            pack_a(m_simd, a, d.k, 1, rows, d.k, kc, m_a);
            sgemm(m_a, PackedBSource(m_b.packed), d.n, y, d.n, ep, &parallel);
            return;
        }
        // One product per batch, with numpy broadcasting of the batch dims.
        const int64_t batches = ops::numel(d.batch);
        const size_t rank = d.batch.size();
        const std::vector<int64_t> sa = ops::broadcast_strides(d.a_batch, d.batch), sb = ops::broadcast_strides(d.b_batch, d.batch);
        const SimdKernels& simd = m_simd;
        auto one = [&](int64_t batch, const ops::ParallelFor* par) {
            int64_t rem = batch, oa = 0, ob = 0;
            for (size_t dim = rank; dim-- > 0;) {
                const int64_t idx = rem % d.batch[dim];
                rem /= d.batch[dim];
                oa += idx * sa[dim];
                ob += idx * sb[dim];
            }
            thread_local PackedA packed;
            pack_a(simd, a + oa * d.m * d.k, d.k, 1, d.m, d.k, kc, packed);
            sgemm(packed, StridedB(b + ob * d.k * d.n, d.n, 1), d.n, y + batch * d.m * d.n, d.n, ep, par);
        };
        const double flops = gemm_flops(d.m, d.n, d.k);
        if (flops < gemm_tuning().serial_flops) {
            auto tasks = [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i) one(i, nullptr);
            };
            if (flops * double(batches) < gemm_tuning().serial_flops) {
                tasks(0, batches);
            } else {
                parallel(batches, tasks);
            }
        } else {
            for (int64_t i = 0; i < batches; ++i) one(i, &parallel);
        }
    }

    bool fuse_activation(const ops::Activation& activation) override {
        // The reference composes the same way, so both keep the same activation.
        ops::Activation combined = m_activation;
        if (!combined.then(activation) || !m_reference->fuse_activation(activation)) return false;
        m_activation = combined;
        return true;
    }

private:
    struct Dims {
        int64_t m = 1, k = 1, n = 1;
        ops::Shape a_batch, b_batch, batch;
    };

    // numpy matmul dims (as the reference kernel resolves them); false when the shapes do not multiply.
    static bool dims(const ops::Shape& a, const ops::Shape& b, Dims& d) {
        if (a.empty() || b.empty()) return false;
        const bool a_vec = a.size() == 1, b_vec = b.size() == 1;
        d.m = a_vec ? 1 : a[a.size() - 2];
        d.k = a.back();
        d.n = b_vec ? 1 : b.back();
        if ((b_vec ? b[0] : b[b.size() - 2]) != d.k) return false;
        d.a_batch = a_vec ? ops::Shape{} : ops::Shape(a.begin(), a.end() - 2);
        d.b_batch = b_vec ? ops::Shape{} : ops::Shape(b.begin(), b.end() - 2);
        const size_t rank = std::max(d.a_batch.size(), d.b_batch.size());
        d.batch.assign(rank, 1);
        for (size_t i = 0; i < rank; ++i) {
            const int64_t da = i < rank - d.a_batch.size() ? 1 : d.a_batch[i - (rank - d.a_batch.size())];
            const int64_t db = i < rank - d.b_batch.size() ? 1 : d.b_batch[i - (rank - d.b_batch.size())];
            if (da != db && da != 1 && db != 1) return false;
            d.batch[i] = da == 1 ? db : da;
        }
        return true;
    }

    std::unique_ptr<ops::Kernel> m_reference;
    const SimdKernels& m_simd;
    ops::Activation m_activation;
    ConstantInput m_b_constant;
    std::mutex m_mutex;
    PackCache<PackedB> m_b;
    PackedA m_a;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_gemm_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<GemmKernel>(attributes, opset, simd);
}

std::unique_ptr<ops::Kernel> make_matmul_kernel(const ops::Attributes& attributes, int opset, const SimdKernels& simd) {
    return std::make_unique<MatMulKernel>(attributes, opset, simd);
}

}  // namespace lite::backend::cpu
