// The second half of cuda_kernel_suite.h's cases: resize, softmax, reductions and data movement (Transpose, Slice,
// Pad through the gather kernel, on 1-, 2-, 4- and 8-byte elements; Concat through row copies).
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_kernel_suite.h"

namespace lite::test {

// ---- resize, softmax, reductions ----

inline int suite_resize2d(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    const char* coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
    const char* nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    for (; done < cases; ++done) {
        const bool linear = rng.chance(0.5), by_sizes = rng.chance(0.5), exclude = linear && rng.chance(0.2);
        const int coord = int(rng.range(0, 4)), nearest = int(rng.range(0, 3));
        const ops::Shape xs{rng.range(1, 2), rng.range(1, 3), rng.range(1, 12), rng.range(1, 12)};
        RefOptions options;
        options.opset = coord == 4 ? 11 : 13;
        HostTensor x = rng.tensor(xs), roi = HostTensor::of_floats({0}, {}, true), scales, sizes;
        int64_t oh = 0, ow = 0;
        double sh = 1, sw = 1;
        if (by_sizes) {
            oh = rng.range(1, 30), ow = rng.range(1, 30);
            sizes = HostTensor::of_int64s({xs[0], xs[1], oh, ow});
            sh = double(oh) / double(xs[2]), sw = double(ow) / double(xs[3]);
        } else {
            const float fh = rng.pick<float>({0.5f, 0.75f, 1.f, 1.5f, 2.f, 3.f, 2.4f}), fw = rng.pick<float>({0.5f, 1.f, 2.f, 3.f, 1.7f, 0.6f});
            scales = HostTensor::of_floats({4}, {1.f, 1.f, fh, fw}, true);
            sh = fh, sw = fw;
            oh = int64_t(std::floor(double(fh) * double(xs[2]))), ow = int64_t(std::floor(double(fw) * double(xs[3])));
            if (oh == 0 || ow == 0) {
                --done;
                continue;
            }
        }
        std::vector<onnx::Attribute> attrs{string_attr("mode", linear ? "linear" : "nearest"), string_attr("coordinate_transformation_mode", coords[coord]),
                                           string_attr("nearest_mode", nearests[nearest]), int_attr("exclude_outside", exclude)};
        const HostTensor want = run_reference("Resize", attrs, {&x, &roi, by_sizes ? nullptr : &scales, by_sizes ? &sizes : nullptr}, options);
        k::Resize2dArgs a;
        a.x = r.up(x);
        a.y = r.out_floats(want.numel());
        a.planes = xs[0] * xs[1];
        a.h = int(xs[2]), a.w = int(xs[3]), a.oh = int(want.shape[2]), a.ow = int(want.shape[3]);
        a.scale_h = sh, a.scale_w = sw;
        a.mode = linear ? k::ResizeMode::Linear : k::ResizeMode::Nearest;
        a.coord = k::ResizeCoord(coord);
        a.nearest = k::ResizeNearest(nearest);
        a.exclude_outside = exclude;
        if (!k::resize_keeps_axis(a, int(xs[0])) || !k::resize_keeps_axis(a, int(xs[1]))) {
            --done;  // the mode moves N or C too (tf_half_pixel_for_nn): not a 2-D resize
            r.reset();
            continue;
        }
        r.run(a);
        const std::vector<float> got = r.down(a.y, want.numel());
        const std::string why = compare_floats(want.float_vector(), got, linear ? 4 : -1);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Resize2d case " << done << ": X " << join(xs) << " to " << join(want.shape) << (linear ? " linear " : " nearest ")
                          << coords[coord] << " " << nearests[nearest] << (by_sizes ? " sizes" : " scales") << " exclude_outside " << exclude
                          << ": " << why;
            return done;
        }
    }
    return done;
}

inline int suite_softmax(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        ops::Shape xs;
        const int rank = int(rng.range(1, 4));
        for (int i = 0; i < rank; ++i) xs.push_back(rng.range(1, 6));
        xs.back() = rng.pick<int64_t>({1, 2, 10, 31, 32, 33, 255, 257, 1000});
        HostTensor x = HostTensor::of_floats(xs, rng.floats(ops::numel(xs), -10.f, 10.f));
        const HostTensor want = run_reference("Softmax", {int_attr("axis", -1)}, {&x});
        k::SoftmaxArgs a;
        a.cols = xs.back();
        a.rows = x.numel() / a.cols;
        a.x = r.up(x);
        a.y = rng.chance(0.3) ? const_cast<float*>(a.x) : r.out_floats(x.numel());
        r.run(a);
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, x.numel()), a.cols);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Softmax case " << done << ": X " << join(xs) << ": " << why;
            return done;
        }
    }
    return done;
}

