// The shared shape of Softmax, LogSoftmax and Hardmax: float32 in, float32 out of the same shape, computed along one
// axis. Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the op runs over the flattened
// trailing dims; from opset 13 along one axis (default -1). Subclasses compute consecutive blocks of n x inner.
#pragma once

#include "ops/reduce_common.h"

namespace lite::ops {

class AlongAxisKernel : public Kernel {
public:
    AlongAxisKernel(const Attributes& attributes, int opset)
            : m_coerce_2d(opset < 13), m_axis(attributes.get_int("axis", opset < 13 ? 1 : -1)) {}

    void infer(InferContext& ctx) override {
        if (ctx.input_dtype(0) != LITE_FLOAT) ctx.fail(std::string("input must be float32, got ") + dtype_label(ctx.input_dtype(0)));
        normalize_axis(m_axis, static_cast<int64_t>(ctx.input_shape(0).size()), ctx);
        ctx.set_output(0, LITE_FLOAT, ctx.input_shape(0));
    }

    void run(RunContext& ctx) override {
        const TensorView& in = ctx.input(0);
        if (in.numel() == 0) return;
        const int64_t rank = static_cast<int64_t>(in.shape.size());
        const AxisSplit s = split_at_axis(in.shape, m_axis < 0 ? m_axis + rank : m_axis, m_coerce_2d);
        const float* x = in.as<float>();
        float* y = ctx.output(0).as<float>();
        const int64_t block = s.n * s.inner;
        ctx.parallel_for(s.outer, [&](int64_t begin, int64_t end) {
            compute_blocks(x + begin * block, y + begin * block, end - begin, s.n, s.inner);
        });
    }

    //! Each block reads all its inputs before writing its outputs, so the output may be the input.
    bool inplace_ok() const override { return true; }

protected:
    //! `count` consecutive blocks of n rows x inner columns; the op runs along the rows of each column.
    virtual void compute_blocks(const float* x, float* y, int64_t count, int64_t n, int64_t inner) const = 0;

private:
    bool m_coerce_2d;
    int64_t m_axis;
};

}  // namespace lite::ops