inline int suite_reduce_mean(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const int rank = int(rng.range(1, 5));
        ops::Shape xs;
        std::vector<int64_t> axes;
        std::vector<bool> reduced(size_t(rank), false);
        for (int i = 0; i < rank; ++i) {
            xs.push_back(rng.range(1, 7));
            if (rng.chance(0.5)) {
                axes.push_back(rng.chance(0.5) ? i : i - rank);
                reduced[size_t(i)] = true;
            }
        }
        if (axes.empty()) reduced.assign(size_t(rank), true);  // no axes: every dim
        const bool keepdims = rng.chance(0.5);
        HostTensor x = rng.tensor(xs);
        std::vector<onnx::Attribute> attrs{int_attr("keepdims", keepdims)};
        if (!axes.empty()) attrs.push_back(ints_attr("axes", axes));
        const HostTensor want = run_reference("ReduceMean", attrs, {&x});
        k::ReduceMeanArgs a;
        if (!k::make_reduce_mean_args(xs, reduced, a)) {
            ADD_FAILURE() << "make_reduce_mean_args refused " << join(xs);
            return done;
        }
        a.x = r.up(x);
        a.y = r.out_floats(want.numel());
        r.run(a);
        const std::string why = compare_floats(want.float_vector(), r.down(a.y, want.numel()), a.count);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "ReduceMean case " << done << ": X " << join(xs) << " axes " << join(axes) << ": " << why;
            return done;
        }
    }
    return done;
}

// ---- data movement ----

//! Runs a gather on float data and compares bit for bit; with elem_size != 4 also on index-coded data of that size.
inline std::string check_gather(KernelRunner& r, k::GatherArgs a, const HostTensor& x, const HostTensor& want, int elem_size) {
    a.elem_size = 4;
    a.x = r.up(x);
    a.y = r.out_floats(want.numel());
    r.run(a);
    std::string why = compare_floats(want.float_vector(), r.down(static_cast<const float*>(a.y), want.numel()), -1);
    if (!why.empty() || elem_size == 4) return why;
    // Element e of X holds e (truncated to elem_size bytes); the float reference tells which element lands where.
    HostTensor xi = x;
    for (int64_t e = 0; e < x.numel(); ++e) xi.floats()[e] = float(e);
    const uint64_t fill = 0xfe;  // Pad's constant: a value no small index takes
    std::vector<uint8_t> coded(size_t(x.numel()) * size_t(elem_size));
    for (int64_t e = 0; e < x.numel(); ++e) std::memcpy(&coded[size_t(e) * size_t(elem_size)], &e, size_t(elem_size));
    a.elem_size = elem_size;
    a.fill = fill;
    a.x = r.upload(coded.data(), coded.size());
    a.y = r.alloc(size_t(want.numel()) * size_t(elem_size));
    r.run(a);
    std::vector<uint8_t> got(size_t(want.numel()) * size_t(elem_size));
    r.download(got.data(), a.y, got.size());
    // The index of each output element, from the same gather on float indices (the fill shows as its float bits).
    k::GatherArgs f = a;
    f.elem_size = 4;
    const float fill_marker = -1.f;
    std::memcpy(&f.fill, &fill_marker, sizeof(float));
    f.x = r.up(xi);
    f.y = r.out_floats(want.numel());
    r.run(f);
    const std::vector<float> index = r.down(static_cast<const float*>(f.y), want.numel());
    for (int64_t o = 0; o < want.numel(); ++o) {
        uint64_t expect = index[size_t(o)] < 0 ? fill : uint64_t(index[size_t(o)]), value = 0;
        std::memcpy(&value, &got[size_t(o) * size_t(elem_size)], size_t(elem_size));
        if (elem_size < 8) expect &= (uint64_t(1) << (8 * elem_size)) - 1;
        if (value != expect) return "elem_size " + std::to_string(elem_size) + ": element " + std::to_string(o) + " holds " + std::to_string(value) + ", expected " + std::to_string(expect);
    }
    return "";
}

inline int suite_transpose(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const int rank = int(rng.range(1, 6));
        ops::Shape xs;
        std::vector<int64_t> perm;
        for (int i = 0; i < rank; ++i) xs.push_back(rng.range(1, 5)), perm.push_back(i);
        for (int i = rank - 1; i > 0; --i) std::swap(perm[size_t(i)], perm[size_t(rng.range(0, i))]);
        HostTensor x = rng.tensor(xs);
        const HostTensor want = run_reference("Transpose", {ints_attr("perm", perm)}, {&x});
        k::GatherArgs a;
        k::make_transpose_args(xs, perm, a);
        const int elem = rng.pick<int>({1, 2, 4, 8});
        const std::string why = check_gather(r, a, x, want, elem);
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Transpose case " << done << ": X " << join(xs) << " perm " << join(perm) << ": " << why;
            return done;
        }
    }
    return done;
}

inline int suite_slice(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const int rank = int(rng.range(1, 5));
        ops::Shape xs;
        std::vector<int64_t> starts, ends, axes, steps;
        for (int i = 0; i < rank; ++i) {
            xs.push_back(rng.range(1, 9));
            if (!rng.chance(0.6)) continue;
            axes.push_back(rng.chance(0.5) ? i : i - rank);
            starts.push_back(rng.range(-12, 12));
            ends.push_back(rng.chance(0.1) ? INT64_MAX : rng.range(-12, 12));
            steps.push_back(rng.pick<int64_t>({1, 1, 2, 3, -1, -2}));
        }
        HostTensor x = rng.tensor(xs), st = HostTensor::of_int64s(starts), en = HostTensor::of_int64s(ends), ax = HostTensor::of_int64s(axes),
                   sp = HostTensor::of_int64s(steps);
        const HostTensor want = run_reference("Slice", {}, {&x, &st, &en, &ax, &sp});
        k::GatherArgs a;
        k::make_slice_args(xs, starts, ends, axes, steps, a);
        const std::string why = check_gather(r, a, x, want, rng.pick<int>({1, 2, 4, 8}));
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Slice case " << done << ": X " << join(xs) << " starts " << join(starts) << " ends " << join(ends) << " axes "
                          << join(axes) << " steps " << join(steps) << ": " << why;
            return done;
        }
    }
    return done;
}

inline int suite_pad(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    const char* modes[] = {"constant", "reflect", "edge", "wrap"};
    while (done < cases) {
        const int rank = int(rng.range(1, 4));
        const int mode = int(rng.range(0, 3));
        ops::Shape xs;
        std::vector<int64_t> begin, end;
        bool valid = true;
        for (int i = 0; i < rank; ++i) {
            xs.push_back(rng.range(1, 6));
            begin.push_back(rng.range(mode == 0 ? -2 : 0, 4));
            end.push_back(rng.range(mode == 0 ? -2 : 0, 4));
            valid = valid && xs.back() + begin.back() + end.back() >= 0;
        }
        if (!valid) continue;
        std::vector<int64_t> pads = begin;
        pads.insert(pads.end(), end.begin(), end.end());
        HostTensor x = rng.tensor(xs), p = HostTensor::of_int64s(pads), value = HostTensor::of_floats({}, {0.75f}, true);
        const HostTensor want = run_reference("Pad", {string_attr("mode", modes[mode])}, {&x, &p, mode == 0 ? &value : nullptr});
        k::GatherArgs a;
        const float fill = 0.75f;
        k::make_pad_args(xs, begin, end, k::PadMode(mode), &fill, 4, a);
        const std::string why = check_gather(r, a, x, want, mode == 0 ? 4 : rng.pick<int>({1, 2, 4, 8}));
        r.reset();
        if (!why.empty()) {
            ADD_FAILURE() << "Pad case " << done << ": X " << join(xs) << " pads " << join(pads) << " mode " << modes[mode] << ": " << why;
            return done;
        }
        ++done;
    }
    return done;
}

inline int suite_concat(KernelRunner& r, int cases, uint32_t seed) {
    Rng rng(seed);
    int done = 0;
    for (; done < cases; ++done) {
        const int rank = int(rng.range(1, 4));
        const int64_t axis = rng.range(0, rank - 1);
        ops::Shape base;
        for (int i = 0; i < rank; ++i) base.push_back(rng.range(1, 5));
        std::vector<HostTensor> tensors;
        std::vector<std::vector<int64_t>> shapes;
        const int64_t count = rng.range(1, 4);
        for (int64_t i = 0; i < count; ++i) {
            ops::Shape s = base;
            s[size_t(axis)] = rng.range(0, 6);
            shapes.push_back(s);
            tensors.push_back(rng.tensor(s));
        }
        std::vector<const HostTensor*> inputs;
        for (const HostTensor& t : tensors) inputs.push_back(&t);
        const HostTensor want = run_reference("Concat", {int_attr("axis", rng.chance(0.5) ? axis : axis - rank)}, inputs);
        std::vector<k::CopyRowsArgs> copies = k::make_concat_args(shapes, axis, 4);
        float* y = r.out_floats(want.numel());
        for (size_t i = 0; i < copies.size(); ++i) {
            copies[i].x = r.up(tensors[i]);
            copies[i].y = y;
            r.run(copies[i]);
        }
        const std::string why = compare_floats(want.float_vector(), r.down(y, want.numel()), -1);
        r.reset();
        if (!why.empty()) {
            std::string list;
            for (const auto& s : shapes) list += join(s) + " ";
            ADD_FAILURE() << "Concat case " << done << ": inputs " << list << "axis " << axis << ": " << why;
            return done;
        }
    }
    return done;
}

}  // namespace lite::test
